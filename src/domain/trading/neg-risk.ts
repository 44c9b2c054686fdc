import type { TemperatureEvent } from '../discovery/temperature-event.ts';
import type { TradableBook } from './book-view.ts';
import { allInPerShare, type FeeSchedule } from './fees.ts';
import { raisableLeg, slippageGuard } from './slippage.ts';
import { checkMinimumSize, roundSizeDown, sizeSpendingWalkCost, snapShares, wholeCentLegs, type WholeCentLeg } from './ticks.ts';
import type { MarketEvent } from './market-spec.ts';

/**
 * The event-level view of a neg-risk event (weather temperature buckets): exactly one bucket
 * resolves YES, every other NO. Three consequences the per-market view misses:
 * - arbitrage across buckets: YES of every bucket pays exactly 1, NO of every bucket exactly
 *   n − 1, so buying the full set below that (fees included, at the limits) locks a profit;
 * - exposure is one: what an event can lose is the worst outcome over its buckets, not the sum
 *   of per-market costs (YES on two buckets cannot both win);
 * - allocation is one: a nowcast gives a distribution over buckets, and the growth-optimal bets on
 *   mutually exclusive outcomes (Kelly for a race, Smoczynski & Tomkins 2010) differ from
 *   independent per-market Kelly bets, which over-bet the event.
 */
export interface EventBucket {
  market_id: string;
  yes_token: string;
  no_token: string;
  yes: TradableBook;
  no: TradableBook;
}

export interface SetLeg {
  market_id: string;
  token_id: string;
  /** What the FOK BUY is signed for: what walking the asks for `shares` costs (sizeSpendingWalkCost). */
  size: number;
  /** The shares this leg buys (the set's size; a completing leg's shortfall): the venue's fill of `size` at the asks it was judged on. */
  shares: number;
  limit: number;
}

export type NegRiskArb =
  | { kind: 'buy_yes_set' | 'buy_no_set'; size: number; legs: SetLeg[]; costPerSet: number; payoffPerSet: number; guaranteedPnl: number }
  | { kind: 'none'; reason: string };

export interface NegRiskArbInput {
  buckets: readonly EventBucket[];
  fee: FeeSchedule;
  safetyMargin: number;
  /** Sets to try first (halved until every bound holds). */
  maxSets: number;
  tick: number;
  maxSlippageTicks: number;
  /** Per-order cap, fee included; null: none. */
  maxOrderUsdc: number | null;
}

/**
 * The better of buying one YES of every bucket (pays 1) or one NO of every bucket (pays n − 1),
 * judged at the limits with fees, so that any fills within the limits keep the set profitable.
 */
export function negRiskArbitrage(input: NegRiskArbInput): NegRiskArb {
  const n = input.buckets.length;
  if (n < 2) return { kind: 'none', reason: 'an event needs at least two buckets' };
  const yes = setFor(input, 'yes', 1);
  const no = setFor(input, 'no', n - 1);
  const found = [yes, no].filter((s): s is Exclude<NegRiskArb, { kind: 'none' }> => s.kind !== 'none');
  if (!found.length) return { kind: 'none', reason: `${(yes as { reason: string }).reason}; ${(no as { reason: string }).reason}` };
  return found.sort((a, b) => b.guaranteedPnl - a.guaranteedPnl)[0]!;
}

function setFor(input: NegRiskArbInput, side: 'yes' | 'no', payoff: number): NegRiskArb {
  const buckets = [...input.buckets].sort((x, y) => x.market_id.localeCompare(y.market_id));
  const bound = payoff - input.safetyMargin;
  const costOf = (limits: readonly number[]) => limits.reduce((sum, limit) => sum + allInPerShare(limit, input.fee), 0);
  let size = roundSizeDown(input.maxSets);
  let why = `${side} set: no size fits`;
  while (size > 0) {
    const legs: WholeCentLeg[] = [];
    const avgPrices: number[] = [];
    for (const b of buckets) {
      const book = side === 'yes' ? b.yes : b.no;
      const guard = slippageGuard(book, 'BUY', size, input.tick, input.maxSlippageTicks, true);
      if (!guard.ok) {
        why = `${side} set: ${b.market_id} ${guard.reason}`;
        break;
      }
      legs.push(raisableLeg(book, guard, input.tick, input.maxSlippageTicks, true));
      avgPrices.push(guard.avgPrice);
    }
    if (legs.length === buckets.length) {
      // Every leg alike: a size each leg's venue order buys exactly at its limit, the limits raised
      // within the slippage bound where that locks more (at 3- or 4-decimal prices, often any size).
      const whole = wholeCentLegs(size, legs, input.tick, (s, limits) => {
        const cost = costOf(limits);
        return cost < bound ? s * (payoff - cost) : -Infinity;
      });
      const limits = whole?.limits ?? legs.map((l) => l.from);
      const cost = costOf(limits);
      if (cost >= bound) return { kind: 'none', reason: `${side} set costs ${cost.toFixed(4)} with fees ≥ ${bound.toFixed(4)}` };
      const capped = input.maxOrderUsdc === null ? Infinity : Math.min(...limits.map((limit) => roundSizeDown(input.maxOrderUsdc! / allInPerShare(limit, input.fee))));
      if (capped + 1e-9 < size) {
        size = capped;
        continue;
      }
      if (whole === null || whole.size + 1e-9 < size) {
        why = `${side} set: no size of whole cents at every limit`;
        size = whole?.size ?? 0;
        continue;
      }
      // Each leg signed for what its walk costs: size × limit would buy on past the set's size with
      // what cheaper levels leave over, an excess of that bucket the set does not hedge.
      const setLegs = buckets.map((b, i): SetLeg => ({ market_id: b.market_id, token_id: side === 'yes' ? b.yes_token : b.no_token, size: sizeSpendingWalkCost(size, avgPrices[i]!, limits[i]!), shares: size, limit: limits[i]! }));
      // A leg the venue refuses leaves the others as a partial set: every leg must be a valid marketable order.
      for (const l of setLegs) {
        const min = checkMinimumSize(l.size, l.limit, true, 0);
        if (!min.ok) return { kind: 'none', reason: `${side} set: ${l.market_id} ${min.reason}` };
      }
      return { kind: side === 'yes' ? 'buy_yes_set' : 'buy_no_set', size, legs: setLegs, costPerSet: cost, payoffPerSet: payoff, guaranteedPnl: size * (payoff - cost) };
    }
    size = roundSizeDown(size / 2);
  }
  return { kind: 'none', reason: why };
}

/** Shares held per bucket of one event, with what they cost (fees included). */
export interface BucketPosition {
  market_id: string;
  yes_shares: number;
  no_shares: number;
}

/**
 * PnL of the event's positions for each possible winning bucket: YES of the winner pays 1, NO of
 * every other bucket pays 1. `spent`: everything paid for them (cost and fees).
 */
export function eventOutcomes(positions: readonly BucketPosition[], spent: number, outcomes = positions.length): Record<string, number> {
  const out: Record<string, number> = {};
  const allNo = positions.reduce((s, p) => s + p.no_shares, 0);
  for (const w of positions) out[w.market_id] = w.yes_shares + (allNo - w.no_shares) - spent;
  // A bucket without a position here may win as well: then every NO held pays and no YES does.
  if (outcomes > positions.length) out[UNLISTED_WINNER] = allNo - spent;
  return out;
}

/** The outcome key of eventOutcomes for "a bucket not among the positions wins". */
export const UNLISTED_WINNER = '(another bucket)';

/**
 * One exposure per event: the loss of its worst outcome (0 when every outcome gains).
 * `outcomes`: the event's bucket count, when positions do not list every bucket.
 */
export function eventExposure(positions: readonly BucketPosition[], spent: number, outcomeCount = positions.length): number {
  const outcomes = Object.values(eventOutcomes(positions, spent, outcomeCount));
  return outcomes.length ? Math.max(0, -Math.min(...outcomes)) : spent;
}

export interface AllocationInput {
  /** Per bucket: the nowcast's probability that it wins and the all-in cost of one YES share. */
  buckets: ReadonlyArray<{ market_id: string; p: number; cost: number }>;
  bankrollUsdc: number;
  /** Fractional Kelly (e.g. 0.25). */
  kellyFraction: number;
  /** At most this much of the bankroll on the whole event. */
  maxEventFraction: number;
  /** Hard cap for the event, USDC. */
  maxEventUsdc: number;
}

export interface Allocation {
  /** USDC to spend on YES of each bucket (0 for buckets not worth a bet), sorted by market id. */
  stakes: Array<{ market_id: string; stakeUsdc: number; p: number; cost: number }>;
  totalUsdc: number;
  /** Smoczynski–Tomkins reserve rate: buckets are bet on while p / cost exceeds it. */
  reserve: number;
}

/**
 * Growth-optimal bets on mutually exclusive outcomes (one bucket wins): bet on the buckets with
 * p / cost above the reserve rate R = (1 − Σ p) / (1 − Σ cost) over the chosen set, each with the
 * bankroll fraction p − R × cost; then scaled by the Kelly fraction and capped for the event as a
 * whole. When every bucket is chosen and their costs sum under 1, that is the arbitrage: R is 0
 * and the whole bankroll is staked, which the event caps bound (negRiskArbitrage prices it better).
 */
export function allocateAcrossBuckets(input: AllocationInput): Allocation {
  const ranked = input.buckets
    .filter((b) => b.cost > 0 && b.cost < 1 && b.p > 0)
    .map((b) => ({ ...b, ratio: b.p / b.cost }))
    .sort((a, b) => b.ratio - a.ratio || a.market_id.localeCompare(b.market_id));
  let sumP = 0;
  let sumC = 0;
  let reserve = 1;
  let chosen = 0;
  for (const b of ranked) {
    const r = sumC < 1 ? (1 - sumP) / (1 - sumC) : Infinity;
    if (b.ratio <= r || sumC + b.cost >= 1) break;
    // Every bucket chosen with Σ p = 1: R below is 0 (or the arbitrage when Σ cost < 1).
    sumP += b.p;
    sumC += b.cost;
    chosen += 1;
    reserve = (1 - sumP) / (1 - sumC);
  }
  const fractions = new Map<string, number>();
  for (const b of ranked.slice(0, chosen)) fractions.set(b.market_id, Math.max(0, b.p - reserve * b.cost));
  const full = [...fractions.values()].reduce((s, f) => s + f, 0) * input.kellyFraction * input.bankrollUsdc;
  const cap = Math.min(input.maxEventUsdc, input.maxEventFraction * input.bankrollUsdc);
  const scale = full > cap && full > 0 ? cap / full : 1;
  const stakes = [...input.buckets]
    .sort((a, b) => a.market_id.localeCompare(b.market_id))
    .map((b) => ({ market_id: b.market_id, p: b.p, cost: b.cost, stakeUsdc: (fractions.get(b.market_id) ?? 0) * input.kellyFraction * input.bankrollUsdc * scale }));
  return { stakes, totalUsdc: stakes.reduce((s, x) => s + x.stakeUsdc, 0), reserve };
}

/**
 * The event a discovered temperature event's bucket markets belong to: one id for the whole day
 * (the venue's event id, else its slug), its neg-risk flag, and every bucket counted.
 */
export function marketEventOf(te: Pick<TemperatureEvent, 'event_id' | 'slug' | 'neg_risk' | 'buckets'>): MarketEvent {
  return { event_id: te.event_id ?? te.slug, neg_risk: te.neg_risk, outcomes: te.buckets.length };
}

export interface SetCompletionInput {
  /**
   * The buckets the set is short of, each with the book of the token its leg buys and the shares it
   * lacks: a killed leg's whole share of the set, a leg that filled fewer (the book moved) its shortfall.
   */
  missing: ReadonlyArray<{ market_id: string; token_id: string; book: TradableBook; shares: number }>;
  /** The set's size: its payoff and `paidPerSet` are per set, this many shares of every bucket. */
  setSize: number;
  /** What the legs' filled shares cost per set, fees included (at their limits: fills are never worse). */
  paidPerSet: number;
  payoffPerSet: number;
  fee: FeeSchedule;
  safetyMargin: number;
  tick: number;
  maxSlippageTicks: number;
}

/**
 * The way out of a partial set: buy what each short leg lacks while the whole set, at every limit
 * with fees, still costs less than it pays; otherwise wait (the caller bounds how long).
 */
export function completeSet(input: SetCompletionInput): { kind: 'complete'; legs: SetLeg[]; costPerSet: number } | { kind: 'wait'; reason: string } {
  const legs: SetLeg[] = [];
  let cost = input.paidPerSet;
  for (const m of [...input.missing].sort((a, b) => a.market_id.localeCompare(b.market_id))) {
    const guard = slippageGuard(m.book, 'BUY', m.shares, input.tick, input.maxSlippageTicks, true);
    if (!guard.ok) return { kind: 'wait', reason: `${m.market_id} ${guard.reason}` };
    // The shortfall, or just above where that is not whole cents at the limit (short would leave
    // the set open), the limit raised within the slippage bound where that spends less: at 0.539
    // whole cents are tens of shares, at 0.540 halves.
    const leg = raisableLeg(m.book, guard, input.tick, input.maxSlippageTicks, true);
    const whole = wholeCentLegs(m.shares, [leg], input.tick, (size, [limit]) => -size * allInPerShare(limit!, input.fee), 'up');
    if (whole === null) return { kind: 'wait', reason: `${m.market_id} no size of whole cents near ${m.shares} from ${guard.worstPrice}` };
    const { size, limits: [limit] } = whole;
    const min = checkMinimumSize(size, limit!, true, 0);
    if (!min.ok) return { kind: 'wait', reason: `${m.market_id} ${min.reason}` };
    // Per set: a shortfall is a fraction of the set's shares of this bucket.
    cost += (size * allInPerShare(limit!, input.fee)) / input.setSize;
    // Signed for what walking the asks for the shortfall costs (a whole-cent step at most above it).
    legs.push({ market_id: m.market_id, token_id: m.token_id, size: sizeSpendingWalkCost(m.shares, guard.avgPrice, limit!), shares: m.shares, limit: limit! });
  }
  const bound = input.payoffPerSet - input.safetyMargin;
  if (cost >= bound) return { kind: 'wait', reason: `completed set would cost ${cost.toFixed(4)} with fees ≥ ${bound.toFixed(4)}` };
  return { kind: 'complete', legs, costPerSet: cost };
}

/**
 * How far a leg's fill may fall short of its shares and still count as whole. The venue delivers
 * whole micro-shares, rounding the shares of the ask level its dollars run out in (market-buy.ts
 * `walkAskDollars`), so a leg signed for its walk's cost (sizeSpendingWalkCost) buys its shares on
 * the book it was judged on less at most that rounding; ten micro-shares also cover a sum of fills'
 * float noise. More is the book having moved. Not the leg's whole-cent step: at three- or
 * four-decimal limits that is up to 100 shares (0.5391), a shortfall worth completing.
 */
export const SET_LEG_SHARE_TOLERANCE = 1e-5;

/** The shares a set leg lacks after filling `filled` of its `shares`: 0 when whole within the tolerance. */
export function setLegShortfall(shares: number, filled: number): number {
  const short = snapShares(shares - filled);
  return short > SET_LEG_SHARE_TOLERANCE ? short : 0;
}

/**
 * Whether a shortfall can be bought on its own: a marketable BUY needs the venue's $1 minimum, and a
 * share costs at most 1 − tick. One under $1 even there is under it at every price: only buying
 * more than the leg lacks reaches $1, a new position in that bucket rather than a completion (its
 * extra shares lose their cost whenever another bucket wins), and no wait changes that. One above
 * it is bought at some price, so it waits like a killed leg: its bucket's ask rising, when the
 * shortfall's exposure matters more, is what lifts the purchase to $1.
 */
export function shortfallBuyable(shares: number, tick: number): boolean {
  return checkMinimumSize(shares, 1 - tick, true, 0).ok;
}
