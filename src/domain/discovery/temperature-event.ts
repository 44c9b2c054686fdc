import { isCalendarDate, isYesNo, type EventInfo, type MarketInfo } from './gamma-market.ts';
import { tokenSharedAcrossMarkets } from './event-tokens.ts';
import { accept, refuse, type DiscoveryResult } from './result.ts';
import { bucketPartitionProblem, parseTemperatureBucket, sortBuckets, type TemperatureBucket, type TemperatureUnit } from './temperature-buckets.ts';
import { parseTemperatureRule, type TemperatureRule } from './temperature-rules.ts';

/** One bucket market: the bucket, its Yes/No tokens and the market it belongs to. */
export interface TemperatureBucketMarket extends TemperatureBucket {
  condition_id: string;
  yes_token_id: string;
  no_token_id: string;
  market: MarketInfo;
}

/** A daily highest/lowest temperature event whose rules and buckets were all understood. */
export interface TemperatureEvent {
  event_id: string | null;
  slug: string;
  title: string | null;
  metric: 'highest' | 'lowest';
  city_slug: string;
  /** Month and day from the slug; the year only when the slug carries it (newer slugs do). */
  date: { year: number | null; month: number; day: number };
  unit: TemperatureUnit;
  rule: TemperatureRule;
  neg_risk: boolean;
  /** Sorted from the open-below bucket up; an exact partition of the integers. */
  buckets: TemperatureBucketMarket[];
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const SLUG = /^(highest|lowest)-temperature-in-([a-z0-9]+(?:-[a-z0-9]+)*?)-on-([a-z]+)-(\d{1,2})(?:-(\d{4}))?$/;
const CITY_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface TemperatureSlugInput {
  metric: 'highest' | 'lowest';
  /** Polymarket's city word in slugs, e.g. "nyc", "london". */
  city_slug: string;
  /** Local calendar date of the event, YYYY-MM-DD. */
  date: string;
  /** Newer events end with the year (`…-june-12-2026`), older ones do not (`…-january-26`). */
  with_year: boolean;
}

/** `highest-temperature-in-nyc-on-june-12-2026`. Throws RangeError on an invalid city or date. */
export function temperatureEventSlug(input: TemperatureSlugInput): string {
  if (!CITY_SLUG.test(input.city_slug)) throw new RangeError(`not a slug word: ${JSON.stringify(input.city_slug)}`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.date);
  if (m === null || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw new RangeError(`not a date: ${JSON.stringify(input.date)}`);
  const base = `${input.metric}-temperature-in-${input.city_slug}-on-${MONTHS[Number(m[2]) - 1]}-${Number(m[3])}`;
  return input.with_year ? `${base}-${m[1]}` : base;
}

/** The parts of a temperature event slug, or null when the slug is not one. */
export function parseTemperatureEventSlug(slug: string): Pick<TemperatureEvent, 'metric' | 'city_slug' | 'date'> | null {
  const m = SLUG.exec(slug);
  if (m === null) return null;
  const month = MONTHS.indexOf(m[3]!) + 1;
  const day = Number(m[4]);
  const year = m[5] === undefined ? null : Number(m[5]);
  if (month === 0 || !isCalendarDate(year ?? 2000, month, day)) return null; // 2000: a leap year, so Feb 29 passes without one
  return { metric: m[1] === 'lowest' ? 'lowest' : 'highest', city_slug: m[2]!, date: { year, month, day } };
}

/**
 * Map a Gamma event into buckets with their Yes/No tokens, or refuse it: unknown slug, rule text or
 * bucket grammar, a market that could not be mapped, two markets naming the same token, non Yes/No
 * outcomes, buckets that do not partition the integers, or buckets in a unit the rules do not
 * settle in.
 */
export function parseTemperatureEvent(event: EventInfo): DiscoveryResult<TemperatureEvent> {
  const slug = event.slug ?? '';
  const parts = parseTemperatureEventSlug(slug);
  if (parts === null) return refuse('not_temperature_event', `slug ${JSON.stringify(slug)} is not "<highest|lowest>-temperature-in-<city>-on-<month>-<day>[-<year>]"`);
  if (event.rejected_markets.length > 0) {
    const r = event.rejected_markets[0]!;
    return refuse(r.error.code, `market #${r.index}: ${r.error.message}`);
  }
  if (event.markets.length === 0) return refuse('not_a_partition', `${slug}: no markets`);
  const shared = tokenSharedAcrossMarkets(slug, event.markets);
  if (shared !== null) return shared;

  const ruleTexts = [event.description, ...event.markets.map((m) => m.description)].filter((t): t is string => t !== null);
  if (ruleTexts.length === 0) return refuse('unknown_rule_text', `${slug}: no rule text`);
  let rule: TemperatureRule | null = null;
  for (const text of ruleTexts) {
    const parsed = parseTemperatureRule(text);
    if (!parsed.ok) continue;
    if (rule !== null && !sameSettlement(rule, parsed.value)) {
      return refuse('unknown_rule_text', `${slug}: markets disagree on station, unit or source`);
    }
    rule ??= parsed.value;
  }
  if (rule === null) {
    const first = parseTemperatureRule(ruleTexts[0]!);
    return refuse('unknown_rule_text', `${slug}: ${first.ok ? 'unreadable' : first.error.message}`);
  }
  if (rule.metric !== parts.metric) return refuse('unknown_rule_text', `${slug}: slug says ${parts.metric}, rules say ${rule.metric}`);

  const buckets: TemperatureBucketMarket[] = [];
  for (const market of event.markets) {
    const where = market.slug ?? market.condition_id;
    if (market.group_item_title === null) return refuse('unknown_bucket_grammar', `${where}: no groupItemTitle`);
    const bucket = parseTemperatureBucket(market.group_item_title);
    if (bucket === null) return refuse('unknown_bucket_grammar', `${where}: bucket ${JSON.stringify(market.group_item_title)} not understood`);
    if (!isYesNo(market)) return refuse('not_yes_no_market', `${where}: outcomes ${market.outcomes.map((o) => o.name).join('/')}`);
    buckets.push({
      ...bucket,
      condition_id: market.condition_id,
      yes_token_id: tokenNamed(market, 'yes'),
      no_token_id: tokenNamed(market, 'no'),
      market,
    });
  }
  const units = new Set(buckets.map((b) => b.unit));
  if (units.size !== 1 || !units.has(rule.unit)) {
    return refuse('unit_mismatch', `${slug}: buckets in ${[...units].map((u) => '°' + u).join(', ')}, rules settle in °${rule.unit}`);
  }
  const problem = bucketPartitionProblem(buckets);
  if (problem !== null) return refuse('not_a_partition', `${slug}: ${problem}`);
  return accept({
    event_id: event.gamma_id,
    slug,
    title: event.title,
    ...parts,
    unit: rule.unit,
    rule,
    neg_risk: event.neg_risk,
    buckets: sortBuckets(buckets),
  });
}

function sameSettlement(a: TemperatureRule, b: TemperatureRule): boolean {
  return a.metric === b.metric && a.unit === b.unit && a.station_id === b.station_id && a.source === b.source;
}

/** The token of a Yes/No market's outcome, matched without regard to case (checked by isYesNo). */
function tokenNamed(market: MarketInfo, lower: 'yes' | 'no'): string {
  return market.outcomes.find((o) => o.name.toLowerCase() === lower)!.token_id;
}
