import type { HeliosConfig } from '../../config/schema.ts';
import type { DiscoveryConfig } from '../../config/sections/discovery.ts';
import type { GammaQuery } from '../../adapters/polymarket/gamma-client.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { EventInfo, MarketInfo } from '../../domain/discovery/gamma-market.ts';
import { diffOperatingSet, type OperatingSetDiff } from '../../domain/discovery/operating-set-diff.ts';
import { selectOperatingSet, type DiscoveryRefusal, type GammaAnswers, type ScannerPolicy, type SelectedMarket } from '../../domain/discovery/operating-set.ts';
import { mapPandascoreMatch, type PandascoreListing } from '../../domain/discovery/pandascore-mapping.ts';
import type { DiscoveryResult } from '../../domain/discovery/result.ts';
import { temperatureEventSlug } from '../../domain/discovery/temperature-event.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import { JudgeCalendar, nextDay } from '../../domain/weather/judge-calendar.ts';

/** The Gamma calls the scanner makes (GammaClient, or a test's stand-in). */
export interface GammaSource {
  events(query: GammaQuery): Promise<Array<DiscoveryResult<EventInfo>>>;
  markets(query: GammaQuery): Promise<Array<DiscoveryResult<MarketInfo>>>;
}

export interface ScanReport {
  at: number;
  /** Markets held after this scan (open or closed awaiting resolution). */
  held: number;
  added: number;
  resolved: number;
  refused: number;
  /** Gamma requests that failed (the scan went on without their answers). */
  failed_requests: number;
}

export interface DiscoveryScannerDeps {
  gamma: GammaSource;
  config: DiscoveryConfig;
  policy: ScannerPolicy;
  clock: Clock;
  logger?: Logger;
  /** A scan changed the operating set (called before the scan's promise resolves). */
  onChange(diff: OperatingSetDiff): void;
  /** A refusal seen for the first time (a refused event stays refused scan after scan; told once). */
  onRefused(refusal: DiscoveryRefusal): void;
  /** A Gamma request failed (unreachable, an HTTP error, an answer that is not JSON). */
  onError(what: string, err: unknown): void;
  /** PandaScore's upcoming and running matches (with a token): new moneylines are mapped to them. */
  pandascoreListings?: () => Promise<PandascoreListing[]>;
}

/** Gamma reads about 100 condition ids per /markets call (notes/polymarket.md §4). */
const CONDITION_IDS_PER_CALL = 100;

/**
 * Scans Gamma on an interval and on request (the market channel saw a market appear or resolve):
 * asks for the policy's temperature events by slug, the esports tag's open events, the explicit
 * events and markets, and every held market by condition id (so a held market learns it closed
 * even once its event left the judge-day window); selects the operating set and reports what
 * changed. Requests go through the client's rate limiter; scans never overlap.
 */
export class DiscoveryScanner {
  private readonly held = new Map<string, SelectedMarket>();
  private readonly refusalsSeen = new Set<string>();
  private readonly pandascoreIds = new Map<string, string>();
  private timer: TimerHandle | null = null;
  private running = false;
  private inFlight: Promise<ScanReport> | null = null;
  private again = false;
  private lastScanAt = -Infinity;
  private pendingRequest: TimerHandle | null = null;
  readonly stats = { scans: 0, failed_requests: 0, refused: 0 };

  constructor(private readonly deps: DiscoveryScannerDeps) {}

  /** First scan now, then one every poll interval. */
  start(): Promise<ScanReport> {
    this.running = true;
    const first = this.scan();
    this.schedule();
    return first;
  }

  stop(): void {
    this.running = false;
    for (const t of [this.timer, this.pendingRequest]) if (t !== null) this.deps.clock.clearTimeout(t);
    this.timer = this.pendingRequest = null;
  }

  /** Markets already held (an earlier scanner's): diffed against, never added again. */
  adopt(markets: readonly SelectedMarket[]): void {
    for (const m of markets) this.held.set(m.condition_id, m);
  }

  /** The PandaScore match a held moneyline was mapped to (null: none, or no token). */
  pandascoreId(conditionId: string): string | null {
    return this.pandascoreIds.get(conditionId) ?? null;
  }

  /** Markets held now, by condition id. */
  markets(): SelectedMarket[] {
    return [...this.held.values()].sort((a, b) => (a.condition_id < b.condition_id ? -1 : 1));
  }

  /** A scan as soon as the spacing allows (market channel news); requests in between merge. */
  requestScan(): void {
    if (!this.running || this.pendingRequest !== null) return;
    const wait = Math.max(0, this.lastScanAt + this.deps.config.min_scan_spacing_ms - this.deps.clock.now());
    this.pendingRequest = this.deps.clock.setTimeout(() => {
      this.pendingRequest = null;
      if (this.running) void this.scan().catch((err) => this.deps.onError('scan', err));
    }, wait);
  }

  /** One scan; a request during a scan runs one more after it. */
  scan(): Promise<ScanReport> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    const run = this.scanOnce().finally(() => {
      this.inFlight = null;
      if (this.again && this.running) {
        this.again = false;
        void this.scan();
      }
    });
    this.inFlight = run;
    return run;
  }

  private schedule(): void {
    this.timer = this.deps.clock.setTimeout(() => {
      if (!this.running) return;
      void this.scan()
        .catch((err) => this.deps.onError('scan', err))
        .finally(() => {
          if (this.running) this.schedule();
        });
    }, this.deps.config.poll_interval_ms);
  }

  private async scanOnce(): Promise<ScanReport> {
    const now = this.deps.clock.now();
    this.lastScanAt = now;
    const gathered = await gatherGammaAnswers(this.deps.gamma, this.deps.config, this.deps.policy, now, [...this.held.keys()], (what, err) => this.deps.onError(what, err));
    let listings: PandascoreListing[] | null = null;
    if (this.deps.pandascoreListings && this.deps.config.esports.games.length > 0) {
      try {
        listings = await this.deps.pandascoreListings();
      } catch (err) {
        this.deps.onError('PandaScore /matches', err);
      }
    }
    return this.apply(gathered.answers, now, gathered.failed, listings);
  }

  /** A refusal is told the first time it is seen (the same answer is refused scan after scan). */
  private refuseOnce(r: DiscoveryRefusal): void {
    const key = `${r.event_slug ?? ''}|${r.condition_id ?? ''}|${r.code}|${r.message}`;
    if (this.refusalsSeen.has(key)) return;
    this.refusalsSeen.add(key);
    this.stats.refused++;
    this.deps.onRefused(r);
  }

  /**
   * Each new moneyline's PandaScore match, before the change is told (its truth then watches it);
   * a refused mapping is told like any refusal, and the market still trades on its other sources.
   */
  private mapPandascore(added: readonly SelectedMarket[], listings: readonly PandascoreListing[]): void {
    for (const m of added) {
      if (m.esports === null) continue;
      const mapped = mapPandascoreMatch(m.esports, listings, this.deps.config.esports.pandascore_start_tolerance_ms);
      if (mapped.ok) this.pandascoreIds.set(m.condition_id, mapped.value);
      else this.refuseOnce({ event_slug: m.event_slug, condition_id: m.condition_id, code: mapped.error.code, message: mapped.error.message });
    }
  }

  private apply(answers: GammaAnswers, now: number, failed: number, listings: PandascoreListing[] | null = null): ScanReport {
    const policy = { ...this.deps.policy, condition_ids: [...new Set([...this.deps.policy.condition_ids, ...this.held.keys()])] };
    const set = selectOperatingSet(answers, policy, now);
    const refusedBefore = this.stats.refused;
    for (const r of set.refused) this.refuseOnce(r);
    const diff = diffOperatingSet(this.held, set.markets);
    if (listings) this.mapPandascore(diff.added, listings);
    const refused = this.stats.refused - refusedBefore;
    const told: OperatingSetDiff = { added: diff.added, changed: diff.changed, closed: [] };
    for (const m of diff.added) this.held.set(m.condition_id, m);
    for (const c of diff.changed) this.held.set(c.market.condition_id, c.market);
    let resolved = 0;
    for (const c of diff.closed) {
      const before = this.held.get(c.market.condition_id)!;
      if (c.winning_token !== null) {
        // Resolved: settled once, then no longer followed.
        this.held.delete(c.market.condition_id);
        told.closed.push(c);
        resolved++;
      } else if (!before.closed) {
        this.held.set(c.market.condition_id, c.market);
        told.closed.push(c);
      }
    }
    this.stats.scans++;
    this.stats.failed_requests += failed;
    if (told.added.length + told.changed.length + told.closed.length > 0) this.deps.onChange(told);
    const report = { at: now, held: this.held.size, added: told.added.length, resolved, refused, failed_requests: failed };
    this.deps.logger?.info({ ...report, selected: set.markets.length }, 'discovery scan');
    return report;
  }
}

/** What to ask Gamma for; both by default. */
export type DiscoveryCategory = 'weather' | 'esports';

/**
 * Asks Gamma for what the configuration trades: each city's temperature events by slug over the
 * judge days, the esports tag's open events, the explicit events, and the explicit and `held`
 * markets by condition id. A failed request is reported and skipped (the rest still count).
 */
export async function gatherGammaAnswers(
  gamma: GammaSource,
  config: DiscoveryConfig,
  policy: ScannerPolicy,
  now: number,
  held: readonly string[],
  onError: (what: string, err: unknown) => void,
  only: DiscoveryCategory | null = null,
): Promise<{ answers: GammaAnswers; failed: number }> {
  let failed = 0;
  const events: Array<DiscoveryResult<EventInfo>> = [];
  const markets: Array<DiscoveryResult<MarketInfo>> = [];
  const ask = async <T>(what: string, call: () => Promise<T[]>, into: T[]): Promise<number> => {
    try {
      const got = await call();
      into.push(...got);
      return got.length;
    } catch (err) {
      failed++;
      onError(what, err);
      return 0;
    }
  };
  if (only !== 'esports') {
    for (const slugs of temperatureSlugs(config, policy, now)) {
      // Newer events end with the year, older ones do not: the second form only when the first is absent.
      for (const slug of slugs) if ((await ask(`GET /events?slug=${slug}`, () => gamma.events({ slug }), events)) > 0) break;
    }
  }
  if (only !== 'weather' && config.esports.games.length > 0) {
    const tag = config.esports.tag_slug;
    await ask(`GET /events?tag_slug=${tag}`, () => gamma.events({ tag_slug: tag, closed: false, active: true, limit: config.page_limit }), events);
  }
  if (only === null) {
    for (const slug of [...config.event_slugs].sort()) await ask(`GET /events?slug=${slug}`, () => gamma.events({ slug }), events);
  }
  const ids = [...new Set([...(only === null ? config.condition_ids : []), ...held])].sort();
  for (let i = 0; i < ids.length; i += CONDITION_IDS_PER_CALL) {
    const batch = ids.slice(i, i + CONDITION_IDS_PER_CALL);
    await ask(`GET /markets?condition_ids=(${batch.length})`, () => gamma.markets({ condition_ids: batch, limit: batch.length }), markets);
  }
  return { answers: { events, markets }, failed };
}

/** Slug candidates (with the year, then without) of every configured city, metric and judge day. */
function temperatureSlugs(config: DiscoveryConfig, policy: ScannerPolicy, now: number): string[][] {
  const out: string[][] = [];
  for (const city of config.temperature.cities) {
    const tz = policy.temperature.station_tz[city.station];
    if (tz === undefined) continue;
    let day = new JudgeCalendar(tz).dayOf(now);
    for (let i = 0; i <= config.temperature.judge_days_ahead; i++) {
      for (const metric of config.temperature.metrics) {
        const input = { metric, city_slug: city.city_slug, date: day };
        out.push([temperatureEventSlug({ ...input, with_year: true }), temperatureEventSlug({ ...input, with_year: false })]);
      }
      day = nextDay(day);
    }
  }
  return out;
}

/** The scanner policy of a configuration: the discovery section, with each watched station's zone. */
export function scannerPolicy(config: Pick<HeliosConfig, 'discovery' | 'weather'>): ScannerPolicy {
  const d = config.discovery;
  const station_tz: Record<string, string> = {};
  for (const s of config.weather.stations) station_tz[s.id] = s.tz;
  return {
    any_event: false,
    temperature: { cities: d.temperature.cities, metrics: d.temperature.metrics, judge_days_ahead: d.temperature.judge_days_ahead, station_tz },
    esports: { games: d.esports.games, leagues: d.esports.leagues },
    event_slugs: d.event_slugs,
    condition_ids: d.condition_ids,
    min_liquidity: d.min_liquidity,
    min_volume: d.min_volume,
  };
}
