/**
 * The recorded resolutions of temperature bucket markets, as the backtest scores forecasts against
 * them. A bucket market settles on its station's judge-day maximum lying in [lo_f, hi_f]; when the
 * venue resolved one, that resolution is the realized outcome, whatever the METARs seen suggest
 * (a late correction, a judge value the range never saw, a source the feed does not read).
 */

export interface BucketBounds {
  /** null: open below. */
  lo_f: number | null;
  /** null: open above. */
  hi_f: number | null;
}

/** A bucket market as the market catalog records it: what it settles on. */
export interface BucketMarketRef extends BucketBounds {
  market_id: string;
  yes_token: string;
  no_token: string;
  station_id: string;
  judge_day: string;
}

/** The resolutions recorded for one station and judge day (plain data: it goes into the report). */
export interface RecordedResolution {
  /** The bucket market that resolved YES; null when only NO resolutions were recorded. */
  winner: ({ market_id: string } & BucketBounds) | null;
  /** Every resolved bucket market of the station-day, by market id; `after_range`: recorded after the range ended. */
  markets: Array<{ market_id: string; outcome: 'YES' | 'NO'; after_range: boolean } & BucketBounds>;
}

export function stationDayKey(stationId: string, judgeDay: string): string {
  return `${stationId}|${judgeDay}`;
}

/**
 * The resolutions among `winners` (market id → winning token, from MARKET_RESOLVED; those in the
 * range, then `after` those recorded after it) of the bucket markets `markets`, by station-day
 * (`stationDayKey`). A resolution with no winning token (voided) says nothing and is left out.
 */
export function recordedResolutions(
  markets: readonly BucketMarketRef[],
  winners: ReadonlyMap<string, string | null>,
  after: ReadonlyMap<string, string | null> = new Map(),
): Map<string, RecordedResolution> {
  const out = new Map<string, RecordedResolution>();
  for (const m of [...markets].sort((a, b) => (a.market_id < b.market_id ? -1 : a.market_id > b.market_id ? 1 : 0))) {
    const afterRange = !winners.has(m.market_id);
    const token = afterRange ? after.get(m.market_id) : winners.get(m.market_id);
    if (token === undefined || token === null || (token !== m.yes_token && token !== m.no_token)) continue;
    const key = stationDayKey(m.station_id, m.judge_day);
    let r = out.get(key);
    if (!r) out.set(key, (r = { winner: null, markets: [] }));
    const bounds = { lo_f: m.lo_f, hi_f: m.hi_f };
    r.markets.push({ market_id: m.market_id, outcome: token === m.yes_token ? 'YES' : 'NO', after_range: afterRange, ...bounds });
    // Two YES in one station-day is contradictory data; the first by market id stands, deterministically.
    if (token === m.yes_token && r.winner === null) r.winner = { market_id: m.market_id, ...bounds };
  }
  return out;
}

/**
 * Whether forecast bucket `b` came true per the resolutions: 1 when it holds the whole winning
 * bucket, 0 apart from it or inside a bucket that resolved NO, null when they do not say (no
 * winner and no NO covering it, or a forecast bucket that holds only part of the winner's).
 */
export function resolvedHit(r: RecordedResolution, b: BucketBounds): 0 | 1 | null {
  if (r.winner !== null) {
    if (within(r.winner, b)) return 1;
    return disjoint(b, r.winner) ? 0 : null;
  }
  return r.markets.some((m) => m.outcome === 'NO' && within(b, m)) ? 0 : null;
}

/** Whether the judge maximum `realized` lies in bucket `b`. */
export function bucketContains(b: BucketBounds, realized: number): boolean {
  return (b.lo_f === null || realized >= b.lo_f) && (b.hi_f === null || realized <= b.hi_f);
}

function within(inner: BucketBounds, outer: BucketBounds): boolean {
  const lo = outer.lo_f === null || (inner.lo_f !== null && inner.lo_f >= outer.lo_f);
  const hi = outer.hi_f === null || (inner.hi_f !== null && inner.hi_f <= outer.hi_f);
  return lo && hi;
}

function disjoint(a: BucketBounds, b: BucketBounds): boolean {
  return (a.hi_f !== null && b.lo_f !== null && a.hi_f < b.lo_f) || (b.hi_f !== null && a.lo_f !== null && b.hi_f < a.lo_f);
}
