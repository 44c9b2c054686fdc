import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;

const KJFK = [
  'KJFK 151551Z 20010KT 10SM FEW050 30/20 A2992 RMK AO2 SLP132 T03000200',
  'KJFK 151651Z 20010KT 10SM FEW050 31/20 A2992 RMK AO2 SLP132 T03110200',
].join('\n') + '\n';

describe('wrong inputs get a clear answer (issue 21 item 6)', () => {
  const file = path.join(dir, 'kjfk-2025-07-15.txt');
  writeFileSync(file, KJFK);

  it('metar daily and metar parse with a station the file does not hold exit 1 naming the stations it does', async () => {
    for (const argv of [
      ['metar', 'daily', file, '--station', 'KLGA', '--tz', 'America/New_York'],
      ['metar', 'parse', file, '--station', 'KLGA'],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toContain(`helios metar: ${file}: no METAR/SPECI reports for station KLGA; it holds KJFK (2 reports)`);
    }
  });

  it('metar daily with the right station still answers (3-letter IEM id too)', async () => {
    const r = await run(['metar', 'daily', file, '--station', 'JFK', '--tz', 'America/New_York']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.trim())).toMatchObject({ date: '2025-07-15', judge_max_f: 88, n_reports: 2 });
  });

  it('sim: every numeric option out of range exits 2 naming the option, the value and the accepted range', async () => {
    const cases: Array<[string, string, string]> = [
      ['--seed', '-1', 'a whole number ≥ 0'],
      ['--seed', '1.5', 'a whole number ≥ 0'],
      ['--port', '70000', 'a whole number 0–65535 (0: any free port)'],
      ['--markets', '0', 'a whole number 1–10000'],
      ['--markets', '10001', 'a whole number 1–10000'],
      ['--rate', '0', 'a positive number of events per second'],
      ['--rate', 'fast', 'a positive number of events per second'],
      ['--duration', '-1', 'a number of seconds up to 2147483 (about 24 days)'],
      // Past a timer's longest wait: Node would fire it at once and the simulator stop immediately.
      ['--duration', '2592000', 'a number of seconds up to 2147483 (about 24 days)'],
    ];
    for (const [flag, value, range] of cases) {
      const r = await run(['sim', flag, value]);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.err).toBe(`helios sim: ${flag} expects ${range}; got "${value}"\n`);
    }
  });

  it('run, capture and playback refuse a --duration no timer can wait for (Node fires one past 2^31 − 1 ms at once: the run stopped immediately)', async () => {
    const range = 'a number of seconds up to 2147483 (about 24 days)';
    for (const value of ['2592000', '-5', '', 'soon']) {
      const r = await run(['run', '--port', '0', '--data-dir', path.join(dir, 'never'), '--duration', value]);
      expect(r.code, `run --duration ${JSON.stringify(value)}`).toBe(2);
      expect(r.err).toBe(`helios run: --duration expects ${range}; got ${JSON.stringify(value)}\n`);
    }
    for (const value of ['2592000', '0']) {
      const p = await run(['playback', dir, '--duration', value]);
      expect(p.code, `playback --duration ${value}`).toBe(2);
      expect(p.err).toContain(`--duration expects ${range}, above 0; got ${JSON.stringify(value)}`);
      const c = await run(['capture', '--out', path.join(dir, 'capture-never'), '--duration', value]);
      expect(c.code, `capture --duration ${value}`).toBe(2);
      expect(c.err).toBe(`helios capture: --duration expects ${range}, above 0; got ${JSON.stringify(value)}\n`);
    }
  });

  it('replay with one end of the range names the missing one and that neither replays everything (the range is optional there)', async () => {
    const cases: Array<[string[], string]> = [
      [['--from', '2025-07-15T17:00Z'], '--from needs --to'],
      [['--to', '2025-07-15T19:00Z'], '--to needs --from'],
    ];
    for (const [flags, says] of cases) {
      const r = await run(['replay', '--data-dir', dir, ...flags]);
      expect(r.code, flags[0]).toBe(2);
      expect(r.err).toBe(`replay: ${says}: give both (ISO 8601, e.g. 2025-07-15T17:00:00Z), or neither to replay everything recorded\n`);
    }
  });

  it('options that only make sense with another are usage errors without it (exit 2), not silently ignored', async () => {
    const replay = (...more: string[]) => run(['replay', '--data-dir', dir, ...more]);
    for (const flag of [['--paused'], ['--port', '8899'], ['--exit-at-end']]) {
      const r = await replay(...flag);
      expect(r.code, flag[0]).toBe(2);
      expect(r.err).toBe(`replay: ${flag[0]} applies to --serve only (without it the replay plays at once and ends with its range); add --serve or drop it\n`);
    }
    const both = await replay('--paused', '--exit-at-end');
    expect(both.err).toContain('replay: --paused, --exit-at-end apply to --serve only');
    for (const flag of [['--judge-day', 'standard'], ['--min-fit-months', '3']]) {
      const r = await run(['nowcast', 'eval', '--model', path.join(dir, 'none.json'), '--station', 'KSIM', '--archive', file, ...flag]);
      expect(r.code, flag[0]).toBe(2);
      expect(r.err).toBe(`helios nowcast: ${flag[0]} applies to --rolling only (a --model keeps what it was fitted with); add --rolling or drop it\n`);
    }
  });

  it('run: --speed with --live and --clob-url with paper execution are usage errors (exit 2), not silently ignored', async () => {
    const data = path.join(dir, 'run-ignored');
    const live = await run(['run', '--live', '--speed', '10', '--port', '0', '--data-dir', data, '--duration', '1']);
    expect(live.code).toBe(2);
    expect(live.err).toBe('helios run: --speed applies to sim mode only (--live runs on the wall clock); drop it\n');
    const paper = await run(['run', '--clob-url', 'http://127.0.0.1:9', '--port', '0', '--data-dir', data, '--duration', '1']);
    expect(paper.code).toBe(2);
    expect(paper.err).toBe('helios run: --clob-url applies to real execution only (--execution real, or execution.adapter: real); this run trades on paper\n');
    expect(existsSync(data)).toBe(false);
  });

  it('a command without its subcommand prints its usage and exits 2; --help and --version exit 0', async () => {
    for (const argv of [[], ['metar'], ['nowcast'], ['config']]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ') || '(none)').toBe(2);
      expect(r.err + r.out).toMatch(/Usage: helios/);
    }
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['metar', '--help'])).code).toBe(0);
    expect((await run(['--version'])).code).toBe(0);
  });

  it('an unknown option, a missing option argument or an unknown command exits 2 and says how to see the usage', async () => {
    for (const argv of [['replay', '--data-dir', 'x', '--bogus'], ['backtest', '--frm', 'x'], ['metar', 'daily'], ['bogus']]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(/^error: .*\n(\(Did you mean .*\)\n)?\(add --help for the usage\)\n$/);
    }
  });

  it('compact, query and retention on a data directory that does not exist, or is a file, exit 1 saying so (not an empty answer), command first', async () => {
    const missing = path.join(dir, 'no-such-data-dir');
    const file = path.join(dir, 'a-file-as-data-dir');
    writeFileSync(file, 'x');
    for (const argv of [['compact'], ['retention', '--dry-run'], ['query', 'SELECT 1']]) {
      const r = await run([...argv, '--data-dir', missing]);
      expect(r.code, argv[0]).toBe(1);
      expect(r.err).toContain(`${argv[0]}: no such data directory: ${missing}`);
      const f = await run([...argv, '--data-dir', file]);
      expect(f.code, argv[0]).toBe(1);
      expect(f.err).toBe(`${argv[0]}: not a directory: ${file}\n`);
    }
  });

  it('input files that begin with a UTF-8 byte-order mark read like those without', async () => {
    const event = readFileSync(path.join(import.meta.dirname, '../fixtures/market/gamma-event-nyc-highest-2026-06-12.json'), 'utf8');
    const bomEvent = path.join(dir, 'bom-event.json');
    writeFileSync(bomEvent, `\uFEFF${event}`);
    const discovered = await run(['discover', '--event-file', bomEvent, '--json']);
    expect(discovered.code, discovered.err).toBe(0);
    expect(discovered.out.trim().split('\n')).toHaveLength(11);
    const frames = path.join(dir, 'bom-frames.ndjson');
    writeFileSync(frames, '\uFEFF{"event_type":"book","asset_id":"1","market":"0xm","timestamp":"1750000000000","hash":"h","bids":[{"price":"0.4","size":"10"}],"asks":[{"price":"0.6","size":"10"}]}\n');
    const decoded = await run(['tape', 'decode', frames]);
    expect(decoded.code, decoded.err).toBe(0);
    expect(decoded.out).toContain('"kind":"book_summary","asset_id":"1","synced":true,"best_bid":0.4');
  });

  it('backtest --out naming a file is refused before the backtest runs (exit 2)', async () => {
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await run(['backtest', '--data-dir', dir, '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-01T01:00:00Z', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`backtest: --out ${file} is a file, not a directory`);
  });

  it('an output that cannot be created (its folder is a file) is refused before anything runs (exit 2), naming the option and why', async () => {
    const file = path.join(dir, 'a-file-not-a-folder');
    writeFileSync(file, 'x');
    const range = ['--from', '2026-01-01T00:00:00Z', '--to', '2026-01-01T01:00:00Z'];
    const grid = path.join(dir, 'output-grid.yaml');
    writeFileSync(grid, 'trading.temporal.edge_threshold: [0.05]\n');
    const cases: Array<[string[], string]> = [
      [['replay', '--data-dir', dir, ...range, '--decisions-out', path.join(file, 'd.ndjson')], `replay: --decisions-out ${path.join(file, 'd.ndjson')} cannot be created: ${file} is a file, not a directory`],
      [['backtest', '--data-dir', dir, ...range, '--decisions-out', path.join(file, 'd.ndjson')], `backtest: --decisions-out ${path.join(file, 'd.ndjson')} cannot be created: ${file} is a file, not a directory`],
      [['backtest', '--data-dir', dir, ...range, '--out', path.join(file, 'report')], `backtest: --out ${path.join(file, 'report')} cannot be created: ${file} is a file, not a directory`],
      [['backtest', '--data-dir', dir, ...range, '--decisions-out', dir], `backtest: --decisions-out ${dir} is a directory, not a file`],
      [['sweep', '--grid', grid, '--data-dir', dir, ...range, '--out', path.join(file, 'ranking.json')], `sweep: --out ${path.join(file, 'ranking.json')} cannot be created: ${file} is a file, not a directory`],
      // The daemon found out in its trading component, restarted it five times and exited 3 (or 0 within --duration, the decisions lost).
      [['run', '--data-dir', path.join(dir, 'run-data'), '--port', '0', '--duration', '1', '--decisions-out', path.join(file, 'd.ndjson')], `helios run: --decisions-out ${path.join(file, 'd.ndjson')} cannot be created: ${file} is a file, not a directory`],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toContain(message);
    }
    expect(existsSync(path.join(dir, 'run-data'))).toBe(false);
  });

  it('query with no SQL says so (exit 2), not "Error in native callback"', async () => {
    for (const sql of ['', '   ']) {
      const r = await run(['query', sql, '--data-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('query: no SQL given');
    }
  });

  it('run --speed 0 (a clock that never moves) or below is a usage error (exit 2)', async () => {
    for (const speed of ['0', '-2', 'fast']) {
      const r = await run(['run', '--speed', speed, '--duration', '1']);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`helios run: --speed expects a positive number (1: real time); got ${speed}`);
    }
  });
  it('run and sample-data on a data directory that cannot hold their state exit 2 naming it (a restart would only fail again), not 3', async () => {
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, 'a file where the data directory should be\n');
    for (const target of [file, path.join(file, 'below')]) {
      const r = await run(['run', '--data-dir', target, '--port', '0', '--duration', '1']);
      expect(r.code, target).toBe(2);
      expect(r.err).toContain(`helios run: data directory ${target} cannot be used: ENOTDIR`);
    }
    const s = await run(['sample-data', '--out', file, '--hours', '0.01', '--no-compact']);
    expect(s.code).toBe(2);
    expect(s.err).toContain(`sample-data: data directory ${file} cannot be used: ENOTDIR`);
    expect(readFileSync(file, 'utf8')).toBe('a file where the data directory should be\n');
  });

  it('sample-data --force never clears a data directory a live daemon holds (exit 2 naming the holder; its journal kept)', async () => {
    const data = path.join(dir, 'held');
    const journal = path.join(data, 'journal', 'date=2026-12-06', 'ch=fill', '22.ndjson');
    mkdirSync(path.dirname(journal), { recursive: true });
    writeFileSync(journal, '{"accepted":"fill"}\n');
    mkdirSync(path.join(data, 'state'), { recursive: true });
    // This process is alive: the lock reads as a running daemon's.
    writeFileSync(path.join(data, 'state', 'daemon.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since_ms: 0 }) + '\n');
    const r = await run(['sample-data', '--out', data, '--force', '--hours', '0.05', '--no-compact']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`sample-data: data directory ${data} is in use by pid ${process.pid}`);
    expect(existsSync(journal)).toBe(true);
    expect(readFileSync(path.join(data, 'state', 'daemon.lock'), 'utf8')).toContain(`"pid":${process.pid}`);
  });
  it('a negative --seed is a usage error naming it (exit 2), as app.seed and helios sim refuse it: soak, sample-data', async () => {
    const soak = await run(['soak', '--minutes', '5', '--seed', '-3']);
    expect(soak.code).toBe(2);
    expect(soak.err).toBe('helios soak: --seed expects a whole number ≥ 0; got "-3"\n');
    const sample = await run(['sample-data', '--out', path.join(dir, 'seeded'), '--hours', '0.05', '--no-compact', '--seed', '-4']);
    expect(sample.code).toBe(2);
    expect(sample.err).toBe('sample-data: --seed expects a whole number ≥ 0; got "-4"\n');
  });
});
