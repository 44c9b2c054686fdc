import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { holdPort } from '../support/held-port.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-port-in-use-'));
let port: number;
let release: () => Promise<void>;

beforeAll(async () => {
  ({ port, release } = await holdPort());
});
afterAll(async () => {
  await release();
  rmSync(dir, { recursive: true, force: true });
});

// systemd stays down on exit 2 (RestartPreventExitStatus=2 4): a port another process holds would
// fail every restart, as a data directory another daemon holds does.
describe('helios run with its API port held by another process', () => {
  it('--port: exits 2 naming the address and the option', async () => {
    const r = await runCli(['run', '--port', String(port), '--data-dir', path.join(dir, 'by-option'), '--duration', '1']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(
      `helios run: the API cannot listen on 127.0.0.1:${port}: address already in use (another process listens there); the port is set by --port: stop the process that holds it or choose another port (0: any free port)\n`,
    );
  });

  it('api.port from a config file: exits 2 naming the config key', async () => {
    const config = path.join(dir, 'helios.yaml');
    writeFileSync(config, `api:\n  port: ${port}\n`);
    const r = await runCli(['run', '--config', config, '--data-dir', path.join(dir, 'by-config'), '--duration', '1']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`helios run: the API cannot listen on 127.0.0.1:${port}: address already in use`);
    expect(r.err).toContain('the port is set by api.port (the config file or HELIOS_API__PORT; --port overrides it)');
  });

  it('HELIOS_API__PORT: exits 2 naming the config key', async () => {
    const r = await runCli(['run', '--data-dir', path.join(dir, 'by-env'), '--duration', '1'], { HELIOS_API__PORT: String(port) });
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`the API cannot listen on 127.0.0.1:${port}: address already in use`);
    expect(r.err).toContain('the port is set by api.port');
  });
});
