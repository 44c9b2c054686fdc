/**
 * `npm run bench [-- NAME ...] [-- --json]`: runs the named benchmarks (all when none is named).
 * Each benchmark measures its reference side by side in the same run and reports ratios.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './registry.ts';
import { restoreFastStringPrototype } from '../src/apps/fast-string-prototype.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
const selected = names.length ? names : Object.keys(BENCHMARKS);
const results: Record<string, unknown> = {};
if (selected.length > 1) {
  // Each benchmark in a process of its own, one after another: memory figures (`scale`'s RSS) must
  // not carry what an earlier benchmark left behind (DuckDB's native memory, a grown heap).
  for (const name of selected) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name, ...(json ? ['--json'] : [])], {
      stdio: ['ignore', json ? 'pipe' : 'inherit', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (child.status !== 0) {
      console.error(`benchmark ${name} failed (exit ${child.status ?? child.signal})`);
      process.exit(1);
    }
    if (json) results[name] = JSON.parse(child.stdout.trim().split('\n').pop()!);
  }
} else {
  const name = selected[0]!;
  const bench = await BENCHMARKS[name]!();
  // Its modules (the redis client among them) are loaded by now.
  restoreFastStringPrototype();
  if (!json) console.log(`\n## ${name}: ${bench.title}`);
  results[name] = await bench.run({ json, log: json ? () => {} : (line: string) => console.log(line) });
}
if (json) console.log(JSON.stringify(selected.length === 1 ? results[selected[0]!] : results));
process.exit(0);
