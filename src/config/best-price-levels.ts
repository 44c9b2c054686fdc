import type { HeliosConfig } from './schema.ts';

/**
 * The levels a trading decision reads of each side (a slippage walk of k ticks spans at most k + 1
 * levels, and one more shows a walk past the limit): what `market_tape.best_price_levels` must
 * cover, as the trading node's books are exact only down to the levels BEST_PRICE carries.
 */
export function decisionLevels(config: Pick<HeliosConfig, 'trading'>): number {
  return config.trading.orders.max_slippage_ticks + 2;
}

/**
 * How many of each side's levels the books watch for a change that publishes a BEST_PRICE: the
 * touch alone (1) unless `market_tape.best_price_on` is `levels`.
 */
export function bestPriceTriggerLevels(marketTape: Pick<HeliosConfig['market_tape'], 'best_price_on' | 'best_price_levels'>): number {
  return marketTape.best_price_on === 'levels' ? marketTape.best_price_levels : 1;
}

/**
 * `market_tape.best_price_levels` against the levels decisions read. Set by the operator below
 * them: a problem (the books below would be up to a snapshot interval old). Left at the default:
 * raised to them, so a configuration that raised `max_slippage_ticks` alone still loads and its
 * decisions read exact books.
 */
export function alignBestPriceLevels(config: HeliosConfig, setByOperator: boolean): string | null {
  const needed = decisionLevels(config);
  if (config.market_tape.best_price_levels >= needed) return null;
  if (setByOperator) {
    return `at least trading.orders.max_slippage_ticks + 2 (${needed}): decisions read that many levels of each side, and the trading node's books are exact only down to the levels BEST_PRICE carries`;
  }
  config.market_tape.best_price_levels = needed;
  return null;
}
