import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { syntheticMarketSpecs } from '../../src/sim/venue/synthetic-markets.ts';
import { main } from '../../src/cli/main.ts';
import { CHECK_NAMES, checkVenueDate } from '../../src/apps/daemon/startup-checklist.ts';
import { captureIo } from '../support/cli.ts';
import { childEnv, HeliosProcess } from './support/helios-process.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'helios-cli-'));
  dirs.push(d);
  return d;
}

function configFile(yaml: string): string {
  const f = path.join(tempDir(), 'config.yaml');
  writeFileSync(f, yaml);
  return f;
}

/** In-process runs log nothing (the daemon's logger writes to this process's stdout). */
const QUIET = { HELIOS_LOG__LEVEL: 'silent' };

const MACHINE_NAMES = ['feed-connection', 'market-group', 'market-trading', 'station-qc', 'supervisor', 'system', 'truth'];

describe('helios inspect', () => {
  it('--list names every machine', async () => {
    const io = captureIo();
    expect(await main(['inspect', '--list'], io)).toBe(0);
    const names = io
      .stdout()
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(MACHINE_NAMES);
  });

  it('--graph prints each machine as a Mermaid state diagram', async () => {
    for (const name of MACHINE_NAMES) {
      const io = captureIo();
      expect(await main(['inspect', '--graph', name], io), name).toBe(0);
      expect(io.stdout(), name).toMatch(/^stateDiagram-v2\n {2}\[\*\] --> /);
    }
    const io = captureIo();
    await main(['inspect', '--graph', 'market-trading'], io);
    for (const state of ['IDLE', 'BUILDING_PAIR', 'LOCKED_PAIR', 'TEMPORAL_ACTIVE', 'HALT', 'FINALIZING', 'RESOLVED']) expect(io.stdout()).toContain(`state "${state}" as`);
    const system = captureIo();
    await main(['inspect', '--graph', 'system'], system);
    expect(system.stdout()).toContain('system_running --> system_stopping: SHUTDOWN');
  });

  it('an unknown name exits 2 listing the known ones; no flag is a usage error', async () => {
    const io = captureIo();
    expect(await main(['inspect', '--graph', 'nope'], io)).toBe(2);
    expect(io.stderr()).toContain('no machine named "nope"');
    for (const name of MACHINE_NAMES) expect(io.stderr()).toContain(name);
    expect(await main(['inspect'], captureIo())).toBe(2);
  });
});

describe('helios healthcheck', () => {
  it('passes the start-up checklist against the loopback venue simulator (--json)', async () => {
    const io = captureIo();
    expect(await main(['healthcheck', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout()) as { ok: boolean; mode: string; checks: Array<{ name: string; status: string; detail: string }> };
    expect(report.ok).toBe(true);
    expect(report.mode).toBe('sim');
    expect(report.checks.map((c) => c.name)).toEqual([...CHECK_NAMES]);
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toEqual({
      configuration: 'pass',
      'clock: monotonic vs wall': 'pass',
      'clock: venue Date header': 'pass',
      'feeds connect': 'pass',
      'books arrive': 'pass',
      'caches warm': 'pass',
      'paper mode': 'pass',
      'wallet allowance': 'skip',
    });
    expect(report.checks.find((c) => c.name === 'books arrive')!.detail).toMatch(/^16\/16 books synced/);
  });

  it('fails (exit 1) when execution would not be paper, printing each item', async () => {
    const io = captureIo();
    expect(await main(['healthcheck', '--config', configFile('execution:\n  adapter: real\n')], io)).toBe(1);
    const lines = io.stdout().split('\n');
    expect(lines.find((l) => l.includes('paper mode'))).toMatch(/^FAIL\s+paper mode\s+execution\.adapter is real/);
    expect(lines.find((l) => l.includes('books arrive'))).toMatch(/^PASS/);
    expect(io.stdout()).toMatch(/healthcheck: 2 of 8 checks failed/);
  });

  it('fails (exit 1) on an invalid configuration and skips what needs one', async () => {
    const io = captureIo();
    expect(await main(['healthcheck', '--json', '--config', configFile('daemon:\n  bogus_key: 1\n')], io)).toBe(1);
    const report = JSON.parse(io.stdout()) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ name: 'configuration', status: 'fail' });
    expect(report.checks[0]!.detail).toContain('daemon');
    expect(report.checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
  });

  it('--live checks the configured venue endpoints (here a loopback venue) and skips what needs discovery', async () => {
    const venue = new VenueSimulator({ seed: 3, markets: syntheticMarketSpecs(1) });
    const { wsUrl, restUrl } = await venue.start();
    try {
      const io = captureIo();
      // Every source on loopback: --live also asks Gamma and AWC, which a venue simulator does not serve
      // (test/live/healthcheck-live.test.ts checks those against a playback).
      const loopback = `discovery:\n  gamma_url: ${restUrl}\nweather:\n  metar:\n    awc_base_url: ${restUrl}\ntruth_engine:\n  sources:\n    polymarket_sports:\n      ws_url: ${wsUrl}\n`;
      const code = await main(['healthcheck', '--live', '--json', '--config', configFile(`market_tape:\n  ws_url: ${wsUrl}\n  rest_url: ${restUrl}\n${loopback}`)], io);
      const report = JSON.parse(io.stdout()) as { mode: string; checks: Array<{ name: string; status: string }> };
      expect(report.mode).toBe('live');
      const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
      expect(status['clock: venue Date header']).toBe('pass');
      expect(status['feeds connect']).toBe('pass');
      expect(status['books arrive']).toBe('skip');
      expect(status['discovery: gamma']).toBe('fail');
      expect(code).toBe(1);
    } finally {
      await venue.stop();
    }
  });

  it('the venue clock check fails against a skewed Date header and skips an unreachable live venue', async () => {
    const server = createServer((_req, res) => {
      res.sendDate = false;
      res.writeHead(200, { date: new Date(Date.now() - 3_600_000).toUTCString() }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const skewed = await checkVenueDate(url, 2_000, 2_000, 'sim');
      expect(skewed.status).toBe('fail');
      expect(skewed.detail).toMatch(/our clock is 35\d\d\d\d\d ms outside its second/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    // The port was just released: nothing listens there now.
    expect((await checkVenueDate(url, 2_000, 2_000, 'live')).status).toBe('skip');
    expect((await checkVenueDate(url, 2_000, 2_000, 'sim')).status).toBe('fail');
  });
});

describe('helios sim', () => {
  it('serves the market channel to another client until --duration, then prints its counters', async () => {
    const io = captureIo();
    const done = main(['sim', '--port', '0', '--markets', '2', '--rate', '200', '--seed', '5', '--duration', '3'], io);
    const line = await vi.waitFor(() => {
      const found = io.stdout().split('\n').find((l) => l.startsWith('{"kind":"venue_sim"'));
      expect(found, 'the venue_sim line').toBeDefined();
      return found!;
    }, 10_000);
    const info = JSON.parse(line) as { ws_url: string; rest_url: string; markets: Array<{ market: string; yes: string; no: string }> };
    expect(info.ws_url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/market$/);
    expect(info.markets).toHaveLength(2);

    const token = info.markets[0]!.yes;
    const book = await (await fetch(`${info.rest_url}/book?token_id=${token}`)).json();
    expect(book).toMatchObject({ asset_id: token });

    const ws = new WebSocket(info.ws_url);
    const frames: string[] = [];
    ws.on('message', (d) => frames.push(d.toString()));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ assets_ids: [token], type: 'market' }));
    const first = await vi.waitFor(() => {
      const found = frames.find((f) => f.includes(token));
      expect(found, 'a frame about the token').toBeDefined();
      return found!;
    }, 5_000);
    expect(first).toContain('"event_type"');
    ws.close();

    expect(await done).toBe(0);
    const stopped = JSON.parse(io.stdout().trim().split('\n').at(-1)!) as { kind: string; steps: number; connections_opened: number };
    expect(stopped.kind).toBe('venue_sim_stopped');
    expect(stopped.steps).toBeGreaterThan(0);
    expect(stopped.connections_opened).toBe(1);
  });

  it('stops cleanly on SIGTERM (child process)', async () => {
    const sim = new HeliosProcess(['sim', '--port', '0', '--markets', '1'], childEnv());
    await sim.waitForLine(/^\{"kind":"venue_sim"/, 15_000);
    sim.kill('SIGTERM');
    expect((await sim.exited).code).toBe(0);
    expect(sim.jsonOfKind('venue_sim_stopped')).toHaveLength(1);
  });

  it('refuses bad numbers with exit 2', async () => {
    const io = captureIo();
    expect(await main(['sim', '--markets', '0'], io)).toBe(2);
    expect(io.stderr()).toContain('--markets');
  });
});

describe('helios run', () => {
  it('refuses --live with execution.adapter real but no HELIOS_CONFIRM_REAL_ORDERS (exit 4, naming what is missing)', async () => {
    const io = captureIo(QUIET);
    const code = await main(['run', '--live', '--port', '0', '--data-dir', tempDir(), '--config', configFile('execution:\n  adapter: real\n')], io);
    expect(code).toBe(4);
    expect(io.stderr()).toMatch(/refused: real orders need HELIOS_CONFIRM_REAL_ORDERS=yes in the environment; HELIOS_POLY_PRIVATE_KEY/);
  });

  it('--duration stops cleanly and prints the run summary', async () => {
    // A morning of the station's day: its next judge day's buckets are not listed yet (they are at noon).
    const io = captureIo({ ...QUIET, HELIOS_DAEMON__SIM__START_AT: '2026-12-08T08:00:00-05:00' });
    expect(await main(['run', '--duration', '3', '--port', '0', '--data-dir', tempDir(), '--speed', '20'], io)).toBe(0);
    const summary = JSON.parse(io.stdout().trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(['kind', 'markets', 'tokens_synced', 'orders', 'fills', 'realized_pnl', 'reconnects', 'resyncs', 'errors', 'unconfirmed_fills_carried']);
    expect(summary).toMatchObject({ kind: 'run_summary', markets: 8, errors: 0 });
  });

  it('exits 3 when a component keeps failing past the restart intensity (supervision escalation)', async () => {
    // The world component cannot start: its station's nowcast model file does not exist.
    const config = configFile(
      [
        'daemon:',
        '  restart: { max_restarts: 1, window_ms: 60000, backoff_min_ms: 10, backoff_max_ms: 20 }',
        'weather:',
        '  stations:',
        '    - { id: KLGA, tz: America/New_York, pws: [KNYNEWYO1542], model_path: /nonexistent/helios-model.json }',
        '',
      ].join('\n'),
    );
    const io = captureIo(QUIET);
    expect(await main(['run', '--config', config, '--port', '0', '--data-dir', tempDir(), '--speed', '20'], io)).toBe(3);
    expect(io.stdout()).toMatch(/"kind":"run_summary"/);
  });

  it('rejects bad scale-out options with exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--role', 'bogus'], /--role expects one of all, feeds, trading/],
      [['--role', 'trading', '--redis', 'redis://127.0.0.1:1', '--shard', '2/2'], /--shard expects i\/n/],
      [['--shard', '0/2', '--redis', 'redis://127.0.0.1:1'], /--shard applies to --role trading/],
      [['--role', 'trading'], /--role trading needs --redis URL/],
    ];
    for (const [args, message] of cases) {
      const io = captureIo(QUIET);
      expect(await main(['run', '--port', '0', '--data-dir', tempDir(), ...args], io), args.join(' ')).toBe(2);
      expect(io.stderr()).toMatch(message);
    }
  });

  it('accepts a shard only in its canonical spelling i/n, naming a malformed one and the expected form (exit 2)', async () => {
    for (const bad of ['01/2', '1/02', ' 1/2', '1/2 ', '+1/2', '1.0/2', '0x1/2', '1/2/3', '-1/2', '2/2', '1/0']) {
      const io = captureIo(QUIET);
      expect(await main(['run', '--port', '0', '--data-dir', tempDir(), '--role', 'trading', '--redis', 'redis://127.0.0.1:1', '--shard', bad], io), bad).toBe(2);
      expect(io.stderr()).toContain('--shard expects i/n, two decimal whole numbers without sign or leading zeros, 0 <= i < n');
      expect(io.stderr()).toContain(`got ${JSON.stringify(bad)}`);
    }
  });
});
