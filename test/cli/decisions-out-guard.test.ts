import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordedDataOverwrite } from '../../src/adapters/storage/recorded-data.ts';
import { runCli } from '../support/cli.ts';

const root = mkdtempSync(path.join(tmpdir(), 'helios-decisions-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const data = path.join(root, 'data');
const dispatchLog = path.join(data, 'dispatch', 'session-000000001.ndjson');
const journalHour = path.join(data, 'journal', 'date=2025-07-15', 'ch=order', '14.ndjson');
const RECORDED = '{"recorded":true}\n';
for (const file of [dispatchLog, journalHour]) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, RECORDED);
}

describe('--decisions-out never overwrites recorded data (exit 2 before anything runs)', () => {
  it('replay refuses the dispatch log it would replay, named by an absolute or a relative path', async () => {
    for (const out of [dispatchLog, path.relative(process.cwd(), dispatchLog)]) {
      const r = await runCli(['replay', '--data-dir', data, '--decisions-out', out]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`replay: --decisions-out ${out} lies inside ${path.join(data, 'dispatch')}`);
      expect(r.err).toContain('would overwrite recorded data');
      expect(readFileSync(dispatchLog, 'utf8')).toBe(RECORDED);
    }
  });

  it('backtest refuses a journal file, also reached through a symbolic link', async () => {
    const link = path.join(root, 'link-to-journal');
    symlinkSync(path.join(data, 'journal'), link);
    for (const out of [journalHour, path.join(link, 'date=2025-07-15', 'ch=order', '14.ndjson')]) {
      const r = await runCli(['backtest', '--data-dir', data, '--from', '2025-07-15T14:00:00Z', '--to', '2025-07-15T15:00:00Z', '--decisions-out', out]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`backtest: --decisions-out ${out} lies inside ${path.join(data, 'journal')}`);
      expect(readFileSync(journalHour, 'utf8')).toBe(RECORDED);
    }
  });

  it('run refuses a file under its own data directory state/ (with --data-dir)', async () => {
    const out = path.join(data, 'state', 'decisions.ndjson');
    const r = await runCli(['run', '--data-dir', data, '--decisions-out', out, '--duration', '1', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`helios run: --decisions-out ${out} lies inside ${path.join(data, 'state')}`);
    expect(r.out).toBe('');
  });

  it('sweep --out refuses a journal hour it would overwrite with its ranking (exit 2, before any backtest runs)', async () => {
    const grid = path.join(root, 'grid.json');
    writeFileSync(grid, JSON.stringify({ grid: { 'trading.temporal.edge_threshold': [0.04] } }));
    const r = await runCli(['sweep', '--grid', grid, '--data-dir', data, '--from', '2025-07-15T14:00:00Z', '--to', '2025-07-15T15:00:00Z', '--workers', '0', '--out', journalHour]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`sweep: --out ${journalHour} lies inside ${path.join(data, 'journal')}`);
    expect(readFileSync(journalHour, 'utf8')).toBe(RECORDED);
  });

  it('backtest --out refuses a report directory inside a recorded folder (exit 2, before the backtest runs)', async () => {
    const out = path.join(data, 'journal', 'date=2025-07-15');
    const r = await runCli(['backtest', '--data-dir', data, '--from', '2025-07-15T14:00:00Z', '--to', '2025-07-15T15:00:00Z', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`backtest: --out ${out} lies inside ${path.join(data, 'journal')}`);
  });

  it('a file beside the recorded folders, or in one merely named alike, is fine', () => {
    for (const ok of ['decisions.ndjson', 'journal-decisions.ndjson', 'backtests/x/decisions.ndjson', '../elsewhere.ndjson']) {
      expect(recordedDataOverwrite(path.join(data, ok), data)).toBeNull();
    }
    expect(recordedDataOverwrite(path.join(data, 'parquet', 'new', 'deep.ndjson'), data)).toMatch(/the Parquet lake/);
    expect(recordedDataOverwrite(path.join(data, 'parquet'), data)).toMatch(/the Parquet lake/);
  });
});
