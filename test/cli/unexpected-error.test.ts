import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';

/** A standard output that fails every write (a full disk behind `> file`): an error no command foresees. */
function failingStdout(env: NodeJS.ProcessEnv) {
  const io = captureIo(env);
  io.out = () => {
    throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
  };
  return io;
}

describe('an unexpected error: one line saying what failed and what to do, the stack only when asked', () => {
  it('prints one line naming the command and HELIOS_DEBUG, no stack, exit 3', async () => {
    const io = failingStdout({});
    const code = await main(['inspect', '--list'], io);
    expect(code).toBe(3);
    expect(io.stderr()).toBe('helios inspect: unexpected error: EIO: i/o error, write (rerun with HELIOS_DEBUG=1 for the stack trace; if it persists, report it with that output)\n');
  });

  it('adds the stack with HELIOS_DEBUG=1, and not with HELIOS_DEBUG=0', async () => {
    const debug = failingStdout({ HELIOS_DEBUG: '1' });
    expect(await main(['inspect', '--list'], debug)).toBe(3);
    const [first, ...rest] = debug.stderr().trimEnd().split('\n');
    expect(first).toMatch(/^helios inspect: unexpected error: EIO/);
    expect(rest[0]).toBe('Error: EIO: i/o error, write');
    expect(rest.some((l) => /^\s+at /.test(l))).toBe(true);

    const off = failingStdout({ HELIOS_DEBUG: '0' });
    await main(['inspect', '--list'], off);
    expect(off.stderr().split('\n').filter(Boolean)).toHaveLength(1);
  });
});
