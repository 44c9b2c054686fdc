import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePort } from '../../src/cli/port-option.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-ports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Values Number() would have taken as a port ('' as 0, '0x10' as 16, ' 8' as 8, '1e3' as 1000) or a socket cannot have. */
const BAD_PORTS = ['99999', '65536', '1.5', '-1', '', '0x10', ' 8', '1e3', 'abc'];

/** Each command that takes a port: its argv around the bad value, and how its messages start. */
const COMMANDS: Array<{ name: string; prefix: string; flag: string; argv: (port: string) => string[] }> = [
  { name: 'run', prefix: 'helios run: ', flag: '--port', argv: (p) => ['run', '--port', p, '--duration', '1'] },
  { name: 'start', prefix: 'helios run: ', flag: '--port', argv: (p) => ['start', '--port', p, '--duration', '1'] },
  { name: 'capture', prefix: 'helios capture: ', flag: '--port', argv: (p) => ['capture', '--out', path.join(dir, 'capture'), '--port', p, '--duration', '1'] },
  { name: 'sim', prefix: 'helios sim: ', flag: '--port', argv: (p) => ['sim', '--port', p, '--duration', '1'] },
  { name: 'playback', prefix: 'helios playback: ', flag: '--port', argv: (p) => ['playback', dir, '--port', p, '--duration', '1'] },
  { name: 'clob-standin', prefix: 'helios clob-standin: ', flag: '--port', argv: (p) => ['clob-standin', '--port', p, '--duration', '1'] },
  { name: 'clob-standin', prefix: 'helios clob-standin: ', flag: '--clob-port', argv: (p) => ['clob-standin', '--clob-port', p, '--duration', '1'] },
  { name: 'replay', prefix: 'replay: ', flag: '--port', argv: (p) => ['replay', '--serve', '--data-dir', dir, '--port', p] },
];

describe('every command that takes a port reads it by one rule and says so in one message', () => {
  it.each(COMMANDS)('$name $flag: anything but plain digits 0–65535 exits 2 naming the flag and the value', async ({ prefix, flag, argv }) => {
    for (const port of BAD_PORTS) {
      const r = await runCli(argv(port));
      expect(r.code, JSON.stringify(port)).toBe(2);
      expect(r.err).toBe(`${prefix}${flag} expects a whole number 0–65535 (0: any free port); got ${JSON.stringify(port)}\n`);
      expect(r.out).toBe('');
    }
  });

  it('capture refuses a bad --port before it makes its capture directory', async () => {
    const out = path.join(dir, 'never-made');
    expect((await runCli(['capture', '--out', out, '--port', '0x10', '--duration', '1'])).code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('takes plain digits from 0 (any free port) to 65535', () => {
    expect([parsePort('0'), parsePort('8787'), parsePort('65535')]).toEqual([0, 8787, 65535]);
  });
});
