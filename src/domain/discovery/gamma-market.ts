import type { FeeSchedule } from '../trading/fees.ts';
import { gammaEventSchema, gammaMarketSchema, type GammaMarket } from './gamma-schemas.ts';
import { accept, refuse, type DiscoveryError, type DiscoveryResult } from './result.ts';

/** One outcome of a market with the CLOB token that pays on it. */
export interface MarketOutcome {
  name: string;
  token_id: string;
  /** Gamma's last indicative price; null when absent. */
  price: number | null;
}

/** A Gamma market, mapped: condition id ↔ token ids ↔ outcomes plus what trading needs. */
export interface MarketInfo {
  gamma_id: string | null;
  condition_id: string;
  question: string | null;
  slug: string | null;
  description: string | null;
  resolution_source: string | null;
  /** In the venue's order: index i of clobTokenIds pays on outcome i. */
  outcomes: MarketOutcome[];
  tick_size: number | null;
  min_order_size: number | null;
  neg_risk: boolean;
  neg_risk_market_id: string | null;
  fees_enabled: boolean;
  fee_type: string | null;
  fee_schedule: FeeSchedule | null;
  rebate_rate: number | null;
  start_ms: number | null;
  end_ms: number | null;
  closed_ms: number | null;
  game_start_ms: number | null;
  active: boolean | null;
  closed: boolean | null;
  accepting_orders: boolean | null;
  enable_order_book: boolean | null;
  group_item_title: string | null;
  group_item_threshold: number | null;
  sports_market_type: string | null;
  game_id: string | null;
  line: number | null;
  /** USDC resting in the book and traded in all, as Gamma reports them; null when absent. */
  liquidity: number | null;
  volume: number | null;
}

export interface EventTag {
  id: string | null;
  label: string | null;
  slug: string | null;
}

export interface EventInfo {
  gamma_id: string | null;
  slug: string | null;
  title: string | null;
  description: string | null;
  resolution_source: string | null;
  neg_risk: boolean;
  neg_risk_market_id: string | null;
  start_ms: number | null;
  end_ms: number | null;
  tags: EventTag[];
  markets: MarketInfo[];
  /** Markets of the event that could not be mapped, with why (index into the answer's markets). */
  rejected_markets: Array<{ index: number; error: DiscoveryError }>;
}

export function parseGammaMarket(raw: unknown): DiscoveryResult<MarketInfo> {
  const parsed = gammaMarketSchema.safeParse(raw);
  if (!parsed.success) return refuse('invalid_shape', `market: ${zodIssues(parsed.error.issues)}`);
  const m = parsed.data;
  const where = `market ${m.slug ?? m.conditionId ?? m.id ?? '?'}`;
  if (!m.conditionId) return refuse('invalid_shape', `${where}: no conditionId`);
  const tokens = decodeList(m.clobTokenIds, 'clobTokenIds', where);
  if (!tokens.ok) return tokens;
  if (tokens.value === null || tokens.value.length === 0 || tokens.value.some((t) => t === '')) {
    return refuse('missing_tokens', `${where}: no CLOB token ids yet`);
  }
  const names = decodeList(m.outcomes, 'outcomes', where);
  if (!names.ok) return names;
  if (names.value === null || names.value.length !== tokens.value.length) {
    return refuse('length_mismatch', `${where}: ${tokens.value.length} token ids but ${names.value?.length ?? 0} outcomes`);
  }
  const prices = decodeList(m.outcomePrices, 'outcomePrices', where);
  if (!prices.ok) return prices;
  if (prices.value !== null && prices.value.length !== tokens.value.length) {
    return refuse('length_mismatch', `${where}: ${tokens.value.length} token ids but ${prices.value.length} outcome prices`);
  }
  const dates = datesOf(m, where);
  if (!dates.ok) return dates;
  const fee = m.feeSchedule ?? null;
  return accept({
    gamma_id: m.id === null || m.id === undefined ? null : String(m.id),
    condition_id: m.conditionId,
    question: nonEmpty(m.question),
    slug: nonEmpty(m.slug),
    description: nonEmpty(m.description),
    resolution_source: nonEmpty(m.resolutionSource),
    outcomes: tokens.value.map((token_id, i) => ({
      name: names.value![i]!,
      token_id,
      price: prices.value === null ? null : finiteOrNull(Number(prices.value[i])),
    })),
    tick_size: positiveOrNull(m.orderPriceMinTickSize),
    min_order_size: positiveOrNull(m.orderMinSize),
    neg_risk: m.negRisk === true,
    neg_risk_market_id: nonEmpty(m.negRiskMarketID),
    fees_enabled: m.feesEnabled === true,
    fee_type: nonEmpty(m.feeType),
    fee_schedule: fee === null ? null : { rate: fee.rate, exponent: fee.exponent, taker_only: fee.takerOnly ?? true },
    rebate_rate: fee?.rebateRate ?? null,
    ...dates.value,
    active: m.active ?? null,
    closed: m.closed ?? null,
    accepting_orders: m.acceptingOrders ?? null,
    enable_order_book: m.enableOrderBook ?? null,
    group_item_title: nonEmpty(m.groupItemTitle),
    group_item_threshold: numberOrNull(m.groupItemThreshold),
    sports_market_type: nonEmpty(m.sportsMarketType),
    game_id: m.gameId === null || m.gameId === undefined || m.gameId === '' ? null : String(m.gameId),
    line: numberOrNull(m.line),
    liquidity: numberOrNull(m.liquidityNum ?? m.liquidity),
    volume: numberOrNull(m.volumeNum ?? m.volume),
  });
}

/** An event with its markets; markets that cannot be mapped are listed in `rejected_markets`. */
export function parseGammaEvent(raw: unknown): DiscoveryResult<EventInfo> {
  const parsed = gammaEventSchema.safeParse(raw);
  if (!parsed.success) return refuse('invalid_shape', `event: ${zodIssues(parsed.error.issues)}`);
  const e = parsed.data;
  const where = `event ${e.slug ?? e.id ?? '?'}`;
  const start = parseGammaDate(e.startDate ?? e.startTime);
  const end = parseGammaDate(e.endDate);
  if (start === undefined || end === undefined) return refuse('invalid_date', `${where}: unreadable start/end date`);
  const markets: MarketInfo[] = [];
  const rejected: EventInfo['rejected_markets'] = [];
  (e.markets ?? []).forEach((raw, index) => {
    const m = parseGammaMarket(raw);
    if (m.ok) markets.push(m.value);
    else rejected.push({ index, error: m.error });
  });
  return accept({
    gamma_id: e.id === null || e.id === undefined ? null : String(e.id),
    slug: nonEmpty(e.slug),
    title: nonEmpty(e.title),
    description: nonEmpty(e.description),
    resolution_source: nonEmpty(e.resolutionSource),
    neg_risk: e.negRisk === true,
    neg_risk_market_id: nonEmpty(e.negRiskMarketID),
    start_ms: start,
    end_ms: end,
    tags: (e.tags ?? []).map((t) => ({ id: t.id === null || t.id === undefined ? null : String(t.id), label: t.label ?? null, slug: t.slug ?? null })),
    markets,
    rejected_markets: rejected,
  });
}

/** The token paying on `outcome` (exact name), or null. */
export function tokenForOutcome(market: MarketInfo, outcome: string): string | null {
  return market.outcomes.find((o) => o.name === outcome)?.token_id ?? null;
}

/** The outcome a token pays on, or null when the token is not this market's. */
export function outcomeForToken(market: MarketInfo, tokenId: string): string | null {
  return market.outcomes.find((o) => o.token_id === tokenId)?.name ?? null;
}

/** Yes/No binary market (in either order). */
export function isYesNo(market: MarketInfo): boolean {
  const names = market.outcomes.map((o) => o.name.toLowerCase()).sort();
  return names.length === 2 && names[0] === 'no' && names[1] === 'yes';
}

/**
 * Gamma timestamps in the forms seen: `2026-04-05T21:10:00Z`, `2026-04-05T14:02:57.37498Z`,
 * `2026-04-05 15:10:00+00`, `2026-04-05` (midnight UTC). Epoch ms; null when absent; undefined when
 * present but unreadable.
 */
export function parseGammaDate(text: string | null | undefined): number | null | undefined {
  if (text === null || text === undefined || text === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const month = Number(mo);
  const day = Number(d);
  const ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), frac === '' ? 0 : Math.floor(Number('0.' + frac) * 1000));
  if (!isCalendarDate(Number(y), month, day) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  return ms - offsetMin * 60_000;
}

/** month 1–12; day within that month of that year. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = (Date.UTC(year, month, 1) - Date.UTC(year, month - 1, 1)) / 86_400_000;
  return day <= daysInMonth;
}

function datesOf(m: GammaMarket, where: string): DiscoveryResult<Pick<MarketInfo, 'start_ms' | 'end_ms' | 'closed_ms' | 'game_start_ms'>> {
  const start_ms = parseGammaDate(m.startDate);
  const end_ms = parseGammaDate(m.endDate);
  const closed_ms = parseGammaDate(m.closedTime);
  const game_start_ms = parseGammaDate(m.gameStartTime ?? m.eventStartTime);
  if (start_ms === undefined || end_ms === undefined || closed_ms === undefined || game_start_ms === undefined) {
    return refuse('invalid_date', `${where}: unreadable date`);
  }
  return accept({ start_ms, end_ms, closed_ms, game_start_ms });
}

/** A JSON-encoded string array (or a plain array); null when absent. */
function decodeList(value: string | string[] | null | undefined, field: string, where: string): DiscoveryResult<string[] | null> {
  if (value === null || value === undefined) return accept(null);
  if (Array.isArray(value)) return accept(value);
  let decoded: unknown;
  try {
    decoded = JSON.parse(value);
  } catch {
    return refuse('invalid_json_field', `${where}: ${field} is not JSON: ${value.slice(0, 60)}`);
  }
  if (!Array.isArray(decoded) || !decoded.every((x) => typeof x === 'string')) {
    return refuse('invalid_json_field', `${where}: ${field} is not a JSON array of strings`);
  }
  return accept(decoded as string[]);
}

function nonEmpty(s: string | null | undefined): string | null {
  return s === null || s === undefined || s.trim() === '' ? null : s;
}

function numberOrNull(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined || v === '') return null;
  return finiteOrNull(Number(v));
}

function positiveOrNull(v: number | string | null | undefined): number | null {
  const n = numberOrNull(v);
  return n !== null && n > 0 ? n : null;
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function zodIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
