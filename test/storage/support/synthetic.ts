import { truthStatePayload } from '../../support/events.ts';
import { VirtualClock } from '../../../src/adapters/clock/virtual-clock.ts';
import type { HeliosEvent, PayloadOf } from '../../../src/domain/events/catalog.ts';
import { EventFactory } from '../../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../../src/domain/events/ids.ts';
import { seededRng } from '../../../src/domain/util/random.ts';

/** 2026-01-29T17:00:00Z: a whole UTC hour start, mid-afternoon in New York. */
export const T0 = Date.UTC(2026, 0, 29, 17, 0, 0);

export const MARKET = '0xmkt-klga-29jan';
export const TOKENS = ['tok-yes', 'tok-no'] as const;
export const STATION = 'KLGA';

export interface SyntheticOptions {
  start?: number;
  durationMs?: number;
  seed?: number;
  /** Shock on tok-yes at this offset (ms): mid jumps 5 ticks. */
  shockAtMs?: number | null;
  /** METAR observations at these offsets (ms). */
  metarAtMs?: number[];
  /** Emit one l2_delta every this many ms per token (0 = none). */
  deltaEveryMs?: number;
  /** l2 levels per side. */
  levels?: number;
}

export function l2Snapshot(mid: number, tick = 0.01, levels = 10, depthPerLevel = 100): PayloadOf<'L2_SNAPSHOT'> {
  const bid = Math.round((mid - tick / 2) / tick) * tick;
  const bb = Number(bid.toFixed(4));
  const ba = Number((bb + tick).toFixed(4));
  const bids: Array<[number, number]> = [];
  const asks: Array<[number, number]> = [];
  for (let i = 0; i < levels; i++) {
    bids.push([Number((bb - i * tick).toFixed(4)), depthPerLevel + i]);
    asks.push([Number((ba + i * tick).toFixed(4)), depthPerLevel + i]);
  }
  return {
    resync_epoch_id: 1,
    synced: true,
    tick_size: tick,
    bids,
    asks,
    best_bid: bb,
    best_ask: ba,
    mid: Number(((bb + ba) / 2).toFixed(5)),
    spread: Number((ba - bb).toFixed(4)),
    microprice: Number(((bb + ba) / 2).toFixed(5)),
    imbalance: 0,
    hash: null,
  };
}

export function metarPayload(obsTimeUtc: string, tempC: number): PayloadOf<'METAR_OBS'> {
  return {
    raw: `METAR KLGA 291751Z 31012KT 10SM FEW250 ${tempC.toFixed(0).padStart(2, '0')}/M08 A3012 RMK AO2 T0${Math.round(tempC * 10).toString().padStart(3, '0')}1078`,
    report_type: 'METAR',
    corrected: false,
    obs_time_utc: obsTimeUtc,
    temp_c: tempC,
    dewpoint_c: -7.8,
    precision: 'tenths',
    temp_f_judge: Math.round(tempC * 1.8 + 32),
    max6h_c: null,
    min6h_c: null,
    max24h_c: null,
    min24h_c: null,
    flags: [],
    judge_day: '2026-01-29',
    judge_max_so_far_f: Math.round(tempC * 1.8 + 32),
    official_max_f: null,
  };
}

function health(): PayloadOf<'HEALTH'> {
  return { ready: true, staleness_ms: { market: 120, metar: 40_000 }, stage_latency_ms: { ingest: 2 }, event_loop_lag_ms: 1.5, bus_backlog: { l2: 0 }, reconnects: 0, resyncs: 0 };
}

/**
 * A small recorded-day lookalike in emission order: 1 s book snapshots for two tokens, trades,
 * METARs, health every 5 s, a nowcast and truth state each minute, an order and its fill, and
 * optionally a mid-price shock and l2 deltas. Deterministic for a seed.
 */
export function syntheticEvents(opts: SyntheticOptions = {}): HeliosEvent[] {
  const start = opts.start ?? T0;
  const duration = opts.durationMs ?? 120_000;
  const rng = seededRng(opts.seed ?? 1);
  const clock = new VirtualClock(start);
  const f = new EventFactory(clock, ulidGenerator(seededRng((opts.seed ?? 1) + 1000)));
  const out: HeliosEvent[] = [];
  const metars = new Set(opts.metarAtMs ?? [30_000]);
  const mids: Record<string, number> = { 'tok-yes': 0.42, 'tok-no': 0.58 };
  const shockAt = opts.shockAtMs === undefined ? null : opts.shockAtMs;
  for (let t = 0; t < duration; t += 250) {
    clock.advanceTo(start + t);
    if (t % 1000 === 0) {
      for (const tok of TOKENS) {
        if (shockAt !== null && tok === 'tok-yes' && t === shockAt) mids[tok] = Number((mids[tok]! + 0.05).toFixed(2));
        out.push(f.make('L2_SNAPSHOT', l2Snapshot(mids[tok]!, 0.01, opts.levels ?? 10), { market_id: MARKET, token_id: tok }));
      }
    }
    if (opts.deltaEveryMs && t % opts.deltaEveryMs === 0) {
      for (const tok of TOKENS) {
        const m = mids[tok]!;
        out.push(
          f.make(
            'L2_DELTA',
            { resync_epoch_id: 1, side: 'BUY', price: Number((m - 0.005).toFixed(3)), size: Math.round(rng() * 500), best_bid: Number((m - 0.005).toFixed(3)), best_ask: Number((m + 0.005).toFixed(3)) },
            { market_id: MARKET, token_id: tok },
          ),
        );
      }
    }
    if (t % 3_000 === 750) {
      out.push(f.make('TRADE', { price: mids['tok-yes']!, size: Math.round(rng() * 100) + 1, side: rng() < 0.5 ? 'BUY' : 'SELL', fee_rate_bps: 0 }, { market_id: MARKET, token_id: 'tok-yes' }));
    }
    if (metars.has(t)) {
      const iso = new Date(start + t - 60_000).toISOString();
      out.push(f.make('METAR_OBS', metarPayload(iso, 5 + Math.round(rng() * 30) / 10), { station_id: STATION, ts_source: start + t - 60_000 }));
    }
    if (t % 5_000 === 500) out.push(f.make('HEALTH', health()));
    if (t % 60_000 === 1_000) {
      out.push(
        f.make(
          'NOWCAST',
          {
            judge_day: '2026-01-29',
            max_so_far_f: 42,
            distribution: [[42, 0.3], [43, 0.5], [44, 0.2]],
            buckets: [{ label: '42-43', lo_f: 42, hi_f: 43, p: 0.8 }, { label: '44+', lo_f: 44, hi_f: null, p: 0.2 }],
            peak_time_bins: [{ start_hour: 14, p: 1 }],
            confidence: 0.7,
            qc_gate: 'open',
            inputs: ['metar'],
          },
          { station_id: STATION },
        ),
      );
      out.push(
        f.make(
          'TRUTH_STATE',
          truthStatePayload({ previous: 'scheduled', sources: ['a'] }),
          { match_id: 'match-1' },
        ),
      );
    }
    if (t === 10_000) {
      const o = f.make(
        'ORDER_UPDATE',
        { client_order_id: 'c-1', venue_order_id: null, status: 'open', side: 'BUY', order_type: 'GTC', price: 0.41, size: 10, filled_size: 0, strategy: 'maker', reason: null },
        { market_id: MARKET, token_id: 'tok-yes' },
      );
      out.push(o);
      out.push(
        f.make(
          'FILL',
          { client_order_id: 'c-1', fill_id: 'f-1', status: 'MATCHED', side: 'BUY', price: 0.41, size: 10, fee_usdc: 0, liquidity: 'maker', strategy: 'maker' },
          { market_id: MARKET, token_id: 'tok-yes', correlation_id: o.correlation_id, causation_id: o.event_id },
        ),
      );
    }
  }
  return out;
}
