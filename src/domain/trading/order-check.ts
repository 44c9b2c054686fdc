import { fillFee } from './fees.ts';
import type { MarketSpec } from './market-spec.ts';
import { isMarketable, type PlaceIntent } from './orders.ts';
import { sharesByToken, strategyHolding, type Ledger } from './pnl-ledger.ts';
import type { OrderCheck } from './risk-engine.ts';

/** Risk's view of one order: its worst fee, and whether it lowers the worst case (an exit, or a buy completing a pair). */
export function riskOrderCheck(marketId: string, intent: PlaceIntent, spec: MarketSpec, ledger: Ledger): OrderCheck {
  let reduces = false;
  if (intent.side === 'SELL') reduces = (sharesByToken(ledger)[intent.token_id] ?? 0) + 1e-9 >= intent.size;
  else if (intent.strategy === 'pair_arb') {
    const other = intent.token_id === spec.yes_token ? spec.no_token : spec.yes_token;
    reduces = strategyHolding(ledger, other, 'pair_arb').shares - strategyHolding(ledger, intent.token_id, 'pair_arb').shares > 1e-9;
  }
  return { client_order_id: intent.client_order_id, market_id: marketId, side: intent.side, price: intent.price, size: intent.size, reduces, fee_usdc: fillFee(intent.size, intent.price, isMarketable(intent.order_type) ? 'taker' : 'maker', spec.fee) };
}
