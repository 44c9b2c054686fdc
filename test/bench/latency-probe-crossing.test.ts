import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { LatencyProbe } from '../../bench/support/e2e-latency-probe.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import type { MarketTradingContext } from '../../src/machines/market-trading/context.ts';

const servers: WebSocketServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function bestPrice(token: string, ts: number): HeliosEvent {
  return { type: 'BEST_PRICE', ch: 'l2', token_id: token, ts_ingest: ts } as unknown as HeliosEvent;
}

function booksAt(token: string, ts: number): MarketTradingContext {
  return { signals: { books: { [token]: { ts_ms: ts } } } } as unknown as MarketTradingContext;
}

/**
 * The e2e feed-worker driver's attribution: frames received by the feed thread's probe, their
 * BEST_PRICE released with its frames (shifted onto the main thread's clock) and adopted by the
 * trading side's probe, which decides them as it would frames of its own.
 */
describe('LatencyProbe across threads', () => {
  it('hands a BEST_PRICE over with its frames, on the receiving clock, and decides them once each', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    servers.push(server);
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    server.on('connection', (ws) => {
      ws.send('frame-0');
      ws.send('frame-1');
    });

    const feedSide = new LatencyProbe();
    feedSide.measuring = true;
    const ws = feedSide.openSocket(`ws://127.0.0.1:${port}`);
    sockets.push(ws);
    let received = 0;
    const both = new Promise<void>((resolve) => {
      // Where the feed's own listener would be: frame 0 moves tokens A and B, frame 1 moves A again.
      ws.on('message', () => {
        feedSide.onBestChanged('A');
        if (received === 0) feedSide.onBestChanged('B');
        if (++received === 2) resolve();
      });
    });
    await both;
    const [a, b] = [bestPrice('A', 1_000), bestPrice('B', 1_001)];
    feedSide.emitted.emit(a);
    feedSide.emitted.emit(b);
    const receivedAt = feedSide.frames.map((f) => f.recvAt);

    const shift = 12.5;
    const crossedA = feedSide.release(a, shift)!;
    const crossedB = feedSide.release(b, shift)!;
    expect(feedSide.release(a, shift)).toBeUndefined();
    expect(crossedA.frames).toEqual([0, receivedAt[0]! + shift, 1, receivedAt[1]! + shift]);
    expect(crossedB.frames).toEqual([0, receivedAt[0]! + shift]);

    // The copies a structured clone would give the trading side.
    const [a2, b2] = [structuredClone(a), structuredClone(b)];
    const tradingSide = new LatencyProbe();
    tradingSide.adopt(a2, crossedA);
    tradingSide.adopt(b2, crossedB);
    expect(tradingSide.frames.map((f) => [f.index, f.recvAt, f.left])).toEqual([
      [0, receivedAt[0]! + shift, 2],
      [1, receivedAt[1]! + shift, 1],
    ]);
    tradingSide.consumed.emit(a2);
    tradingSide.consumed.emit(b2);
    tradingSide.decided(booksAt('A', 1_000));
    // Frame 0 waits for B's decision too; frame 1 is decided.
    expect(tradingSide.frames.map((f) => Number.isNaN(f.decidedAt))).toEqual([true, false]);
    tradingSide.decided(booksAt('B', 1_001));
    const [f0, f1] = tradingSide.frames;
    expect(f0!.decidedAt).toBeGreaterThanOrEqual(f1!.decidedAt);
    expect(f1!.decidedAt).toBeLessThanOrEqual(performance.now());
    expect(tradingSide.pipelineMs).toHaveLength(2);
  });
});
