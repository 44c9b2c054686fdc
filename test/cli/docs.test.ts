import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatchFile } from '../../src/adapters/storage/dispatch-log.ts';
import { loadConfig } from '../../src/config/load.ts';
import { TARGET_HOURS, TARGET_MAX_HOUR_RATIO, TARGET_RELIABILITY_PP, TARGET_SKILL_VS_CLIMATOLOGY } from '../../src/domain/weather/nowcast/evaluate.ts';
import { RELIABILITY_MIN_CASES } from '../../src/domain/weather/nowcast/scores.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../replay/support.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const README = read('README.md');
const { dir: root, cleanup } = tempDir('helios-docs-');
afterAll(() => cleanup());

const run = runCli;

/** The README's CLI table row for a command. */
function readmeRow(command: string): string {
  const row = README.split('\n').find((l) => l.startsWith(`| \`helios ${command}`));
  expect(row, `README has a row for helios ${command}`).toBeDefined();
  return row!;
}

describe('docs that drifted (issue 21 item 11)', () => {
  it('the README names every view `helios query --help` lists', async () => {
    const help = (await run(['query', '--help'])).out;
    const views = help.split(/Views[^\n]*\n/)[1]!.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean);
    expect(views.length).toBeGreaterThan(10);
    const row = readmeRow('query');
    expect(views.filter((v) => !row.includes(`\`${v}\``))).toEqual([]);
  });

  it('--include-open-hour is in the README and in the message of a compaction that left the open hour', async () => {
    expect(readmeRow('compact')).toContain('--include-open-hour');
    const data = path.join(root, 'open-hour');
    // A short session ending now: its last journal hour is still open.
    const start = new Date(Date.now() - 180_000).toISOString();
    const rec = await run(['sample-data', '--out', data, '--start', start, '--hours', '0.05', '--no-compact', '--set', 'weather.nowcast.simulated_fit_days=30']);
    expect(rec.code).toBe(0);
    // Its writer is still running: nothing is sealed yet (a clean stop seals what it wrote).
    for (const f of readdirSync(data, { recursive: true, encoding: 'utf8' })) if (f.endsWith('.sealed')) rmSync(path.join(data, f));
    const r = await run(['compact', '--data-dir', data, '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/[1-9]\d* still open; .*the open hour is left to a later run \(--include-open-hour compacts it now\)/);
    const all = await run(['compact', '--data-dir', data, '--no-progress', '--include-open-hour']);
    expect(all.out).toMatch(/ 0 still open; /);
    expect(all.out).not.toContain('--include-open-hour');
  }, 90_000);

  it('the README\'s clob-standin row names every option `helios clob-standin --help` lists, and the signature types it takes', async () => {
    const help = (await run(['clob-standin', '--help'])).out;
    const options = [...help.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help');
    expect(options).toContain('--deposit-wallet');
    const row = readmeRow('clob-standin');
    const synopsis = row.split('` |')[0]!;
    expect(options.filter((o) => !synopsis.includes(`[${o}`))).toEqual([]);
    expect(synopsis).toContain('[--signature-type 1\\|2\\|3] [--deposit-wallet ADDR]');
  });

  it('every README CLI row names every option its command\'s --help lists (a newcomer reads the table, not the help)', async () => {
    const top = (await run(['--help'])).out;
    const commands = [...top.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toContain('replay');
    const missing: string[] = [];
    for (const command of commands) {
      const help = (await run([command, '--help'])).out;
      const subs = help.includes('\nCommands:') ? [...help.split('\nCommands:')[1]!.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help') : [''];
      for (const sub of subs) {
        const argv = sub ? [command, sub] : [command];
        // `helios start` is `helios run` with its defaults: its row says it takes the same options.
        if (command === 'start') continue;
        const rows = README.split('\n').filter((l) => /^\| `(helios|npm run) /.test(l) && l.split('` |')[0]!.includes(`helios ${command}`) && (!sub || l.split('` |')[0]!.includes(sub)));
        expect(rows, `README has a row for helios ${argv.join(' ')}`).not.toHaveLength(0);
        const synopsis = rows.map((r) => r.split('` |')[0]!).join(' ');
        const options = [...(await run([...argv, '--help'])).out.matchAll(/^ {2}(?:-[a-zA-Z], )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help' && o !== '--version');
        for (const o of new Set(options)) if (!synopsis.includes(o)) missing.push(`helios ${argv.join(' ')} ${o}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('docs/storage.md no longer calls replay --serve and --decisions-out future work', () => {
    const storage = read('docs/storage.md');
    expect(storage).not.toMatch(/not in this change|future work/i);
    expect(storage).toMatch(/### Built on it[^\n]*\n+\* `helios replay --data-dir DIR .*\[--serve\] \[--decisions-out FILE\]`/);
  });

  it('BENCHMARKS.md\'s scale section gives today\'s max_len defaults', () => {
    const { config } = loadConfig({ env: {} });
    const fmt = (n: number) => n.toLocaleString('en-US');
    const scale = read('BENCHMARKS.md').split('\n### scale — ')[1]!.split(/\n##+ /)[0]!;
    expect(scale).toContain(`the defaults are now ${fmt(config.bus.channels.l2!.max_len)} and ${fmt(config.bus.channels.l2_delta!.max_len)}`);
  });

  it('docs/weather.md explains every flag metar daily can print, and where to get an IEM archive', () => {
    const weather = read('docs/weather.md');
    const sources = read('src/domain/weather/metar-report.ts') + read('src/domain/weather/station-days.ts');
    const flags = new Set<string>();
    for (const m of sources.matchAll(/flags\.(?:push|add)\(([^)]*)\)/g)) for (const f of m[1]!.matchAll(/['`]([a-z0-9_]+)[:'`]/g)) flags.add(f[1]!);
    // Dropped from the daily summary on purpose (station-days.ts).
    flags.delete('type_inferred');
    flags.delete('dewpoint_missing');
    expect(flags.size).toBeGreaterThan(10);
    for (const f of [...flags, 't_group_malformed', 'max6h_malformed', 'min6h_malformed', 'group24h_malformed']) expect(weather, f).toContain(`\`${f}\``);
    expect(weather).toContain('https://mesonet.agron.iastate.edu/cgi-bin/request/asos.py?station=');
    expect(readmeRow('metar daily')).toContain('docs/weather.md');
  });

  it('docs/weather.md says what RPS is, that lower is better, and states eval\'s targets as the code judges them', () => {
    const weather = read('docs/weather.md');
    expect(weather).toMatch(/\*\*Lower is better\*\*/);
    expect(weather).toContain(`local hours ${String(TARGET_HOURS.from).padStart(2, '0')}–${TARGET_HOURS.to}`);
    expect(weather).toContain(`skill vs climatology ≥ ${TARGET_SKILL_VS_CLIMATOLOGY}`);
    expect(weather).toContain(`${TARGET_MAX_HOUR_RATIO} × the better of the two baselines`);
    expect(weather).toContain(`at least ${RELIABILITY_MIN_CASES} cases within ${TARGET_RELIABILITY_PP} percentage points`);
    expect(readmeRow('nowcast eval')).toMatch(/lower is better.*docs\/weather\.md/);
  });

  it('README and docs name the dispatch log as the daemon writes it: zero-padded session numbers', () => {
    const written = path.basename(dispatchFile('DATA_DIR', 1));
    for (const file of ['README.md', 'docs/storage.md', 'docs/replay.md']) {
      const text = read(file);
      expect(text, file).not.toMatch(/session-N\.ndjson/);
      expect(text, file).toContain('session-NNNNNNNNN.ndjson');
      // Every example of a real name is one the daemon writes.
      for (const example of text.match(/session-\d+\.ndjson/g) ?? []) expect(example.length, `${file}: ${example}`).toBe(written.length);
    }
    expect(README).toContain(written);
  });
});
