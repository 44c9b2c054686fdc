import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';

describe('helios soak usage errors (exit 2, nothing started)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'helios-soak-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown fault class', ['--faults', 'frame_drop,meteor'], /unknown fault class "meteor"/],
    ['redis_kill without --redis', ['--faults', 'redis_kill'], /redis_kill needs --redis without a URL/],
    // The user's server is never the soak's to kill.
    ['redis_kill on the Redis at a URL', ['--faults', 'redis_kill', '--redis', 'redis://127.0.0.1:6379'], /redis_kill needs --redis without a URL: the soak then starts its own redis-server/],
    // --minutes 0.2 --faults ws_disconnect used to inject nothing and pass.
    ['a duration too short for the requested classes', ['--minutes', '0.2', '--faults', 'ws_disconnect'], /--minutes 0\.2 is too short to inject every requested fault class \(ws_disconnect\).*at least --minutes 0\.5/],
    ['a duration too short for a kill', ['--minutes', '0.75', '--faults', 'daemon_kill,frame_drop'], /at least --minutes 1\b/],
    // paper_fill_failed needs a trading opportunity after the first checkpoint: the class is named.
    ['a duration too short for a planned trade', ['--minutes', '0.5', '--faults', 'paper_fill_failed,frame_drop'], /too short.*at least --minutes [\d.]+; cannot be scheduled in it: paper_fill_failed$/m],
    // Every class with real execution: three opportunities after the forced faults' HALT cool-down, the kills after them.
    ['a real-execution soak of every class shorter than its plan', ['--minutes', '2', '--execution', 'real', '--seed', '42'], /--minutes 2 is too short.*at least --minutes 2\.75/],
    ['a redis-server that cannot be run', ['--redis'], /cannot be run/],
    ['a CLOB fault class without real execution', ['--faults', 'clob_matched_failed'], /clob_matched_failed needs --execution real/],
    ['paper_fill_failed with real execution', ['--faults', 'paper_fill_failed', '--execution', 'real'], /paper_fill_failed needs paper execution/],
    ['an unknown execution mode', ['--execution', 'live'], /--execution expects paper or real/],
    ['a bad number of minutes', ['--minutes', '-3'], /--minutes expects a positive number/],
    ['a seed that is not an integer', ['--seed', '1.5'], /--seed expects a whole number ≥ 0/],
    ['a --redis that is not a URL', ['--redis', 'localhost:6379'], /--redis expects a redis:\/\/ URL/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, async () => {
      const io = captureIo({ HELIOS_SOAK__REDIS_SERVER: path.join(dir, 'no-such-redis-server') });
      expect(await main(['soak', ...args, '--data-dir', path.join(dir, 'unused')], io)).toBe(2);
      expect(io.stderr()).toMatch(message);
      expect(io.stdout()).toBe('');
    });
  }

  it('refuses a data directory that already holds a journal (it would be judged as part of the soak)', async () => {
    const used = path.join(dir, 'used');
    mkdirSync(path.join(used, 'journal', 'date=2026-11-21'), { recursive: true });
    writeFileSync(path.join(used, 'journal', 'date=2026-11-21', 'x'), '');
    const io = captureIo();
    expect(await main(['soak', '--data-dir', used], io)).toBe(2);
    expect(io.stderr()).toMatch(/already holds a journal/);
  });
});
