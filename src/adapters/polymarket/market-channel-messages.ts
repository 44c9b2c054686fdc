/**
 * What the client writes on the market channel. The first message on a socket is the initial
 * subscription (`type: market`); later changes use `operation: subscribe | unsubscribe`
 * (notes/polymarket.md §1). The venue never acknowledges, so a successful send counts as done.
 */
export const PING_FRAME = 'PING';
export const PONG_FRAME = 'PONG';

export function initialSubscribeMessage(assetIds: readonly string[], customFeatureEnabled: boolean): string {
  return JSON.stringify({ assets_ids: assetIds, type: 'market', custom_feature_enabled: customFeatureEnabled });
}

export function subscribeMessage(assetIds: readonly string[], customFeatureEnabled: boolean): string {
  return JSON.stringify({ assets_ids: assetIds, operation: 'subscribe', custom_feature_enabled: customFeatureEnabled });
}

export function unsubscribeMessage(assetIds: readonly string[]): string {
  return JSON.stringify({ assets_ids: assetIds, operation: 'unsubscribe' });
}
