import type { TradingConfig } from '../../config/sections/trading.ts';
import { levelsBook, type TradableBook } from './book-view.ts';
import { decideEdge, type EdgeDecision, type EdgeToken } from './edge.ts';
import { eventStakeUsdc } from './event-stake.ts';
import { allInPerShare } from './fees.ts';
import type { MarketSpec } from './market-spec.ts';
import { matchedLedger } from './matched-holdings.ts';
import { PERMISSIONS, permittedIntents, type MarketStateName } from './market-states.ts';
import {
  clientOrderId,
  hasOverstayed,
  isTerminal,
  orderTypeFor,
  restingExpiry,
  type OrderIntent,
  type OrderRecord,
  type PlaceIntent,
  type StrategyName,
} from './orders.ts';
import { decidePair, flatPairCannotEnter, type PairDecision } from './pair-arb.ts';
import { strategyHolding, type Ledger } from './pnl-ledger.ts';
import { bucketProbability, isPolicyValid, policyFromNowcast, policyFromTruth, type NowcastSignal, type Policy, type TruthSignal } from './policy.ts';
import type { MarketSignals } from './signals.ts';

/**
 * One decision step of a market actor, pure: given its state and latest signals, which orders to
 * place and cancel. Strategies propose; the state's permissions dispose (permittedIntents).
 */
export interface PlanInput {
  state: MarketStateName;
  spec: MarketSpec;
  signals: MarketSignals;
  /** The fills heard; each decision adds what the orders report matched beyond them (matchedLedger). */
  ledger: Ledger;
  orders: Record<string, OrderRecord>;
  /** Next client-order sequence number. */
  seq: number;
  /** Reconciled with the venue since start-up (or restart). */
  synced: boolean;
  /** Truth is effectively final or the market resolved: the machine is about to finalize. */
  finalizing: boolean;
  /** An order just ended: no new order until a fresh book arrives. */
  awaitBook: boolean;
  haltCauses: readonly string[];
  nowMs: number;
  /** When the pair's current naked leg began (null or absent: none). */
  nakedSinceMs?: number | null;
  /**
   * Set when the market left HALT before its cool-down ended, to close a naked pair leg: until this
   * time nothing else goes out (null or absent: nothing held back).
   */
  entriesHeldUntilMs?: number | null;
  cfg: TradingConfig;
}

export type PlanMode = 'none' | 'pair' | 'edge';

export interface Plan {
  /** What the decision sends (a shared empty array when nothing: most decisions). */
  intents: readonly OrderIntent[];
  seq: number;
  mode: PlanMode;
  pairLocked: boolean;
  note: string;
}

export function liveOrders(orders: Record<string, OrderRecord>): OrderRecord[] {
  if (!hasLiveOrders(orders)) return [];
  return Object.keys(orders)
    .sort()
    .map((k) => orders[k]!)
    .filter((o) => !isTerminal(o.status));
}

/** Whether any order is still live, without sorting the finished ones a market keeps (every decision asks). */
export function hasLiveOrders(orders: Record<string, OrderRecord>): boolean {
  for (const k in orders) if (!isTerminal(orders[k]!.status)) return true;
  return false;
}

/** Nothing to send: one shared array for every decision that sends nothing (most of them). */
const NO_INTENTS: readonly OrderIntent[] = Object.freeze([]);

function cancelsFor(input: PlanInput, live: boolean): readonly OrderIntent[] {
  if (!live) return NO_INTENTS;
  const out: OrderIntent[] = [];
  for (const o of liveOrders(input.orders)) {
    if (o.cancel_requested) continue;
    const cancelAll = input.state === 'HALT' || input.state === 'FINALIZING';
    const lockedBuy = input.state === 'LOCKED_PAIR' && o.side === 'BUY';
    if (cancelAll) out.push({ kind: 'cancel', client_order_id: o.client_order_id, reason: `state ${input.state}` });
    else if (lockedBuy) out.push({ kind: 'cancel', client_order_id: o.client_order_id, reason: 'pair locked' });
    else if (hasOverstayed(o, input.nowMs, input.cfg.orders)) out.push({ kind: 'cancel', client_order_id: o.client_order_id, reason: 'max time in book' });
  }
  return out;
}

function bookOf(s: MarketSignals, token: string): TradableBook | null {
  const b = s.books[token];
  return b && b.synced && b.levels ? levelsBook(b.levels) : null;
}

/**
 * Policies derived from one truth/nowcast payload for one market, computed once: decisions run on
 * every book signal, the model's output changes far less often.
 */
const derived = new WeakMap<object, WeakMap<MarketSpec, Policy | null>>();

/** A valid published policy wins; otherwise one is derived from the latest truth or nowcast. */
export function effectivePolicy(input: Pick<PlanInput, 'spec' | 'signals' | 'nowMs' | 'cfg'>): Policy | null {
  const { spec, signals: s, nowMs, cfg } = input;
  if (isPolicyValid(s.policy, nowMs)) return s.policy;
  const source = spec.fair_source.kind === 'truth' ? s.truth?.payload : spec.fair_source.kind === 'nowcast' ? s.nowcast?.payload : undefined;
  if (!source) return null;
  let perSpec = derived.get(source);
  if (!perSpec) derived.set(source, (perSpec = new WeakMap()));
  const cached = perSpec.get(spec);
  if (cached !== undefined && (cached === null || cached.edge_threshold === cfg.temporal.edge_threshold)) return cached;
  // Derived policies live as long as their input: staleness of that input is a halt cause.
  const p = derivePolicy(spec, source, cfg, Number.MAX_SAFE_INTEGER, 0);
  perSpec.set(spec, p);
  return p;
}

/**
 * The one policy derivation: a market's fair values from the truth or nowcast payload its fair
 * source names (anything else: null), with the temporal strategy's caps and threshold. The trading
 * router publishes it on `policy`; a market without a published one derives it here itself.
 */
export function derivePolicy(spec: MarketSpec, source: TruthSignal | NowcastSignal, cfg: TradingConfig, ttlMs: number, nowMs: number): Policy | null {
  const d = { edge_threshold: cfg.temporal.edge_threshold, max_order_usdc: cfg.temporal.hard_cap_usdc, max_position_usdc: cfg.temporal.hard_cap_usdc, ttl_ms: ttlMs };
  const fs = spec.fair_source;
  if (fs.kind === 'truth' && 'implied_p' in source) return policyFromTruth(source, fs.outcome_by_token, d, nowMs);
  if (fs.kind === 'nowcast' && 'qc_gate' in source) return policyFromNowcast(source, fs, d, nowMs);
  return null;
}

/** The plan with the step's cancels first, as far as the state permits them. */
function planOf(input: PlanInput, cancels: readonly OrderIntent[], mode: PlanMode, extra: readonly OrderIntent[], seq: number, note: string, pairLocked = false): Plan {
  const proposed = cancels.length === 0 ? extra : extra.length === 0 ? cancels : [...cancels, ...extra];
  return { intents: proposed.length ? permittedIntents(input.state, proposed) : NO_INTENTS, seq, mode, pairLocked, note };
}

export function plan(heard: PlanInput): Plan {
  const ledger = matchedLedger(heard.ledger, heard.orders, heard.spec.fee);
  const input = ledger === heard.ledger ? heard : { ...heard, ledger };
  // Every market decides on every signal: `planOf` rather than a closure over the cancels.
  // Whether any order is live, asked once: the cancels and the in-flight wait below both need it.
  const live = hasLiveOrders(input.orders);
  const cancels = cancelsFor(input, live);
  const perms = PERMISSIONS[input.state];
  if (!perms.buy && !perms.sell) return planOf(input, cancels, 'none', NO_INTENTS, input.seq, `state ${input.state}`);
  if (!input.synced) return planOf(input, cancels, 'none', NO_INTENTS, input.seq, 'awaiting reconciliation');
  if (!input.spec.admitted) return planOf(input, cancels, 'none', NO_INTENTS, input.seq, `not admitted: ${input.spec.admission_reason ?? 'resolution risk'}`);
  if (input.haltCauses.length) return planOf(input, cancels, 'none', NO_INTENTS, input.seq, `halt causes: ${input.haltCauses.join(',')}`);
  if (input.finalizing) return planOf(input, cancels, 'none', NO_INTENTS, input.seq, 'finalizing');
  // One decision in flight at a time: wait for the venue's answer before the next order.
  if (live) return planOf(input, cancels, 'none', NO_INTENTS, input.seq, 'orders in flight');
  if (input.awaitBook) return planOf(input, cancels, 'none', NO_INTENTS, input.seq, 'awaiting a fresh book');

  const s = input.signals;
  const allowBuy = perms.buy && s.risk.state === 'ACTIVE' && !s.risk.market_tripped;
  const coolingDown = isCoolingDown(input);
  const wantPair = input.spec.strategies.pair_arb && input.cfg.pair_arb.enabled && (input.state === 'IDLE' || input.state === 'BUILDING_PAIR');
  const wantEdge = input.spec.strategies.temporal && input.cfg.temporal.enabled && (input.state === 'IDLE' || input.state === 'TEMPORAL_ACTIVE');

  // In IDLE a pair that waits hands over to the edge strategy, whatever it waits for: books on
  // which no chunk can enter need no walk (most book signals of a quiet market).
  if (wantPair && !(input.state === 'IDLE' && pairEntryRuledOut(input))) {
    const entryRefusal = coolingDown ? coolDownNote(input) : allowBuy ? null : 'buys not allowed by risk';
    const pd = pairDecision(input, entryRefusal, perms.buy && s.risk.state !== 'HALTED' && !s.risk.market_tripped, perms.sell);
    if (pd && pd.kind !== 'wait') {
      const { intents, seq } = pairIntents(input, pd);
      return planOf(input, cancels, 'pair', intents, seq, pd.kind, pd.kind === 'locked');
    }
    if (input.state === 'BUILDING_PAIR') return planOf(input, cancels, 'none', NO_INTENTS, input.seq, pd ? pd.reason : 'books not ready');
  }
  if (wantEdge) {
    if (coolingDown) return planOf(input, cancels, 'none', NO_INTENTS, input.seq, coolDownNote(input));
    const ed = edgeDecision(input, allowBuy, perms.sell);
    if (ed.kind !== 'none') {
      const { intents, seq } = edgeIntents(input, ed);
      return planOf(input, cancels, 'edge', intents, seq, `${ed.kind} edge ${ed.edge.toFixed(4)}`);
    }
    return planOf(input, cancels, 'none', NO_INTENTS, input.seq, ed.reason);
  }
  return planOf(input, cancels, 'none', NO_INTENTS, input.seq, 'no strategy applies');
}

/** A flat pair (nothing held) whose books rule out every entry: its decision can only be a wait. */
function pairEntryRuledOut(input: PlanInput): boolean {
  const { yes_token, no_token } = input.spec;
  const yes = input.signals.books[yes_token];
  const no = input.signals.books[no_token];
  if (!yes?.synced || !yes.levels || !no?.synced || !no.levels) return false;
  return flatPairCannotEnter(yes.levels, no.levels, strategyHolding(input.ledger, yes_token, 'pair_arb'), strategyHolding(input.ledger, no_token, 'pair_arb'), input.cfg.pair_arb.safety_margin);
}

/** A halt's cool-down still runs: the market is out of HALT only to close a naked pair leg. */
function isCoolingDown(input: Pick<PlanInput, 'nowMs' | 'entriesHeldUntilMs'>): boolean {
  return input.entriesHeldUntilMs != null && input.nowMs < input.entriesHeldUntilMs;
}

function coolDownNote(input: Pick<PlanInput, 'entriesHeldUntilMs'>): string {
  return `halt cool-down until ${input.entriesHeldUntilMs}: nothing new before it ends`;
}

/**
 * Entries need `entryRefusal` null (buys allowed by risk, no halt cool-down running); closing a
 * naked leg (complete or unwind) only the state's permission.
 */
function pairDecision(input: PlanInput, entryRefusal: string | null, allowHedge: boolean, allowSell: boolean): PairDecision | null {
  const yes = bookOf(input.signals, input.spec.yes_token);
  const no = bookOf(input.signals, input.spec.no_token);
  if (!yes || !no) return null;
  const d = decidePair({
    yes,
    no,
    holdings: { yes: strategyHolding(input.ledger, input.spec.yes_token, 'pair_arb'), no: strategyHolding(input.ledger, input.spec.no_token, 'pair_arb') },
    fee: input.spec.fee,
    tick: input.spec.tick_size,
    maxSlippageTicks: input.cfg.orders.max_slippage_ticks,
    fillOrKill: input.cfg.orders.marketable_type === 'FOK',
    cfg: input.cfg.pair_arb,
    sizeScale: input.signals.risk.size_scale,
    maxOrderUsdc: input.signals.risk.max_order_usdc ?? null,
    nowMs: input.nowMs,
    nakedSinceMs: input.nakedSinceMs ?? null,
  });
  if (d.kind === 'enter' && entryRefusal !== null) return { kind: 'wait', reason: entryRefusal };
  if (d.kind === 'complete' && !allowHedge) return { kind: 'wait', reason: 'completing buy not allowed' };
  if (d.kind === 'unwind' && !allowSell) return { kind: 'wait', reason: 'unwinding sell not allowed' };
  return d;
}

function edgeDecision(input: PlanInput, allowBuy: boolean, allowSell: boolean): EdgeDecision {
  const policy = effectivePolicy(input);
  if (!policy) return { kind: 'none', reason: 'no fair value' };
  const yes = edgeToken(input, policy, input.spec.yes_token, allowSell);
  const no = edgeToken(input, policy, input.spec.no_token, allowSell);
  // Built at its final length: an empty array grown by a push reserves spare slots on every decision.
  const tokens: EdgeToken[] = yes && no ? [yes, no] : yes ? [yes] : no ? [no] : [];
  if (!tokens.length) return { kind: 'none', reason: 'books not ready' };
  const stakes = eventStakes(input, tokens);
  return decideEdge({
    tokens: stakes ?? tokens,
    threshold: policy.edge_threshold,
    // Within risk's per-order cap too (as pair chunks are): an order over it is only refused, and
    // the refusals trip the market's breaker.
    maxOrderUsdc: Math.min(policy.max_order_usdc, input.signals.risk.max_order_usdc ?? Infinity),
    maxPositionUsdc: policy.max_position_usdc,
    fee: input.spec.fee,
    tick: input.spec.tick_size,
    maxSlippageTicks: input.cfg.orders.max_slippage_ticks,
    fillOrKill: input.cfg.orders.marketable_type === 'FOK',
    minOrderShares: input.spec.min_order_size,
    sizeScale: input.signals.risk.size_scale,
    allowBuy,
    cfg: input.cfg.temporal,
  });
}

/** Nothing held: shared, never changed (most tokens of most markets, on every decision). */
const FLAT: EdgeToken['holding'] = Object.freeze({ shares: 0, cost: 0 });

/** What the edge strategy weighs of `token`: its book, fair value and temporal holding (what may be sold only if `allowSell`); null without a book or a fair value. */
function edgeToken(input: PlanInput, policy: Policy, token: string, allowSell: boolean): EdgeToken | null {
  const book = bookOf(input.signals, token);
  const fair = policy.fair_value[token];
  if (!book || fair === undefined) return null;
  const h = strategyHolding(input.ledger, token, 'temporal');
  const shares = allowSell ? h.shares : 0;
  return { token_id: token, book, fair, holding: shares === 0 && h.cost === 0 ? FLAT : { shares, cost: h.cost } };
}

/**
 * A nowcast bucket of a neg-risk event bets as part of one allocation over the event's buckets:
 * its YES may hold what the allocation gives it; its NO enters nothing (a NO on one bucket is a bet
 * on all the others, which the allocation prices as such). Null: a standalone market, sized alone.
 */
function eventStakes(input: PlanInput, tokens: EdgeToken[]): EdgeToken[] | null {
  const { spec, signals } = input;
  if (!spec.event?.neg_risk || spec.fair_source.kind !== 'nowcast') return null;
  const yes = tokens.find((t) => t.token_id === spec.yes_token);
  const ask = yes?.book.bestAsk();
  const self = { market_id: spec.market_id, bucket_label: spec.fair_source.bucket_label, p: yes?.fair ?? null, cost: ask ? allInPerShare(ask.price, spec.fee) : null, held: strategyHolding(input.ledger, spec.yes_token, 'temporal').cost };
  // A nowcast reaches the buckets one at a time: every bucket's p comes from the one this bucket holds.
  const nowcast = signals.nowcast?.payload;
  const others = (signals.risk.event_buckets ?? []).map((b) => (nowcast && b.bucket_label !== null ? { ...b, p: bucketProbability(nowcast, b.bucket_label) } : b));
  const stake = eventStakeUsdc(self, others, input.cfg.temporal, signals.risk.size_scale);
  return tokens.map((t) => ({ ...t, stakeUsdc: t.token_id === spec.yes_token ? stake : 0 }));
}

function place(input: PlanInput, seq: number, strategy: StrategyName, token: string, side: 'BUY' | 'SELL', size: number, price: number, style: 'marketable' | 'resting'): PlaceIntent {
  const order_type = orderTypeFor(style, input.cfg.orders);
  return {
    kind: 'place',
    client_order_id: clientOrderId(input.spec.market_id, strategy, seq),
    market_id: input.spec.market_id,
    token_id: token,
    side,
    order_type,
    price,
    size,
    strategy,
    expires_at_ms: restingExpiry(order_type, input.nowMs, input.cfg.orders),
  };
}

function pairIntents(input: PlanInput, d: PairDecision): { intents: OrderIntent[]; seq: number } {
  const tokenOf = (leg: 'yes' | 'no') => (leg === 'yes' ? input.spec.yes_token : input.spec.no_token);
  let seq = input.seq;
  if (d.kind === 'enter') {
    const intents = d.legs.map((l) => place(input, seq++, 'pair_arb', tokenOf(l.leg), 'BUY', l.size, l.limit, 'marketable'));
    return { intents, seq };
  }
  if (d.kind === 'complete' || d.kind === 'unwind') return { intents: [place(input, seq++, 'pair_arb', tokenOf(d.order.leg), d.order.side, d.order.size, d.order.limit, 'marketable')], seq };
  return { intents: [], seq };
}

function edgeIntents(input: PlanInput, d: Exclude<EdgeDecision, { kind: 'none' }>): { intents: OrderIntent[]; seq: number } {
  const style = d.kind === 'buy' ? d.style : 'marketable';
  const side = d.kind === 'buy' ? 'BUY' : 'SELL';
  return { intents: [place(input, input.seq, 'temporal', d.token_id, side, d.size, d.limit, style)], seq: input.seq + 1 };
}
