import type { SimFrame, SimMarketSpec } from './synthetic-markets.ts';

type BinaryMarket = Pick<SimMarketSpec, 'market' | 'yes' | 'no'>;

/** The outcome `winningToken` stands for; an error when it is not one of the market's two tokens. */
export function winningOutcome(market: BinaryMarket, winningToken: string): 'Yes' | 'No' {
  if (winningToken === market.yes) return 'Yes';
  if (winningToken === market.no) return 'No';
  throw new Error(`market ${market.market} cannot resolve to ${winningToken}: its tokens are ${market.yes} (Yes) and ${market.no} (No)`);
}

/**
 * The venue's `market_resolved` frame for a binary market (the shape the market channel sends and
 * `decodeMarketResolved` reads): routed to the subscribers of either token.
 */
export function marketResolvedFrame(market: BinaryMarket, winningToken: string, ts: number): SimFrame {
  const outcome = winningOutcome(market, winningToken);
  return {
    assets: [market.yes, market.no],
    body: {
      event_type: 'market_resolved',
      id: `resolved-${market.market.slice(-8)}`,
      market: market.market,
      timestamp: String(ts),
      assets_ids: [market.yes, market.no],
      winning_asset_id: winningToken,
      winning_outcome: outcome,
    },
  };
}
