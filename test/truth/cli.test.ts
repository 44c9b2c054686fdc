import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/truth/', import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const io = {
    code: 0,
    env: {} as NodeJS.ProcessEnv,
    out: (t: string) => void (out += t),
    err: (t: string) => void (err += t),
    exit(code: number) {
      io.code = code;
    },
  };
  const code = await main(argv, io);
  return { code, out, err, lines: out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('helios truth replay', () => {
  it('prints one line per truth change, in the issue format, on the reports\' own time', async () => {
    const r = await run(['truth', 'replay', fixture('faze-illwill.ndjson')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const line of r.lines) expect(Object.keys(line)).toEqual(['ts', 'match_id', 'state', 'winner', 'confidence', 'implied_p']);
    expect(r.lines.map((l) => [String(l.ts).slice(11, 19), l.state, l.winner, l.confidence, l.implied_p])).toEqual([
      ['15:09:00', 'scheduled', null, 0.97, null],
      ['15:10:00', 'live', null, 0.97, null],
      ['15:10:04', 'live', null, 0.994, null],
      ['15:10:40', 'live', null, 0.994, { FaZe: 0.725, illwill: 0.275 }],
      ['15:10:42', 'live', null, 0.9988, { FaZe: 0.725, illwill: 0.275 }],
      ['15:11:00', 'effectively_final', 'FaZe', 0.97, { FaZe: 0.99, illwill: 0.01 }],
      ['15:11:03', 'effectively_final', 'FaZe', 0.994, { FaZe: 0.99, illwill: 0.01 }],
      ['15:11:30', 'invalidated', null, 0.97, null],
      ['15:12:30', 'disputed', null, 0, null],
      ['15:13:00', 'effectively_final', 'FaZe', 0.9988, { FaZe: 0.99, illwill: 0.01 }],
    ]);
  });

  it('reports bad lines on stderr with their line numbers and exits 1, still replaying the good ones', async () => {
    const r = await run(['truth', 'replay', fixture('bad-lines.ndjson')]);
    expect(r.code).toBe(1);
    const errs = r.err.trim().split('\n');
    expect(errs.map((e) => /: line (\d+):/.exec(e)?.[1])).toEqual(['2', '3', '5', '6', '7', '8', '9']);
    expect(errs[1]).toContain('not JSON');
    expect(errs[4]).toContain('winner "C" is not one of teams');
    expect(r.lines.map((l) => [l.match_id, l.state, l.winner])).toEqual([
      ['m2', 'live', null],
      ['m2', 'pending_final', 'B'],
    ]);
  });

  it('reads thresholds from --config', async () => {
    const r = await run(['truth', 'replay', fixture('faze-illwill.ndjson'), '--config', fixture('two-sources-needed.yaml')]);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => l.state)).toEqual([
      'scheduled', 'live', 'live', 'live', 'live', 'pending_final', 'pending_final', 'invalidated', 'disputed', 'effectively_final',
    ]);
  });

  it('is deterministic', async () => {
    const a = await run(['truth', 'replay', fixture('faze-illwill.ndjson')]);
    const b = await run(['truth', 'replay', fixture('faze-illwill.ndjson')]);
    expect(b.out).toBe(a.out);
  });

  it('fires timers between reports: a silent feed goes stale at its deadline', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-truth-'));
    const file = path.join(dir, 'silent.ndjson');
    writeFileSync(
      file,
      [
        '{"ts":"2026-04-05T15:00:00Z","source":"polymarket_sports","match_id":"m","status":"running","winner":null,"score":null,"teams":["A","B"]}',
        '{"ts":"2026-04-05T15:05:00Z","source":"polymarket_sports","match_id":"m","status":"running","winner":null,"score":null,"teams":["A","B"]}',
      ].join('\n'),
    );
    const r = await run(['truth', 'replay', file]);
    expect(r.lines.map((l) => [String(l.ts).slice(11, 19), l.state])).toEqual([
      ['15:00:00', 'live'],
      ['15:00:30', 'stale'],
      ['15:05:00', 'live'],
    ]);
  });

  it('exits 2 on a missing file or a bad config', async () => {
    expect((await run(['truth', 'replay', fixture('absent.ndjson')])).code).toBe(2);
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-truth-'));
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'truth_engine:\n  required_sources_for_final: 1\n');
    const r = await run(['truth', 'replay', fixture('faze-illwill.ndjson'), '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('truth_engine.required_sources_for_final');
  });
});
