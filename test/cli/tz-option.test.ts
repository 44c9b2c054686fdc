import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-tz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const archive = path.join(dir, 'kjfk.txt');
writeFileSync(archive, 'KJFK 151551Z 20010KT 10SM FEW050 30/20 A2992 RMK AO2 SLP132 T03000200\n');
const MESSAGE = '--tz expects an IANA time zone (e.g. America/New_York); got "Mars/Olympus"\n';

describe('a --tz that is not an IANA zone exits 2 naming the flag and the value', () => {
  it.each([
    ['metar daily', ['metar', 'daily', archive, '--station', 'KJFK', '--tz', 'Mars/Olympus'], 'helios metar: '],
    ['nowcast fit', ['nowcast', 'fit', '--archive', archive, '--station', 'KJFK', '--tz', 'Mars/Olympus', '--out', path.join(dir, 'model.json')], 'helios nowcast: '],
    ['nowcast eval', ['nowcast', 'eval', '--model', path.join(dir, 'none.json'), '--archive', archive, '--station', 'KJFK', '--tz', 'Mars/Olympus'], 'helios nowcast: '],
    ['nowcast eval --rolling', ['nowcast', 'eval', '--rolling', '--archive', archive, '--station', 'KJFK', '--tz', 'Mars/Olympus'], 'helios nowcast: '],
  ])('%s', async (_name, argv, prefix) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toBe(prefix + MESSAGE);
    expect(r.out).toBe('');
  });
});
