import { expect, vi } from 'vitest';
import { WebSocket } from 'ws';
import { decodeMarketFrame } from '../../../src/adapters/polymarket/market-decoder.ts';
import type { MarketMessage } from '../../../src/domain/market/messages.ts';

/**
 * A market-channel client on loopback subscribed to `tokens`: every frame decoded by the production
 * decoder, in order. Resolves once the initial dump's books are in.
 */
export async function decodedSubscriber(url: string, tokens: string[]): Promise<{ ws: WebSocket; messages: MarketMessage[] }> {
  const ws = new WebSocket(url);
  const messages: MarketMessage[] = [];
  ws.on('message', (d) => {
    const { messages: decoded, error } = decodeMarketFrame(d.toString());
    expect(error).toBeNull();
    messages.push(...decoded);
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ assets_ids: tokens, type: 'market', custom_feature_enabled: true }));
  await vi.waitFor(() => expect(messages.some((m) => m.kind === 'book'), 'initial dump').toBe(true), 2_000);
  return { ws, messages };
}

/** The tokens a decoded message is about. */
export function tokensOf(m: MarketMessage): string[] {
  switch (m.kind) {
    case 'price_change':
      return m.changes.map((c) => c.asset_id);
    case 'market_resolved':
    case 'new_market':
      return m.assets_ids;
    case 'pong':
    case 'no_new_assets':
      return [];
    default:
      return [m.asset_id];
  }
}
