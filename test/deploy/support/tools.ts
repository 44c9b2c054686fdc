import { spawnSync } from 'node:child_process';

/**
 * The path of an operator tool (promtool, systemd-analyze, docker), or null with a loud notice:
 * CI installs them, a developer's machine may not have them.
 */
export function requireTool(name: string, probe: string[] = ['--version']): string | null {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = which.status === 0 ? which.stdout.trim() : '';
  if (path && spawnSync(path, probe, { encoding: 'utf8' }).status === 0) return path;
  console.warn(`\n*** SKIPPING: ${name} ${probe.join(' ')} is not available; the deploy checks that need it did not run ***\n`);
  return null;
}

/** Runs a tool to completion: exit code and both outputs. */
export function run(cmd: string, args: string[], cwd?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
