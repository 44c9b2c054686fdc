import type { SelectedMarket } from '../../domain/discovery/operating-set.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import type { BucketLayout, LayoutChange } from '../../domain/trading/universe.ts';
import type { TempBucket } from '../../domain/weather/nowcast/buckets.ts';
import type { TradedMarket } from '../trading/trading-router.ts';
import type { MatchSpec } from '../truth/truth-runtime.ts';

/** A market that charges nothing (Gamma's feesEnabled false). */
const NO_FEE = { rate: 0, exponent: 1, taker_only: true } as const;

/** Gamma's slug prefixes → the truth engine's title names. */
const TITLES: Readonly<Record<string, string>> = { cs2: 'cs2', csgo: 'cs2', lol: 'lol', dota2: 'dota2', val: 'valorant' };

/**
 * What trading needs of a discovered market: its spec (venue tick and minimum size, the Gamma fee
 * schedule, neg-risk event) and what drives its fair value — the nowcast of its station for a °F
 * temperature bucket, the truth of its match for an esports moneyline, nothing (pair arbitrage
 * only) otherwise. A °C event has no nowcast (the model speaks whole °F): pair arbitrage only.
 */
export function tradedMarketOf(m: SelectedMarket): TradedMarket {
  const base: Omit<MarketSpec, 'fair_source' | 'strategies'> = {
    market_id: m.condition_id,
    yes_token: m.yes_token,
    no_token: m.no_token,
    tick_size: m.tick_size,
    min_order_size: m.min_size,
    fee: m.fee ?? NO_FEE,
    admitted: true,
    admission_reason: null,
    // An event of one market (an esports moneyline) is no bucket set: the market stands alone.
    event: m.event_outcomes >= 2 && (m.event_id !== null || m.event_slug !== null) ? { event_id: `gamma:${m.event_id ?? m.event_slug}`, neg_risk: m.neg_risk, outcomes: m.event_outcomes } : null,
  };
  if (m.temperature !== null && m.temperature.bucket.unit === 'F') {
    return {
      spec: { ...base, fair_source: { kind: 'nowcast', bucket_label: m.temperature.label, yes_token: m.yes_token, no_token: m.no_token, judge_day: m.temperature.judge_date }, strategies: { pair_arb: true, temporal: true } },
      station_id: m.temperature.station,
      match_id: null,
    };
  }
  if (m.esports !== null) {
    const [a, b] = m.esports.teams;
    return {
      spec: { ...base, fair_source: { kind: 'truth', outcome_by_token: { [m.yes_token]: a, [m.no_token]: b } }, strategies: { pair_arb: true, temporal: true } },
      station_id: null,
      match_id: m.esports.match_id,
    };
  }
  return { spec: { ...base, fair_source: { kind: 'none' }, strategies: { pair_arb: true, temporal: false } }, station_id: null, match_id: null };
}

/**
 * The match the truth runtime follows for an esports market: Polymarket's sports socket knows it
 * by game id, PandaScore by the match discovery mapped the moneyline to (null: not mapped).
 */
export function matchSpecOf(m: SelectedMarket, pandascoreId: string | null = null): MatchSpec | null {
  if (m.esports === null) return null;
  return {
    match_id: m.esports.match_id,
    title: TITLES[m.esports.game] ?? null,
    outcomes: m.esports.teams,
    best_of: null,
    market_id: m.condition_id,
    source_ids: { ...(m.esports.game_id === null ? {} : { polymarket_sports: m.esports.game_id }), ...(pandascoreId === null ? {} : { pandascore: pandascoreId }) },
  };
}

/**
 * The bucket layouts the nowcast is published over: one per station and judge day of the °F
 * temperature events held with a market still open, sorted by station then day. A day's layout
 * keeps the buckets of its markets that closed early: the buckets partition the day's high, and
 * dropping one while the others trade would leave a hole the nowcast's probabilities fall into.
 */
export function stationLayouts(markets: readonly SelectedMarket[]): BucketLayout[] {
  const openDays = new Set<string>();
  for (const m of markets) {
    const t = m.temperature;
    if (t !== null && t.bucket.unit === 'F' && !m.closed) openDays.add(`${t.station}|${t.judge_date}`);
  }
  const byStationDay = new Map<string, Map<string, TempBucket[]>>();
  for (const m of markets) {
    const t = m.temperature;
    if (t === null || t.bucket.unit !== 'F' || !openDays.has(`${t.station}|${t.judge_date}`)) continue;
    let days = byStationDay.get(t.station);
    if (!days) byStationDay.set(t.station, (days = new Map()));
    const list = days.get(t.judge_date) ?? [];
    list.push({ label: t.label, lo_f: t.bucket.low, hi_f: t.bucket.high });
    days.set(t.judge_date, list);
  }
  const out: BucketLayout[] = [];
  for (const station of [...byStationDay.keys()].sort()) {
    const days = byStationDay.get(station)!;
    for (const day of [...days.keys()].sort()) out.push({ station_id: station, judge_day: day, buckets: days.get(day)!.sort((a, b) => (a.lo_f ?? -Infinity) - (b.lo_f ?? -Infinity)) });
  }
  return out;
}

/**
 * Dated layouts that appeared or changed (with their buckets), and those whose judge day no longer
 * has an open market (null: the nowcast stops publishing it), by station then day.
 */
export function layoutChanges(before: readonly BucketLayout[], now: readonly BucketLayout[]): LayoutChange[] {
  const key = (l: BucketLayout) => `${l.station_id}|${l.judge_day ?? ''}`;
  const was = new Map(before.filter((l) => l.judge_day !== null).map((l) => [key(l), l]));
  const out: LayoutChange[] = [];
  for (const l of now) {
    if (JSON.stringify(was.get(key(l))?.buckets) !== JSON.stringify(l.buckets)) out.push({ station_id: l.station_id, judge_day: l.judge_day!, buckets: l.buckets });
    was.delete(key(l));
  }
  for (const l of was.values()) out.push({ station_id: l.station_id, judge_day: l.judge_day!, buckets: null });
  return out.sort((a, b) => (a.station_id === b.station_id ? (a.judge_day < b.judge_day ? -1 : 1) : a.station_id < b.station_id ? -1 : 1));
}
