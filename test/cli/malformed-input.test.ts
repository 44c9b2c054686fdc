/**
 * Bad input to the CLI is reported with its line and skipped, never a crash: a truth report before
 * 1970, market frames with negative or absurd timestamps, malformed journal lines under
 * `replay --decisions-out`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-malformed-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;

describe('helios truth replay', () => {
  it('reports a report dated before 1970 with its line, replays the valid lines, exits 1', async () => {
    const report = (ts: string, status: string) =>
      JSON.stringify({ ts, source: 'grid', match_id: 'm1', status, winner: null, score: status === 'running' ? '0-0' : null, teams: ['A', 'B'] });
    const file = path.join(dir, 'pre-1970.ndjson');
    writeFileSync(file, [report('2026-04-05T15:09:00Z', 'not_started'), report('1969-12-31T23:59:59Z', 'running'), report('2026-04-05T15:10:00Z', 'running')].join('\n') + '\n');
    const r = await run(['truth', 'replay', file]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${file}: line 2: ts: before 1970-01-01T00:00:00Z: 1969-12-31T23:59:59Z\n`);
    const states = r.out.trim().split('\n').map((l) => (JSON.parse(l) as { state: string }).state);
    expect(states).toEqual(['scheduled', 'live']);
  });
});

describe('helios tape decode', () => {
  it('refuses negative and absurd timestamps as malformed, decoding the rest', async () => {
    const book = (timestamp: string) =>
      JSON.stringify({ event_type: 'book', asset_id: '111', market: '0xm1', bids: [{ price: '0.45', size: '10' }], asks: [{ price: '0.55', size: '10' }], timestamp, hash: 'h' });
    const change = (timestamp: string) =>
      JSON.stringify({ event_type: 'price_change', market: '0xm1', timestamp, price_changes: [{ asset_id: '111', price: '0.46', size: '5', side: 'BUY' }] });
    const file = path.join(dir, 'timestamps.ndjson');
    writeFileSync(file, [book('1757908892351'), book('-1'), change('-1757908892351'), change('1757908892351000'), book('1e300'), change('1757908892352')].join('\n') + '\n');
    const r = await run(['tape', 'decode', file]);
    expect(r.code).toBe(1);
    const errs = r.err.trim().split('\n');
    expect(errs.map((e) => /:(\d+): malformed \(invalid_field\): timestamp: expected epoch milliseconds/.exec(e)?.[1])).toEqual(['2', '3', '4', '5']);
    const kinds = r.out.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string; timestamp?: number }));
    expect(kinds.map((k) => [k.kind, k.timestamp])).toEqual([
      ['book', 1757908892351],
      ['price_change', 1757908892352],
      ['book_summary', undefined],
    ]);
  });
});

describe('helios replay --decisions-out', () => {
  it('reports malformed journal lines with file and line, as plain replay does, and exits 1', async () => {
    const data = path.join(dir, 'sample');
    const made = await run(['sample-data', '--out', data, '--start', '2025-07-15T16:00:00.000Z', '--hours', '0.05', '--set', 'weather.nowcast.simulated_fit_days=30']);
    expect(made.code, made.err).toBe(0);
    const l2 = path.join(data, 'journal', 'date=2025-07-15', 'ch=l2', '16.ndjson');
    const lines = readFileSync(l2, 'utf8').split('\n');
    lines[2] = 'garbage{ not json';
    writeFileSync(l2, lines.join('\n'));
    const range = ['--data-dir', data, '--from', '2025-07-15T16:00:00Z', '--to', '2025-07-15T16:03:00Z'];
    const plain = await run(['replay', ...range]);
    const decisions = await run(['replay', ...range, '--decisions-out', path.join(dir, 'decisions.ndjson')]);
    const expected = `replay: malformed line ${l2}:3 skipped\n`;
    expect(plain.err).toBe(expected);
    expect(plain.code).toBe(1);
    expect(decisions.err).toBe(expected);
    expect(decisions.code).toBe(1);
  });
});
