import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireTool, run } from './support/tools.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCKER = path.join(ROOT, 'deploy/docker');
// Continuation lines joined: one instruction per line.
const dockerfile = readFileSync(path.join(DOCKER, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
const instructions = (key: string) => [...dockerfile.matchAll(new RegExp(`^${key}\\s+(.*)$`, 'gm'))].map((m) => m[1]!);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|mjs|js)$/.test(f) ? [p] : [];
  });
}

/** Packages the runtime code loads (type-only imports are erased by tsx and need nothing). */
function runtimePackages(): string[] {
  const pkgs = new Set<string>();
  for (const file of [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'bin'))]) {
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...[...text.matchAll(/^\s*(?:import|export)(?!\s+type\b)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
      ...[...text.matchAll(/\brequire\.resolve\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
    ];
    for (const s of specs) {
      if (s.startsWith('.') || s.startsWith('node:') || s.startsWith('/')) continue;
      pkgs.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
    }
  }
  return [...pkgs].sort();
}

describe('container image', () => {
  it('Node 20 slim, npm ci without devDependencies, a non-root user, a health check on /health', () => {
    expect(instructions('FROM')).toEqual(['node:20-slim']);
    expect(instructions('RUN').some((r) => /\bnpm ci --omit=dev\b/.test(r))).toBe(true);
    const users = instructions('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(instructions('HEALTHCHECK').join(' ')).toMatch(/\/health\b/);
    expect(instructions('ENTRYPOINT')).toEqual(['["node", "bin/helios.js"]']);
  });

  it('copies what the daemon reads at run time and nothing the ignore file excludes', () => {
    const copied = instructions('COPY').flatMap((c) => c.split(/\s+/).slice(0, -1));
    for (const need of ['package.json', 'package-lock.json', 'bin', 'config', 'src']) expect(copied, need).toContain(need);
    const allowed = readFileSync(path.join(DOCKER, 'Dockerfile.dockerignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    for (const c of copied) expect(allowed, `${c} is sent to the build`).toContain(c);
  });

  it('`npm ci --omit=dev && npm start` has every package the runtime loads: all are dependencies, none only a devDependency', () => {
    const loaded = runtimePackages();
    expect(loaded).toEqual(expect.arrayContaining(['tsx', 'xstate', 'prom-client', 'preact', '@duckdb/node-api']));
    const missing = loaded.filter((p) => !(p in pkg.dependencies));
    expect(missing).toEqual([]);
    // bin/helios.js registers tsx at run time: it must stay a dependency for an image without a build step.
    expect(pkg.dependencies).toHaveProperty('tsx');
    expect(pkg.scripts.start).toBe('node bin/helios.js start');
  });
});

describe('compose file: Redis, a feeds process and two trading shards', () => {
  const compose = parse(readFileSync(path.join(DOCKER, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown>; build?: { dockerfile: string } }>;
  };
  const helios = Object.entries(compose.services).filter(([, s]) => s.command?.[0] === 'run');

  it('one feeds process and shards 0/2 and 1/2, every one on the compose Redis', () => {
    expect(Object.keys(compose.services)).toContain('redis');
    const roles = helios.map(([, s]) => s.command!.slice(1).join(' ')).sort();
    expect(roles).toEqual(['--role feeds', '--role trading --shard 0/2', '--role trading --shard 1/2']);
    for (const [name, s] of helios) {
      expect(s.environment?.HELIOS_REDIS_URL, name).toBe('redis://redis:6379');
      expect(s.depends_on, name).toHaveProperty('redis');
      expect(s.build?.dockerfile, name).toBe('deploy/docker/Dockerfile');
    }
  });

  const docker = requireTool('docker', ['compose', 'version']);
  it.skipIf(!docker)('docker compose config accepts it', () => {
    const r = run(docker!, ['compose', '-f', path.join(DOCKER, 'compose.yaml'), 'config', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
