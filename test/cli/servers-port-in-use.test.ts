import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { CaptureRecorder } from '../../src/adapters/capture/recorder.ts';
import { runCli } from '../support/cli.ts';
import { holdPort } from '../support/held-port.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-servers-port-in-use-'));
const capture = path.join(dir, 'capture');
let port: number;
let release: () => Promise<void>;

beforeAll(async () => {
  ({ port, release } = await holdPort());
  // An empty capture is a capture: playback reaches its listen.
  await new CaptureRecorder({ dir: capture, clock: new SystemClock(), sources: {}, heliosVersion: 'test', note: 'port in use' }).close();
});
afterAll(async () => {
  await release();
  rmSync(dir, { recursive: true, force: true });
});

const held = (server: string, flag: string) =>
  `${server} cannot listen on 127.0.0.1:${port}: address already in use (another process listens there); the port is set by ${flag}: stop the process that holds it or choose another port (0: any free port)\n`;

// As `helios run` (test/cli/run-port-in-use.test.ts): a port another process holds fails every
// restart, so it is a usage error (2, which systemd leaves down), not a runtime failure (3, restarted forever).
describe('the loopback servers with their port held by another process exit 2 naming the address and the option', () => {
  it('helios sim --port', async () => {
    const r = await runCli(['sim', '--port', String(port), '--duration', '1']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(`helios sim: ${held('the venue simulator', '--port')}`);
    expect(r.out).toBe('');
  });

  it('helios playback --port', async () => {
    const r = await runCli(['playback', capture, '--port', String(port), '--duration', '1']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(`helios playback: ${held('the playback server', '--port')}`);
    expect(r.out).toBe('');
  });

  it('helios replay --serve --port, and api.port when no --port is given', async () => {
    const data = path.join(dir, 'data');
    mkdirSync(data, { recursive: true });
    const range = ['--from', '2025-07-15T00:00:00Z', '--to', '2025-07-15T01:00:00Z'];
    const r = await runCli(['replay', '--data-dir', data, ...range, '--serve', '--port', String(port), '--exit-at-end']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(`replay: ${held('the replay server', '--port')}`);
    const config = path.join(dir, 'replay.yaml');
    writeFileSync(config, `api:\n  port: ${port}\n`);
    const c = await runCli(['replay', '--config', config, '--data-dir', data, ...range, '--serve', '--exit-at-end']);
    expect(c.code, c.err).toBe(2);
    expect(c.err).toBe(`replay: ${held('the replay server', 'api.port (the config file or HELIOS_API__PORT; --port overrides it)')}`);
  });

  it('helios clob-standin --port (the venue simulator)', async () => {
    const r = await runCli(['clob-standin', '--port', String(port), '--duration', '1']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(`helios clob-standin: ${held('the venue simulator', '--port')}`);
    expect(r.out).toBe('');
  });

  it('helios clob-standin --clob-port (the stand-in CLOB, once the venue listens)', async () => {
    const r = await runCli(['clob-standin', '--clob-port', String(port), '--duration', '1']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(`helios clob-standin: ${held('the stand-in CLOB', '--clob-port')}`);
    expect(r.out).toBe('');
  });
});
