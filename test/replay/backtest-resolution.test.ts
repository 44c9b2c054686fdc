/**
 * Issue 21 item 3, last clause: the backtest scores a bucket market's recorded resolution (the
 * journal's MARKET_RESOLVED) rather than the judge maximum the METARs showed, and says which it
 * used. A synthetic recording where the two disagree: every METAR's judge maximum is 81 °F (the
 * 80–81 bucket), while the venue resolved the 82–83 bucket YES and the 80–81 bucket NO.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { writeMarketCatalog, type ReplayMarket } from '../../src/adapters/storage/market-catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { defaultBuckets } from '../../src/domain/weather/nowcast/buckets.ts';
import { runCli } from '../support/cli.ts';
import { makeRecorder } from '../storage/support/recorder.ts';
import { l2Snapshot, metarPayload } from '../storage/support/synthetic.ts';
import { tempDir, testConfig } from './support.ts';

const DAY = '2025-07-15';
const FROM_ISO = '2025-07-15T16:00:00.000Z';
const NO_RESOLVED_ISO = '2025-07-15T16:55:00.000Z';
const YES_RESOLVED_ISO = '2025-07-15T16:57:00.000Z';
const TO_ISO = '2025-07-15T17:00:00.000Z';
const JUDGE_MAX_F = 81;
const BUCKETS = defaultBuckets(JUDGE_MAX_F);
const M80 = '0x' + '80'.repeat(32);
const M82 = '0x' + '82'.repeat(32);

let dir: string;
let cleanup: () => void;

function bucketMarket(id: string, lo: number, yes: string, no: string): ReplayMarket {
  const label = BUCKETS.find((b) => b.lo_f === lo)!.label;
  return {
    spec: {
      market_id: id,
      yes_token: yes,
      no_token: no,
      tick_size: 0.01,
      min_order_size: 5,
      fee: testConfig().trading.default_fee,
      fair_source: { kind: 'nowcast', bucket_label: label, yes_token: yes, no_token: no },
      strategies: { pair_arb: true, temporal: true },
      admitted: true,
      admission_reason: null,
    },
    station_id: 'KLGA',
    match_id: null,
    bucket: { judge_day: DAY, lo_f: lo, hi_f: lo + 1 },
  };
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('helios-bt-resolution-'));
  const clock = new VirtualClock(Date.parse(FROM_ISO));
  const { recorder } = makeRecorder(dir, { clock });
  const f = new EventFactory(clock, ulidGenerator(seededRng(7)));
  const at = (iso: string) => clock.advanceTo(Date.parse(iso));
  for (const [market, yes, no] of [[M80, 'y80', 'n80'], [M82, 'y82', 'n82']] as const) {
    recorder.emit(f.make('L2_SNAPSHOT', l2Snapshot(0.3), { market_id: market, token_id: yes }));
    recorder.emit(f.make('L2_SNAPSHOT', l2Snapshot(0.7), { market_id: market, token_id: no }));
  }
  // Nowcasts every 10 minutes, most mass on 80–81, some on 82–83.
  for (let minute = 1; minute < 60; minute += 10) {
    at(`2025-07-15T16:${String(minute).padStart(2, '0')}:00.000Z`);
    const p = (lo: number | null) => (lo === 80 ? 0.6 : lo === 82 ? 0.3 : lo === 78 ? 0.1 : 0);
    recorder.emit(
      f.make(
        'NOWCAST',
        {
          judge_day: DAY,
          max_so_far_f: JUDGE_MAX_F,
          distribution: [[80, 0.05], [81, 0.55], [82, 0.25], [83, 0.05], [79, 0.1]].sort((a, b) => a[0]! - b[0]!) as Array<[number, number]>,
          buckets: BUCKETS.map((b) => ({ ...b, p: p(b.lo_f) })),
          peak_time_bins: [{ start_hour: 14, p: 1 }],
          confidence: 0.8,
          qc_gate: 'open',
          inputs: [],
        },
        { station_id: 'KLGA' },
      ),
    );
  }
  at('2025-07-15T16:52:00.000Z');
  recorder.emit(f.make('METAR_OBS', { ...metarPayload('2025-07-15T16:51:00Z', 27.2), judge_day: DAY, temp_f_judge: JUDGE_MAX_F, judge_max_so_far_f: JUDGE_MAX_F }, { station_id: 'KLGA' }));
  at(NO_RESOLVED_ISO);
  recorder.emit(f.make('MARKET_RESOLVED', { winning_token_id: 'n80', winning_outcome: 'No' }, { market_id: M80 }));
  at(YES_RESOLVED_ISO);
  recorder.emit(f.make('MARKET_RESOLVED', { winning_token_id: 'y82', winning_outcome: 'Yes' }, { market_id: M82 }));
  await recorder.close();
  await writeMarketCatalog(dir, [bucketMarket(M80, 80, 'y80', 'n80'), bucketMarket(M82, 82, 'y82', 'n82')]);
}, 30_000);
afterAll(() => cleanup());

interface Calibration {
  judge_day: string;
  realized_max_f: number | null;
  realized_source: string;
  resolution: { winner: { market_id: string; lo_f: number; hi_f: number } | null; markets: Array<{ market_id: string; outcome: string; after_range: boolean }> } | null;
  buckets: Array<{ label: string; realized: 0 | 1 | null }>;
}

async function backtest(to: string, out: string, set: string[] = []): Promise<{ calibration: Calibration; md: string }> {
  const r = await runCli(['backtest', '--data-dir', dir, '--from', FROM_ISO, '--to', to, '--out', path.join(dir, out), '--no-qc-sensitivity', '--source', 'journal', ...set.flatMap((kv) => ['--set', kv])]);
  expect(r.err).not.toMatch(/inferred/);
  expect(r.code).toBe(0);
  const report = JSON.parse(readFileSync(path.join(dir, out, 'report.json'), 'utf8')) as { calibration: Calibration[] };
  expect(report.calibration).toHaveLength(1);
  return { calibration: report.calibration[0]!, md: readFileSync(path.join(dir, out, 'report.md'), 'utf8') };
}

const winners = (c: Calibration) => c.buckets.filter((b) => b.realized === 1).map((b) => b.label);

describe('helios backtest scores the recorded resolution when there is one (issue 21 item 3)', () => {
  it('a range holding the resolution: the 82–83 bucket that resolved YES is the realized one, not the judge maximum 81', async () => {
    const { calibration: c, md } = await backtest(TO_ISO, 'with-resolution');
    expect(c.judge_day).toBe(DAY);
    expect(c.realized_source).toBe('resolution');
    expect(c.realized_max_f).toBe(JUDGE_MAX_F);
    expect(winners(c)).toEqual(['82-83°F']);
    expect(c.buckets.find((b) => b.label === '80-81°F')!.realized).toBe(0);
    expect(c.resolution).toEqual({
      winner: { market_id: M82, lo_f: 82, hi_f: 83 },
      markets: [
        { market_id: M80, outcome: 'NO', after_range: false, lo_f: 80, hi_f: 81 },
        { market_id: M82, outcome: 'YES', after_range: false, lo_f: 82, hi_f: 83 },
      ],
    });
    expect(md).toContain('### KLGA 2025-07-15: realized 82–83 °F (resolution: market 0x8282…828282 resolved YES; judge max 81 °F)');
  }, 60_000);

  it('a range that ends before the YES resolution: found after the range (storage.replay.resolution_lookahead_ms)', async () => {
    const { calibration: c, md } = await backtest('2025-07-15T16:56:00.000Z', 'yes-after-range');
    expect(c.realized_source).toBe('resolution');
    expect(winners(c)).toEqual(['82-83°F']);
    expect(c.resolution!.markets.map((m) => [m.market_id, m.outcome, m.after_range])).toEqual([
      [M80, 'NO', false],
      [M82, 'YES', true],
    ]);
    expect(md).toContain('realized 82–83 °F (resolution: market 0x8282…828282 resolved YES after the range; judge max 81 °F)');
  }, 60_000);

  it('without look-ahead, a range holding only the NO resolution: it decides its bucket, the judge maximum the rest', async () => {
    const { calibration: c, md } = await backtest('2025-07-15T16:56:00.000Z', 'only-no', ['storage.replay.resolution_lookahead_ms=0']);
    expect(c.realized_source).toBe('resolution_partial');
    expect(c.resolution).toEqual({ winner: null, markets: [{ market_id: M80, outcome: 'NO', after_range: false, lo_f: 80, hi_f: 81 }] });
    expect(c.buckets.find((b) => b.label === '80-81°F')!.realized).toBe(0);
    expect(c.buckets.find((b) => b.label === '82-83°F')!.realized).toBe(0);
    expect(winners(c)).toEqual([]);
    expect(md).toContain('realized judge max 81 °F (resolution_partial: 1 bucket market(s) resolved NO decide theirs)');
  }, 60_000);

  it('without look-ahead, a range that ends before any resolution: the judge maximum, and the report says so', async () => {
    const { calibration: c, md } = await backtest('2025-07-15T16:54:00.000Z', 'before-resolution', ['storage.replay.resolution_lookahead_ms=0']);
    expect(c.realized_source).toBe('observed_by_end');
    expect(c.resolution).toBeNull();
    expect(winners(c)).toEqual(['80-81°F']);
    expect(md).toContain('### KLGA 2025-07-15: realized judge max 81 °F (observed_by_end)');
  }, 60_000);
});
