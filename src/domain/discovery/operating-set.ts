import type { FeeSchedule } from '../trading/fees.ts';
import { civilFromDays, daysFromCivil, isoDate, utcMs } from '../time/civil.ts';
import { JudgeCalendar } from '../weather/judge-calendar.ts';
import { parseEsportsEvent } from './esports-event.ts';
import { tokenSharedAcrossMarkets } from './event-tokens.ts';
import { isYesNo, type EventInfo, type MarketInfo } from './gamma-market.ts';
import { accept, refuse, type DiscoveryErrorCode, type DiscoveryResult } from './result.ts';
import type { TemperatureUnit } from './temperature-buckets.ts';
import { parseTemperatureEvent, parseTemperatureEventSlug } from './temperature-event.ts';

/**
 * What the scanner selects (the `discovery` config section, resolved against the watched
 * stations). The scope filters (cities, metrics, judge days, leagues) decide what is looked at;
 * the station checks apply to every temperature event looked at, whatever put it in scope.
 */
export interface ScannerPolicy {
  /**
   * Every event and market handed in is in scope, as if named in `event_slugs` (`helios discover`
   * judges what it is given): the scope filters are off, the checks are not.
   */
  any_event: boolean;
  temperature: {
    /** Cities traded and the station each must settle on. */
    cities: ReadonlyArray<{ city_slug: string; station: string }>;
    /** Daily highs, lows or both. */
    metrics: ReadonlyArray<'highest' | 'lowest'>;
    /** Judge days from the station's today (0: today only). */
    judge_days_ahead: number;
    /** IANA zone of each watched station (its judge clock). */
    station_tz: Readonly<Record<string, string>>;
  };
  esports: {
    /** Slug prefixes of the titles traded ("cs2", "lol"); an event with another prefix is not a match. */
    games: readonly string[];
    /** Tag slugs or labels an event must carry one of; empty: any league. */
    leagues: readonly string[];
  };
  /** Events and markets traded whatever the filters above say (their checks still apply). */
  event_slugs: readonly string[];
  condition_ids: readonly string[];
  min_liquidity: number;
  min_volume: number;
}

/** One market of the operating set: what trading needs, and what drives its fair value. */
export interface SelectedMarket {
  kind: 'temperature' | 'esports' | 'binary';
  event_slug: string | null;
  event_id: string | null;
  condition_id: string;
  question: string | null;
  /** Esports: the first team's token (YES) and the second's (NO). */
  yes_token: string;
  no_token: string;
  tick_size: number;
  min_size: number;
  neg_risk: boolean;
  /** Null: the venue charges no fee on this market. */
  fee: FeeSchedule | null;
  closed: boolean;
  accepting_orders: boolean;
  /** Once resolved: whether YES won; null while open or when the prices do not say. */
  winner: boolean | null;
  /** USDC in the book and traded, as Gamma reports them (null: not reported). */
  liquidity: number | null;
  volume: number | null;
  /** Markets in the event (a neg-risk event's outcome count); 1 for a standalone market. */
  event_outcomes: number;
  /** Open, accepting orders and above the liquidity/volume floors. */
  tradable: boolean;
  /** Why not tradable (closed, not_accepting_orders, below_min_liquidity, below_min_volume); null when tradable. */
  not_tradable: string | null;
  temperature: {
    station: string;
    metric: 'highest' | 'lowest';
    /** YYYY-MM-DD, the station's local day. */
    judge_date: string;
    label: string;
    bucket: { low: number | null; high: number | null; unit: TemperatureUnit };
  } | null;
  esports: { teams: [string, string]; match_id: string; game: string; game_id: string | null; game_start_ms: number | null } | null;
}

export interface DiscoveryRefusal {
  event_slug: string | null;
  condition_id: string | null;
  code: DiscoveryErrorCode;
  message: string;
}

export interface OperatingSet {
  /** Sorted by condition id. */
  markets: SelectedMarket[];
  refused: DiscoveryRefusal[];
}

/** What Gamma answered, mapped: events (with their markets) and standalone markets (`/markets`). */
export interface GammaAnswers {
  events: ReadonlyArray<DiscoveryResult<EventInfo>>;
  markets: ReadonlyArray<DiscoveryResult<MarketInfo>>;
}

/**
 * The operating set the policy selects from Gamma's answers, and everything refused with why: an
 * answer, event or market that is malformed, contradictory or not understood is refused, never
 * guessed. Events outside the policy are left out silently; markets that are in scope but closed
 * or thin are listed as not tradable (a held market learns it closed or resolved that way).
 */
export function selectOperatingSet(answers: GammaAnswers, policy: ScannerPolicy, nowMs: number): OperatingSet {
  const byId = new Map<string, SelectedMarket>();
  const refused: DiscoveryRefusal[] = [];
  const take = (r: DiscoveryResult<SelectedMarket[]>, slug: string | null) => {
    if (!r.ok) refused.push({ event_slug: slug, condition_id: null, ...r.error });
    else for (const m of r.value) if (!byId.has(m.condition_id)) byId.set(m.condition_id, m);
  };
  for (const answer of answers.events) {
    if (!answer.ok) {
      refused.push({ event_slug: null, condition_id: null, ...answer.error });
      continue;
    }
    const event = answer.value;
    const slug = event.slug;
    // Every field of the schema may be absent, so an error body (`{"error": …}`) parses: it is no event.
    if (slug === null && event.gamma_id === null) {
      refused.push({ event_slug: null, condition_id: null, code: 'invalid_shape', message: 'an answer with neither slug nor id is not a Gamma event' });
      continue;
    }
    const explicit = slug !== null && policy.event_slugs.includes(slug);
    if (slug !== null && parseTemperatureEventSlug(slug) !== null) {
      take(selectTemperature(event, policy, nowMs, explicit || policy.any_event), slug);
    } else if (slug !== null && isEsportsSlug(slug, policy)) {
      if (explicit || policy.any_event || leagueMatches(event, policy)) take(selectEsports(event), slug);
    } else if (explicit || policy.any_event) {
      // Any other event named explicitly (or handed to `helios discover`): its binary markets.
      const rejected = event.rejected_markets[0];
      const shared = tokenSharedAcrossMarkets(slug ?? event.gamma_id ?? '', event.markets);
      if (rejected) take(refuse(rejected.error.code, `market #${rejected.index}: ${rejected.error.message}`), slug);
      else if (shared !== null) take(shared, slug);
      else for (const m of event.markets) takeMarket(binary(m, event, event.markets.length), m, slug);
    }
  }
  for (const answer of answers.markets) {
    if (!answer.ok) {
      refused.push({ event_slug: null, condition_id: null, ...answer.error });
      continue;
    }
    const m = answer.value;
    if (byId.has(m.condition_id)) continue;
    if (policy.condition_ids.includes(m.condition_id) || policy.any_event) takeMarket(binary(m, null, 1), m, null);
  }
  function takeMarket(r: DiscoveryResult<SelectedMarket>, m: MarketInfo, slug: string | null): void {
    if (r.ok) take(accept([r.value]), slug);
    else refused.push({ event_slug: slug, condition_id: m.condition_id, ...r.error });
  }
  const markets = [...byId.values()].map((m) => withFloors(m, policy)).sort((a, b) => (a.condition_id < b.condition_id ? -1 : a.condition_id > b.condition_id ? 1 : 0));
  return { markets, refused };
}

function isEsportsSlug(slug: string, policy: ScannerPolicy): boolean {
  const game = /^([a-z0-9]+)-/.exec(slug)?.[1];
  return game !== undefined && policy.esports.games.includes(game);
}

function leagueMatches(event: EventInfo, policy: ScannerPolicy): boolean {
  if (policy.esports.leagues.length === 0) return true;
  const wanted = new Set(policy.esports.leagues.map((l) => l.toLowerCase()));
  return event.tags.some((t) => (t.slug !== null && wanted.has(t.slug.toLowerCase())) || (t.label !== null && wanted.has(t.label.toLowerCase())));
}

/** `named`: the event was asked for by name (or handed in), so the city, metric and judge-day filters do not apply. */
function selectTemperature(event: EventInfo, policy: ScannerPolicy, nowMs: number, named: boolean): DiscoveryResult<SelectedMarket[]> {
  const parsed = parseTemperatureEvent(event);
  if (!parsed.ok) return parsed;
  const t = parsed.value;
  const { cities, judge_days_ahead, station_tz, metrics } = policy.temperature;
  const city = cities.find((c) => c.city_slug === t.city_slug);
  if (!named && (city === undefined || !metrics.includes(t.metric))) return accept([]);
  const station = t.rule.station_id;
  if (city !== undefined && city.station !== station) {
    return refuse('station_not_watched', `${t.slug}: rules settle on ${station}, the configuration trades ${t.city_slug} on ${city.station}`);
  }
  const judgeDate = judgeDateOf(t.date, event.end_ms ?? event.start_ms);
  if (judgeDate === null) return refuse('invalid_date', `${t.slug}: no year in the slug and no event date to infer it from`);
  const tz = station_tz[station];
  if (tz === undefined) return refuse('station_not_watched', `${t.slug}: station ${station} is not among weather.stations`);
  if (!named) {
    const today = new JudgeCalendar(tz).dayOf(nowMs);
    if (judgeDate < today || judgeDate > addDays(today, judge_days_ahead)) return accept([]);
  }
  const out: SelectedMarket[] = [];
  for (const b of t.buckets) {
    const base = marketBase(b.market, event, t.buckets.length, b.yes_token_id, b.no_token_id);
    if (!base.ok) return refuse(base.error.code, `${b.market.slug ?? b.condition_id}: ${base.error.message}`);
    out.push({
      ...base.value,
      kind: 'temperature',
      temperature: { station, metric: t.metric, judge_date: judgeDate, label: b.label, bucket: { low: b.lo, high: b.hi, unit: b.unit } },
    });
  }
  return accept(out);
}

function selectEsports(event: EventInfo): DiscoveryResult<SelectedMarket[]> {
  const parsed = parseEsportsEvent(event);
  if (!parsed.ok) return parsed;
  const e = parsed.value;
  // Only the match winner has a fair value from truth; maps, handicaps and totals are not traded.
  const ml = e.moneyline.market;
  const base = marketBase(ml, event, 1, ml.outcomes[0]!.token_id, ml.outcomes[1]!.token_id);
  if (!base.ok) return refuse(base.error.code, `${ml.slug ?? ml.condition_id}: ${base.error.message}`);
  return accept([
    {
      ...base.value,
      kind: 'esports',
      esports: { teams: e.teams, match_id: `pm:${e.slug}`, game: e.game, game_id: e.game_id, game_start_ms: e.game_start_ms },
    },
  ]);
}

function binary(m: MarketInfo, event: EventInfo | null, outcomes: number): DiscoveryResult<SelectedMarket> {
  if (m.outcomes.length !== 2) return refuse('not_binary', `${m.slug ?? m.condition_id}: ${m.outcomes.length} outcomes`);
  const yesFirst = !isYesNo(m) || m.outcomes[0]!.name.toLowerCase() === 'yes';
  const [yes, no] = yesFirst ? [m.outcomes[0]!, m.outcomes[1]!] : [m.outcomes[1]!, m.outcomes[0]!];
  const base = marketBase(m, event, outcomes, yes.token_id, no.token_id);
  return base.ok ? accept({ ...base.value, kind: 'binary' }) : refuse(base.error.code, `${m.slug ?? m.condition_id}: ${base.error.message}`);
}

type MarketBase = Omit<SelectedMarket, 'kind'> & { kind: SelectedMarket['kind'] };

/** What every selected market needs, checked: two outcomes, a tick size, a minimum size, a known fee, consistent neg-risk. */
function marketBase(m: MarketInfo, event: EventInfo | null, eventOutcomes: number, yes: string, no: string): DiscoveryResult<MarketBase> {
  if (m.outcomes.length !== 2) return refuse('not_binary', `${m.outcomes.length} outcomes`);
  if (yes === no) return refuse('contradictory_market', 'both outcomes name the same token');
  if (m.tick_size === null) return refuse('tick_size_unknown', 'no orderPriceMinTickSize');
  if (m.tick_size >= 1) return refuse('tick_size_unknown', `tick size ${m.tick_size} is not a price step`);
  if (m.min_order_size === null) return refuse('min_size_unknown', 'no orderMinSize');
  if (m.fees_enabled && m.fee_schedule === null) return refuse('fee_unknown', 'feesEnabled without a feeSchedule');
  if (event !== null && event.neg_risk !== m.neg_risk) return refuse('contradictory_market', `event negRisk ${event.neg_risk} but market negRisk ${m.neg_risk}`);
  const closed = m.closed === true;
  return accept({
    kind: 'binary',
    event_slug: event?.slug ?? null,
    event_id: event?.gamma_id ?? null,
    condition_id: m.condition_id,
    question: m.question,
    yes_token: yes,
    no_token: no,
    tick_size: m.tick_size,
    min_size: m.min_order_size,
    neg_risk: m.neg_risk,
    fee: m.fees_enabled ? m.fee_schedule : null,
    closed,
    accepting_orders: m.accepting_orders === true,
    winner: closed ? yesWon(m, yes) : null,
    liquidity: m.liquidity,
    volume: m.volume,
    event_outcomes: eventOutcomes,
    tradable: true,
    not_tradable: null,
    temperature: null,
    esports: null,
  });
}

/** A resolved binary market prices its winner 1 and its loser 0; anything else says nothing yet. */
function yesWon(m: MarketInfo, yes: string): boolean | null {
  const p = m.outcomes.find((o) => o.token_id === yes)?.price ?? null;
  const other = m.outcomes.find((o) => o.token_id !== yes)?.price ?? null;
  if (p === 1 && other === 0) return true;
  if (p === 0 && other === 1) return false;
  return null;
}

function withFloors(m: SelectedMarket, policy: ScannerPolicy): SelectedMarket {
  const why = notTradable(m, policy);
  return why === null ? m : { ...m, tradable: false, not_tradable: why };
}

function notTradable(m: SelectedMarket, policy: ScannerPolicy): string | null {
  if (m.closed) return 'closed';
  if (!m.accepting_orders) return 'not_accepting_orders';
  // An unreported figure does not pass a floor above zero: thin markets are what the floors keep out.
  if (policy.min_liquidity > 0 && (m.liquidity ?? 0) < policy.min_liquidity) return 'below_min_liquidity';
  if (policy.min_volume > 0 && (m.volume ?? 0) < policy.min_volume) return 'below_min_volume';
  return null;
}

/** The judge date: the slug's month and day, in the slug's year or else the year nearest the event's end. */
function judgeDateOf(date: { year: number | null; month: number; day: number }, anchorMs: number | null): string | null {
  let year = date.year;
  if (year === null) {
    if (anchorMs === null) return null;
    const y = civilFromDays(Math.floor(anchorMs / DAY_MS)).year;
    const distance = (c: number) => Math.abs(utcMs(c, date.month, date.day) - anchorMs);
    year = [y - 1, y, y + 1].reduce((best, c) => (distance(c) < distance(best) ? c : best));
  }
  return isoDate({ year, month: date.month, day: date.day });
}

function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return isoDate(civilFromDays(daysFromCivil(y, m, d) + n));
}

const DAY_MS = 86_400_000;
