import { DateTime } from 'luxon';
import type { BusBookMirror } from '../book/bus-book-mirror.ts';
import type { EventOf, HeliosEvent } from '../events/catalog.ts';
import { spreadRegime, type SpreadRegime, type WindowRules } from '../storage/windows.ts';
import { bucketContains, recordedResolutions, resolvedHit, stationDayKey, type BucketMarketRef, type RecordedResolution } from './bucket-resolution.ts';
import { NYC_ZONE } from '../time/zones.ts';
import { roundDecimals as round } from '../util/decimals.ts';

/**
 * Backtest analytics, pure: fed the replayed inputs and the pipeline's decisions in pipeline order
 * (with the bus-built books at that instant), they summarize execution (fill rate, slippage, PnL
 * and its path, breakdown by spread regime and hour) and the model (calibration of NOWCAST bucket
 * probabilities against the recorded resolution or else the realized judge maximum, drift of the
 * expected maximum).
 */

export interface OrderStats {
  submitted: number;
  filled: number;
  partially_filled: number;
  canceled: number;
  rejected: number;
  expired: number;
  /** Orders with any fill / orders that reached the venue (not rejected before it). */
  fill_rate: number | null;
  /** Shares filled / shares asked, over all submitted orders. */
  volume_fill_rate: number | null;
}

export interface FillStats {
  count: number;
  failed: number;
  volume: number;
  notional: number;
  fees: number;
  maker: number;
  taker: number;
}

export interface SlippageStats {
  count: number;
  /** Paid beyond the mid at submission, in ticks (positive = worse). */
  mean_ticks: number | null;
  p50_ticks: number | null;
  p90_ticks: number | null;
  /** Paid beyond the touch at submission (best ask for a buy, best bid for a sell), in ticks. */
  vs_touch_mean_ticks: number | null;
  /** Shares-weighted cost beyond the mid, USDC. */
  cost_usdc: number;
}

export interface RegimeRow {
  regime: string;
  fills: number;
  volume: number;
  notional: number;
  fees: number;
  /** PnL of these fills marked to the end of the range (settlement value when resolved). */
  markout_pnl: number;
  mean_slippage_ticks: number | null;
}

export interface CalibrationBin {
  lo: number;
  hi: number;
  n: number;
  mean_p: number | null;
  observed: number | null;
}

export interface StationDayCalibration {
  station_id: string;
  judge_day: string;
  realized_max_f: number | null;
  /**
   * What the buckets were scored against. resolution: a bucket market of the station-day resolved
   * YES within the range (MARKET_RESOLVED), which decides every bucket. resolution_partial: only NO
   * resolutions, which decide their buckets; the judge maximum decides the rest. observed_by_end:
   * the highest judge value (`judge_max_so_far_f` of the METARs: whole °F from the T-groups, never
   * the 6-h/24-h maximum groups) seen by the end of the range; a lower bound when the range ends
   * before the judge day does. `realized_max_f` is that judge value whatever the source.
   */
  realized_source: 'resolution' | 'resolution_partial' | 'observed_by_end' | 'none';
  /** The recorded resolutions of the station-day's bucket markets (market catalog); null or absent: none. */
  resolution?: RecordedResolution | null;
  forecasts: number;
  brier: number | null;
  bins: CalibrationBin[];
  buckets: Array<{ label: string; mean_p: number; last_p: number; realized: 0 | 1 | null }>;
}

export interface DriftPoint {
  ts: number;
  expected_max_f: number;
  max_so_far_f: number | null;
  drift_f: number | null;
  qc_gate: 'open' | 'closed';
}

export interface StationDayDrift {
  station_id: string;
  judge_day: string;
  realized_max_f: number | null;
  mean_abs_drift_f: number | null;
  series: DriftPoint[];
  /** The judge-aligned METAR temperatures (whole °F) over the range. */
  metar: Array<{ ts: number; temp_f_judge: number | null; max_so_far_f: number | null }>;
}

export interface ExecutionMetrics {
  orders: OrderStats;
  fills: FillStats;
  slippage: SlippageStats;
  pnl_path: Array<{ ts: number; net: number }>;
  max_drawdown: number;
  regimes: { spread: RegimeRow[]; hour_nyc: RegimeRow[] };
}

export interface ModelMetrics {
  calibration: StationDayCalibration[];
  drift: StationDayDrift[];
}

interface OrderRow {
  token: string;
  side: 'BUY' | 'SELL';
  size: number;
  mid: number | null;
  touch: number | null;
  tick: number;
  status: string;
  filled: number;
  venue: boolean;
}

interface FillRow {
  token: string;
  side: 'BUY' | 'SELL';
  price: number;
  size: number;
  fee: number;
  tick: number;
  liquidity: 'maker' | 'taker';
  slippage_ticks: number | null;
  touch_ticks: number | null;
  regime: SpreadRegime;
  hour: number;
  failed: boolean;
}

interface NowcastRow {
  ts: number;
  judge_day: string;
  buckets: Array<{ label: string; lo_f: number | null; hi_f: number | null; p: number }>;
  expected: number;
  max_so_far: number | null;
  qc_gate: 'open' | 'closed';
}

const BINS = 10;

export class BacktestMetrics {
  private readonly orders = new Map<string, OrderRow>();
  private readonly fills = new Map<string, FillRow>();
  private readonly path: Array<{ ts: number; net: number }> = [];
  private readonly lastMid = new Map<string, number>();
  private readonly winners = new Map<string, string | null>();
  private readonly tokensOfMarket = new Map<string, Set<string>>();
  private readonly nowcasts = new Map<string, NowcastRow[]>();
  private readonly metars = new Map<string, Array<{ ts: number; temp_f_judge: number | null; max_so_far_f: number | null; judge_day: string }>>();
  private readonly maxSoFar = new Map<string, number>();

  constructor(
    private readonly rules: Pick<WindowRules, 'spread_locked_max_ticks' | 'spread_wide_min_ticks'>,
    private readonly pathEveryMs = 60_000,
  ) {}

  /** An input event, after the pipeline applied it. */
  input(event: HeliosEvent, mirror: BusBookMirror): void {
    switch (event.type) {
      case 'L2_SNAPSHOT':
      case 'BEST_PRICE': {
        const t = event.token_id!;
        const mid = mirror.tradableBook(t)?.mid() ?? null;
        if (mid !== null) this.lastMid.set(t, mid);
        if (event.market_id !== undefined) {
          let s = this.tokensOfMarket.get(event.market_id);
          if (!s) this.tokensOfMarket.set(event.market_id, (s = new Set()));
          s.add(t);
        }
        return;
      }
      case 'MARKET_RESOLVED':
        if (event.market_id !== undefined) this.winners.set(event.market_id, event.payload.winning_token_id);
        return;
      case 'METAR_OBS':
        return this.onMetar(event);
      case 'NOWCAST':
        return this.onNowcast(event);
      default:
        return;
    }
  }

  /** The pipeline's total net PnL at `ts`; kept at most once per path step. */
  samplePnl(ts: number, net: number): void {
    const last = this.path[this.path.length - 1];
    if (last && ts - last.ts < this.pathEveryMs) return;
    this.path.push({ ts, net: round(net, 6) });
  }

  /** A decision of the pipeline. */
  decision(event: HeliosEvent, mirror: BusBookMirror): void {
    if (event.type === 'ORDER_UPDATE') {
      const u = event.payload;
      let o = this.orders.get(u.client_order_id);
      if (!o) {
        const token = event.token_id!;
        const book = mirror.tradableBook(token);
        const touch = book ? (u.side === 'BUY' ? book.bestAsk() : book.bestBid())?.price ?? null : null;
        o = { token, side: u.side, size: u.size, mid: book?.mid() ?? null, touch, tick: book?.tickSize ?? 0.01, status: u.status, filled: 0, venue: false };
        this.orders.set(u.client_order_id, o);
      }
      o.status = u.status;
      o.filled = Math.max(o.filled, u.filled_size);
      if (u.status !== 'pending' && u.status !== 'rejected') o.venue = true;
      return;
    }
    if (event.type === 'FILL') {
      const f = event.payload;
      const prior = this.fills.get(f.fill_id);
      if (prior) {
        if (f.status === 'FAILED') prior.failed = true;
        return;
      }
      if (f.status === 'FAILED') return;
      const token = event.token_id!;
      const o = this.orders.get(f.client_order_id);
      const book = mirror.tradableBook(token);
      const tick = o?.tick ?? book?.tickSize ?? 0.01;
      const sign = f.side === 'BUY' ? 1 : -1;
      this.fills.set(f.fill_id, {
        token,
        side: f.side,
        price: f.price,
        size: f.size,
        fee: f.fee_usdc,
        tick,
        liquidity: f.liquidity,
        slippage_ticks: o?.mid != null ? round((sign * (f.price - o.mid)) / tick, 6) : null,
        touch_ticks: o?.touch != null ? round((sign * (f.price - o.touch)) / tick, 6) : null,
        regime: spreadRegime(book?.spread() ?? null, tick, this.rules),
        hour: DateTime.fromMillis(event.ts_ingest, { zone: NYC_ZONE }).hour,
        failed: false,
      });
    }
  }

  execution(): ExecutionMetrics {
    const orders = [...this.orders.values()];
    const count = (s: string) => orders.filter((o) => o.status === s).length;
    const atVenue = orders.filter((o) => o.venue);
    const asked = orders.reduce((s, o) => s + o.size, 0);
    const fills = [...this.fills.values()].filter((f) => !f.failed);
    const slip = fills.map((f) => f.slippage_ticks).filter((x): x is number => x !== null);
    const touch = fills.map((f) => f.touch_ticks).filter((x): x is number => x !== null);
    const sorted = [...slip].sort((a, b) => a - b);
    let drawdown = 0;
    let peak = -Infinity;
    for (const p of this.path) {
      peak = Math.max(peak, p.net);
      drawdown = Math.max(drawdown, peak - p.net);
    }
    return {
      orders: {
        submitted: orders.length,
        filled: count('filled'),
        partially_filled: count('partially_filled'),
        canceled: count('canceled'),
        rejected: count('rejected'),
        expired: count('expired'),
        fill_rate: atVenue.length ? round(atVenue.filter((o) => o.filled > 0).length / atVenue.length, 6) : null,
        volume_fill_rate: asked > 0 ? round(orders.reduce((s, o) => s + o.filled, 0) / asked, 6) : null,
      },
      fills: {
        count: fills.length,
        failed: this.fills.size - fills.length,
        volume: round(sum(fills.map((f) => f.size)), 6),
        notional: round(sum(fills.map((f) => f.size * f.price)), 6),
        fees: round(sum(fills.map((f) => f.fee)), 6),
        maker: fills.filter((f) => f.liquidity === 'maker').length,
        taker: fills.filter((f) => f.liquidity === 'taker').length,
      },
      slippage: {
        count: slip.length,
        mean_ticks: mean(slip),
        p50_ticks: quantile(sorted, 0.5),
        p90_ticks: quantile(sorted, 0.9),
        vs_touch_mean_ticks: mean(touch),
        cost_usdc: round(sum(fills.map((f) => (f.slippage_ticks ?? 0) * f.tick * f.size)), 6),
      },
      pnl_path: this.path.slice(),
      max_drawdown: round(drawdown, 6),
      regimes: {
        spread: this.breakdown(fills, (f) => f.regime, ['locked', 'normal', 'wide', 'one_sided']),
        hour_nyc: this.breakdown(fills, (f) => String(f.hour).padStart(2, '0'), null),
      },
    };
  }

  /**
   * `bucketMarkets`: the catalog's bucket markets, whose recorded resolutions (in the range, else
   * `resolvedAfter` the range: market id → winning token) outrank the judge maximum.
   */
  model(bucketMarkets: readonly BucketMarketRef[] = [], resolvedAfter: ReadonlyMap<string, string | null> = new Map()): ModelMetrics {
    const resolutions = recordedResolutions(bucketMarkets, this.winners, resolvedAfter);
    const calibration: StationDayCalibration[] = [];
    const drift: StationDayDrift[] = [];
    for (const station of [...this.nowcasts.keys()].sort()) {
      const rows = this.nowcasts.get(station)!;
      const days = [...new Set(rows.map((r) => r.judge_day))].sort();
      for (const day of days) {
        const dayRows = rows.filter((r) => r.judge_day === day);
        const key = stationDayKey(station, day);
        // The markets settle on the judge value (whole °F from the T-group), never on the 6-h/24-h
        // maximum groups, which can round a tenth higher (an "official" 82 over a judge 81).
        const realized = this.maxSoFar.get(key) ?? null;
        calibration.push(this.calibrate(station, day, dayRows, realized, resolutions.get(key) ?? null));
        const series = dayRows.map((r) => ({
          ts: r.ts,
          expected_max_f: round(r.expected, 3),
          max_so_far_f: r.max_so_far,
          drift_f: realized === null ? null : round(r.expected - realized, 3),
          qc_gate: r.qc_gate,
        }));
        const drifts = series.map((s) => s.drift_f).filter((x): x is number => x !== null);
        drift.push({
          station_id: station,
          judge_day: day,
          realized_max_f: realized,
          mean_abs_drift_f: drifts.length ? round(sum(drifts.map(Math.abs)) / drifts.length, 3) : null,
          series,
          metar: (this.metars.get(station) ?? []).filter((m) => m.judge_day === day).map(({ ts, temp_f_judge, max_so_far_f }) => ({ ts, temp_f_judge, max_so_far_f })),
        });
      }
    }
    return { calibration, drift };
  }

  /** Whether a MARKET_RESOLVED of this market was replayed. */
  resolvedInRange(marketId: string): boolean {
    return this.winners.has(marketId);
  }

  /** Mark of a token at the end: settlement value once its market resolved, else its last mid. */
  markAtEnd(token: string): number | null {
    for (const [market, tokens] of this.tokensOfMarket) {
      if (!tokens.has(token) || !this.winners.has(market)) continue;
      const w = this.winners.get(market);
      return w === null ? null : w === token ? 1 : 0;
    }
    return this.lastMid.get(token) ?? null;
  }

  private breakdown(fills: FillRow[], key: (f: FillRow) => string, order: string[] | null): RegimeRow[] {
    const groups = new Map<string, FillRow[]>();
    for (const f of fills) {
      const k = key(f);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(f);
    }
    const keys = order ? order.filter((k) => groups.has(k)) : [...groups.keys()].sort();
    return keys.map((k) => {
      const g = groups.get(k)!;
      const slip = g.map((f) => f.slippage_ticks).filter((x): x is number => x !== null);
      let markout = 0;
      for (const f of g) {
        const mark = this.markAtEnd(f.token);
        if (mark !== null) markout += (f.side === 'BUY' ? mark - f.price : f.price - mark) * f.size;
        markout -= f.fee;
      }
      return {
        regime: k,
        fills: g.length,
        volume: round(sum(g.map((f) => f.size)), 6),
        notional: round(sum(g.map((f) => f.size * f.price)), 6),
        fees: round(sum(g.map((f) => f.fee)), 6),
        markout_pnl: round(markout, 6),
        mean_slippage_ticks: mean(slip),
      };
    });
  }

  private onMetar(event: EventOf<'METAR_OBS'>): void {
    const station = event.station_id;
    if (station === undefined) return;
    const p = event.payload;
    const key = `${station}|${p.judge_day}`;
    if (p.judge_max_so_far_f !== null) this.maxSoFar.set(key, Math.max(this.maxSoFar.get(key) ?? -Infinity, p.judge_max_so_far_f));
    let list = this.metars.get(station);
    if (!list) this.metars.set(station, (list = []));
    list.push({ ts: event.ts_ingest, temp_f_judge: p.temp_f_judge, max_so_far_f: p.judge_max_so_far_f, judge_day: p.judge_day });
  }

  private onNowcast(event: EventOf<'NOWCAST'>): void {
    const station = event.station_id;
    if (station === undefined) return;
    const p = event.payload;
    let expected = 0;
    let mass = 0;
    for (const [t, q] of p.distribution) {
      expected += t * q;
      mass += q;
    }
    let list = this.nowcasts.get(station);
    if (!list) this.nowcasts.set(station, (list = []));
    list.push({ ts: event.ts_ingest, judge_day: p.judge_day, buckets: p.buckets, expected: mass > 0 ? expected / mass : NaN, max_so_far: p.max_so_far_f, qc_gate: p.qc_gate });
  }

  private calibrate(station: string, day: string, rows: NowcastRow[], realized: number | null, resolution: RecordedResolution | null): StationDayCalibration {
    const bins = Array.from({ length: BINS }, (_, i) => ({ lo: i / BINS, hi: (i + 1) / BINS, n: 0, sumP: 0, hits: 0 }));
    const byLabel = new Map<string, { sum: number; n: number; last: number; hit: 0 | 1 | null }>();
    let brier = 0;
    let n = 0;
    let decided = false;
    for (const r of rows) {
      for (const b of r.buckets) {
        const byResolution = resolution === null ? null : resolvedHit(resolution, b);
        if (byResolution !== null) decided = true;
        const hit: 0 | 1 | null = byResolution ?? (resolution?.winner ? null : realized === null ? null : bucketContains(b, realized) ? 1 : 0);
        const l = byLabel.get(b.label) ?? { sum: 0, n: 0, last: 0, hit };
        l.sum += b.p;
        l.n++;
        l.last = b.p;
        byLabel.set(b.label, l);
        if (hit === null) continue;
        const bin = bins[Math.min(BINS - 1, Math.max(0, Math.floor(b.p * BINS)))]!;
        bin.n++;
        bin.sumP += b.p;
        bin.hits += hit;
        brier += (b.p - hit) ** 2;
        n++;
      }
    }
    return {
      station_id: station,
      judge_day: day,
      realized_max_f: realized,
      realized_source: resolution?.winner ? 'resolution' : decided ? 'resolution_partial' : realized !== null ? 'observed_by_end' : 'none',
      resolution,
      forecasts: rows.length,
      brier: n ? round(brier / n, 6) : null,
      bins: bins.map((b) => ({ lo: b.lo, hi: b.hi, n: b.n, mean_p: b.n ? round(b.sumP / b.n, 6) : null, observed: b.n ? round(b.hits / b.n, 6) : null })),
      buckets: [...byLabel.entries()].map(([label, l]) => ({ label, mean_p: round(l.sum / l.n, 6), last_p: l.last, realized: l.hit })),
    };
  }
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function mean(xs: number[]): number | null {
  return xs.length ? round(sum(xs) / xs.length, 6) : null;
}

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!, 6);
}

export { round };
