import { describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { InMemoryDesiredSet } from '../../src/domain/subscriptions/desired-set.ts';
import { MarketFeed } from '../../src/runtime/market-tape/market-feed.ts';
import { fastTapeConfig } from '../feed/support/feed-fixtures.ts';
import { startLoopback } from '../truth/loopback.ts';
import { ConnectionBooks } from '../../src/adapters/polymarket/connection-books.ts';
import { MalformedFrameReporter } from '../../src/adapters/polymarket/market-decoder.ts';
import { TapePublisher } from '../../src/adapters/polymarket/tape-publisher.ts';
import { CollectingSink, EventFactory, ulidGenerator } from '../../src/domain/events/index.ts';
import type { MarketResolvedMessage, NewMarketMessage } from '../../src/domain/market/messages.ts';
import { seededRng } from '../../src/domain/util/random.ts';

/** The market channel's custom features reach discovery: a market appearing or resolving anywhere on the venue. */
describe('venue notices from the market channel', () => {
  it('tells new_market and market_resolved frames to the notice hook, for tokens carried or not', () => {
    const clock = new VirtualClock(1_766_790_000_000);
    const sink = new CollectingSink();
    const publisher = new TapePublisher(sink, new EventFactory(clock, ulidGenerator(seededRng(3))), clock, { topLevels: 2, imbalanceLevels: 2, emitL2Delta: false, snapshotIntervalMs: 1_000, bestPriceFlushMs: 100 });
    const notices: Array<NewMarketMessage | MarketResolvedMessage> = [];
    const books = new ConnectionBooks(publisher, new MalformedFrameReporter({ clock, minSampleIntervalMs: 1_000, maxSampleChars: 50 }), {}, (m) => notices.push(m));
    books.subscribed(['A', 'B']);
    books.handleFrame(JSON.stringify({ event_type: 'new_market', id: '1031769', market: '0xnew', question: 'Q?', slug: 'q', assets_ids: ['C', 'D'], outcomes: ['Yes', 'No'], timestamp: '1766790415550' }));
    books.handleFrame(JSON.stringify({ event_type: 'market_resolved', id: '7', market: '0xm', assets_ids: ['A', 'B'], winning_asset_id: 'A', winning_outcome: 'Yes', timestamp: '1766790416550' }));
    books.handleFrame(JSON.stringify({ event_type: 'market_resolved', id: '8', market: '0xother', assets_ids: ['E', 'F'], winning_asset_id: 'F', winning_outcome: 'No', timestamp: '1766790417550' }));
    expect(notices.map((n) => [n.kind, n.market])).toEqual([
      ['new_market', '0xnew'],
      ['market_resolved', '0xm'],
      ['market_resolved', '0xother'],
    ]);
    // Only the resolution of a carried market goes on the tape (the settlement of its actor).
    expect(sink.events.filter((e) => e.type === 'MARKET_RESOLVED').map((e) => [e.market_id, e.payload])).toEqual([['0xm', { winning_token_id: 'A', winning_outcome: 'Yes' }]]);
  });

  it('reach the market feed\'s hook from a real market socket', async () => {
    const venue = await startLoopback((_req, _body, res) => void res.writeHead(404).end());
    const clock = new SystemClock();
    const notices: string[] = [];
    const feed = new MarketFeed({
      config: fastTapeConfig({ ws_url: venue.ws, rest_url: venue.http, reconcile_interval_ms: 60_000 }),
      clock,
      seed: 5,
      sink: new CollectingSink(),
      events: new EventFactory(clock, ulidGenerator(seededRng(1))),
      desired: new InMemoryDesiredSet(['A']),
      onVenueNotice: (m) => notices.push(`${m.kind} ${m.market}`),
    });
    try {
      await feed.start();
      const socket = await vi.waitFor(() => {
        const s = venue.sockets[0];
        expect(s?.received.length).toBeGreaterThan(0);
        return s!.socket;
      });
      socket.send(JSON.stringify({ event_type: 'new_market', id: '1', market: '0xnew', assets_ids: ['C', 'D'], outcomes: ['Yes', 'No'], timestamp: String(Date.now()) }));
      await vi.waitFor(() => expect(notices).toEqual(['new_market 0xnew']));
    } finally {
      await feed.stop();
      await venue.close();
    }
  });
});
