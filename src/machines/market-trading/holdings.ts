import { matchedLedger, matchedPairImbalance } from '../../domain/trading/matched-holdings.ts';
import type { OrderRecord, StrategyName } from '../../domain/trading/orders.ts';
import { guaranteedPairPnl } from '../../domain/trading/pair-arb.ts';
import { strategyHolding, type Ledger } from '../../domain/trading/pnl-ledger.ts';
import type { MarketTradingContext } from './context.ts';

const SHARE_EPS = 1e-9;

/**
 * What a market holds as its states judge it: the fills heard plus what its orders report
 * matched beyond them (matchedLedger), as its decisions see it.
 */
function held(ctx: Pick<MarketTradingContext, 'spec' | 'ledger' | 'orders'>, ledger = ctx.ledger, orders = ctx.orders): Ledger {
  return matchedLedger(ledger, orders, ctx.spec.fee);
}

export function holds(ctx: MarketTradingContext, strategy: StrategyName): boolean {
  const { yes_token, no_token } = ctx.spec;
  const l = held(ctx);
  return strategyHolding(l, yes_token, strategy).shares > SHARE_EPS || strategyHolding(l, no_token, strategy).shares > SHARE_EPS;
}

export function pairLockedNow(ctx: MarketTradingContext): boolean {
  const { yes_token, no_token } = ctx.spec;
  const l = held(ctx);
  return guaranteedPairPnl(strategyHolding(l, yes_token, 'pair_arb'), strategyHolding(l, no_token, 'pair_arb')) > 0;
}

/** Keeps the start of the current naked leg, or clears it once the pair is balanced again (as matched at the venue). */
export function nakedSince(ctx: MarketTradingContext, ledger: Ledger, orders: Record<string, OrderRecord>, nowMs: number): number | null {
  return matchedPairImbalance(ledger, orders, ctx.spec) ? (ctx.nakedSinceMs ?? nowMs) : null;
}
