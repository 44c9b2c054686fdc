import { describe, expect, it } from 'vitest';
import { parseMarketChannelRequest } from '../../src/domain/market/channel-request.ts';

describe('the venue reading a client market-channel message', () => {
  it('reads the initial type:market message and later operations with their flags', () => {
    expect(parseMarketChannelRequest(JSON.stringify({ assets_ids: ['a', 7, 'b'], type: 'MARKET', custom_feature_enabled: true }))).toEqual({
      op: 'subscribe',
      ids: ['a', 'b'],
      initial: true,
      initialDump: true,
      customFeatureEnabled: true,
    });
    expect(parseMarketChannelRequest(JSON.stringify({ assets_ids: ['a'], operation: 'subscribe', initial_dump: false }))).toMatchObject({ op: 'subscribe', initial: false, initialDump: false, customFeatureEnabled: false });
    expect(parseMarketChannelRequest(JSON.stringify({ assets_ids: ['a'], operation: 'unsubscribe' }))).toMatchObject({ op: 'unsubscribe', ids: ['a'] });
  });

  it('ignores what the venue ignores: not JSON, JSON null, no asset list, an unknown operation or type', () => {
    for (const text of ['PING', 'null', '[]', '{"operation":"subscribe"}', '{"assets_ids":["a"],"operation":"resubscribe"}', '{"assets_ids":["a"],"type":"user"}']) {
      expect(parseMarketChannelRequest(text), text).toBeNull();
    }
  });
});
