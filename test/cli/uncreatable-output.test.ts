import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unwritableOutput } from '../../src/adapters/storage/output-path.ts';
import { makeDirectories } from '../../src/adapters/storage/make-directories.ts';

// /proc answers ENOENT to creating anything in it, which sends Node's recursive mkdir into an
// endless synchronous loop: these commands hung for good (SIGTERM was never handled). Each runs in
// a child process killed if it has not answered in time, so a hang fails the test, not the suite.
const procOk = existsSync('/proc/self');
const root = mkdtempSync(path.join(tmpdir(), 'helios-uncreatable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const data = path.join(root, 'data');
mkdirSync(path.join(data, 'journal'), { recursive: true });
const captureDir = path.join(root, 'capture');
mkdirSync(captureDir);
writeFileSync(path.join(captureDir, 'manifest.json'), '{}');
const grid = path.join(root, 'grid.json');
writeFileSync(grid, JSON.stringify({ grid: { 'trading.temporal.edge_threshold': [0.04] } }));
const RANGE = ['--from', '2025-07-15T14:00:00Z', '--to', '2025-07-15T15:00:00Z'];
const BIN = path.resolve('bin/helios.js');
const GIVE_UP_MS = 45_000;

function helios(args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), GIVE_UP_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

describe.skipIf(!procOk)('an output path nothing can be created at (/proc) is refused with exit 2, never hangs', () => {
  const cases: [string, string[], string][] = [
    ['backtest --out', ['backtest', '--data-dir', data, ...RANGE, '--out', '/proc/helios-x'], 'backtest: --out /proc/helios-x cannot be created'],
    ['backtest --decisions-out', ['backtest', '--data-dir', data, ...RANGE, '--decisions-out', '/proc/helios-x/d.ndjson'], 'backtest: --decisions-out /proc/helios-x/d.ndjson cannot be created'],
    ['replay --decisions-out', ['replay', '--data-dir', data, '--decisions-out', '/proc/helios-x/d.ndjson'], 'replay: --decisions-out /proc/helios-x/d.ndjson cannot be created'],
    ['sweep --out', ['sweep', '--grid', grid, '--data-dir', data, ...RANGE, '--workers', '0', '--out', '/proc/helios-x/r.json'], 'sweep: --out /proc/helios-x/r.json cannot be created'],
    ['run --decisions-out', ['run', '--data-dir', data, '--port', '0', '--duration', '1', '--decisions-out', '/proc/helios-x'], 'helios run: --decisions-out /proc/helios-x cannot be created'],
    ['run --data-dir', ['run', '--data-dir', '/proc/helios-x', '--port', '0', '--duration', '1'], 'helios run: data directory /proc/helios-x cannot be used'],
    ['sample-data --out', ['sample-data', '--out', '/proc/helios-x'], 'sample-data: data directory /proc/helios-x cannot be used'],
    ['capture --out', ['capture', '--out', '/proc/helios-x', '--duration', '1'], 'helios capture: --out /proc/helios-x cannot be created'],
    ['playback --overlay', ['playback', captureDir, '--overlay', '/proc/helios-x/o.yaml'], 'helios playback: --overlay /proc/helios-x/o.yaml cannot be created'],
    ['clob-standin --overlay', ['clob-standin', '--overlay', '/proc/helios-x/o.yaml', '--duration', '1'], 'helios clob-standin: --overlay /proc/helios-x/o.yaml cannot be created'],
    ['soak --data-dir', ['soak', '--minutes', '5', '--faults', 'ws_disconnect', '--data-dir', '/proc/helios-x'], 'helios soak: --data-dir /proc/helios-x cannot be created'],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await helios(args);
    expect(r.err).toContain(message);
    expect(r.code).toBe(2);
  }, GIVE_UP_MS + 10_000);

  it('the check tries creating (root passes every permission check, /proc creates nothing)', () => {
    expect(unwritableOutput('/proc/helios-x/y', 'directory')).toMatch(/nothing can be created in \/proc \(ENOENT\)/);
    expect(unwritableOutput(path.join(root, 'new', 'file.json'), 'file')).toBeNull();
  });

  it('makeDirectories fails where the recursive mkdir would loop, and makes every missing level elsewhere', () => {
    expect(() => makeDirectories('/proc/helios-x/y')).toThrow(/ENOENT/);
    makeDirectories(path.join(root, 'a', 'b', 'c'));
    expect(existsSync(path.join(root, 'a', 'b', 'c'))).toBe(true);
  });
});
