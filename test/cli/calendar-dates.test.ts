import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDateString } from '../../src/adapters/storage/layout.ts';
import { parseTime } from '../../src/cli/replay-options.ts';
import { runCli } from '../support/cli.ts';

const root = mkdtempSync(path.join(tmpdir(), 'helios-calendar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const data = path.join(root, 'data');
mkdirSync(data);

describe('a date the calendar does not have is a usage error, not a rolled-over range', () => {
  it('parseTime refuses impossible days and keeps every ISO form it accepted', () => {
    for (const bad of ['2026-02-30T00:00:00Z', '2026-11-31T14:10:00Z', '2026-02-30', '2025-02-29T10:00+02:00', '2026-04-31T00:00']) expect(parseTime(bad)).toBeNaN();
    const accepted: Array<[string, string]> = [
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['2026-11-30T14:10Z', '2026-11-30T14:10:00.000Z'],
      ['2026-11-30T14:10:05Z', '2026-11-30T14:10:05.000Z'],
      ['2026-11-30T14:10:05.250Z', '2026-11-30T14:10:05.250Z'],
      ['2026-11-30T14:10', '2026-11-30T14:10:00.000Z'],
      ['2026-11-30T14:10:00+05:30', '2026-11-30T08:40:00.000Z'],
      ['2026-11-30T23:10:00-0400', '2026-12-01T03:10:00.000Z'],
      ['1772409600000', '2026-03-02T00:00:00.000Z'],
    ];
    for (const [text, iso] of accepted) expect(new Date(parseTime(text)).toISOString()).toBe(iso);
    // The same calendar as compact --date and retention --today.
    expect(isDateString('2026-02-30')).toBe(false);
    expect(isDateString('2024-02-29')).toBe(true);
  });

  it('replay and backtest exit 2 naming the flag and the value', async () => {
    const r = await runCli(['replay', '--data-dir', data, '--from', '2026-02-30T00:00:00Z', '--to', '2026-03-03T00:00:00Z']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('replay: --from: not a calendar date: 2026-02-30T00:00:00Z\n');
    const b = await runCli(['backtest', '--data-dir', data, '--from', '2026-11-30T14:10:00Z', '--to', '2026-11-31T14:10:00Z']);
    expect(b.code).toBe(2);
    expect(b.err).toBe('backtest: --to: not a calendar date: 2026-11-31T14:10:00Z\n');
    const junk = await runCli(['replay', '--data-dir', data, '--from', 'yesterday', '--to', '2026-03-03T00:00:00Z']);
    expect(junk.err).toBe('replay: --from: not an ISO time: yesterday\n');
  });

  it('sweep exits 2 on a grid file whose from is not a calendar date', async () => {
    const grid = path.join(root, 'grid.yaml');
    writeFileSync(grid, `grid:\n  trading.temporal.edge_threshold: [0.04]\ndata_dir: ${data}\nfrom: 2026-11-31T14:10:00Z\nto: 2026-12-02T00:00:00Z\n`);
    const s = await runCli(['sweep', '--grid', grid, '--workers', '0']);
    expect(s.code).toBe(2);
    expect(s.err).toBe(`sweep: ${grid}: from: not a calendar date: 2026-11-31T14:10:00Z\n`);
  });

  it('nowcast fit and eval exit 2 naming the option and value of a day or month the calendar does not have, before reading any file', async () => {
    const model = path.join(root, 'no-model.json');
    const archive = path.join(root, 'no-archive.csv');
    const cases: Array<[string[], string]> = [
      [['--from', '2020-02-30'], '--from: not a calendar date: 2020-02-30'],
      [['--to', '2021-04-31'], '--to: not a calendar date: 2021-04-31'],
      [['--to', '2021/04/01'], '--to: expected YYYY-MM-DD: 2021/04/01'],
      [['--date', '2024-02-30'], '--date: not a calendar date: 2024-02-30'],
      [['--months', '2020-01,2020-13'], '--months: not a calendar month: 2020-13'],
      [['--months', '2020-1'], '--months: expected YYYY-MM: 2020-1'],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['nowcast', 'eval', '--model', model, '--station', 'KSIM', '--archive', archive, ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.err).toBe(`helios nowcast: ${message}\n`);
    }
    const rolling = await runCli(['nowcast', 'eval', '--rolling', '--station', 'KSIM', '--archive', archive, '--tz', 'America/New_York', '--months', '2020-00']);
    expect([rolling.code, rolling.err]).toEqual([2, 'helios nowcast: --months: not a calendar month: 2020-00\n']);
    const fit = await runCli(['nowcast', 'fit', '--archive', archive, '--station', 'KSIM', '--tz', 'America/New_York', '--out', model, '--exclude-months', '2024-13']);
    expect([fit.code, fit.err]).toEqual([2, 'helios nowcast: --exclude-months: not a calendar month: 2024-13\n']);
  });
});
