import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { fetchJson as json } from './support/daemon-io.ts';
import { processScope } from './support/helios-process.ts';

/**
 * The WebSocket channel protocol's refusals, against a real `helios run` (embedded default) over
 * loopback: a subscription naming a market or station the daemon does not have, and a malformed
 * control message, are each answered `{"op":"error","code",…}` (a client never waits for frames
 * that cannot come), and the socket still serves a good subscription afterwards.
 */

const { start, tempDir } = processScope('helios-ws-sub-');

describe('WebSocket subscribe against a real daemon', () => {
  it('answers an unknown market_id / station_id and malformed requests with an error, then serves a known market', { timeout: 60_000 }, async () => {
    const daemon = start(['run', '--port', '0', '--data-dir', tempDir(), '--speed', '20'], {});
    const url = await daemon.apiUrl();
    const markets = await vi.waitFor(async () => {
      const r = await json(`${url}/markets`);
      expect(r.body.length, 'the daemon lists its markets').toBeGreaterThan(0);
      return r.body as Array<{ market_id: string; station_id: string | null }>;
    }, { timeout: 30_000, interval: 200 });
    const known = markets[0]!.market_id;

    const ws = new WebSocket(`${url.replace('http:', 'ws:')}/ws`);
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    /** Sends `text` and answers the next control reply (a frame with `op`) that arrives after it. */
    const ask = async (text: string) => {
      const seen = frames.filter((f) => f.op).length;
      ws.send(text);
      return vi.waitFor(() => {
        const reply = frames.filter((f) => f.op)[seen];
        expect(reply, `a reply to ${text}`).toBeDefined();
        return reply;
      }, { timeout: 5_000, interval: 20 });
    };

    expect(await ask(JSON.stringify({ op: 'subscribe', channels: ['l2', 'tape'], market_id: '0xnot-a-market' }))).toEqual({
      op: 'error',
      code: 'unknown_market',
      market_id: '0xnot-a-market',
      message: expect.stringMatching(/unknown market_id 0xnot-a-market.*GET \/markets/),
    });
    expect(await ask(JSON.stringify({ op: 'subscribe', channels: ['world'], station_id: 'KXXX' }))).toMatchObject({ op: 'error', code: 'unknown_station', station_id: 'KXXX' });
    expect(await ask('{"op":"subscribe",')).toMatchObject({ op: 'error', code: 'invalid_request', message: expect.stringMatching(/^not JSON/) });
    expect(await ask(JSON.stringify({ op: 'subscribe', channels: ['l2'], market_id: 42 }))).toMatchObject({ op: 'error', code: 'invalid_request', message: expect.stringMatching(/market_id/) });
    expect(await ask(JSON.stringify({ op: 'subscribe', channels: ['nope'] }))).toMatchObject({ op: 'error', code: 'invalid_request', message: expect.stringMatching(/channels/) });
    // Nothing was subscribed by the refusals: the socket carries no frame yet.
    expect(frames.filter((f) => !f.op)).toEqual([]);

    // The same socket then subscribes to a market the daemon has and gets its books.
    expect(await ask(JSON.stringify({ op: 'subscribe', channels: ['l2'], market_id: known }))).toEqual({ op: 'subscribed', channels: ['l2'] });
    const book = await vi.waitFor(() => {
      const f = frames.find((x) => x.ch === 'l2');
      expect(f, 'an l2 frame of the known market').toBeDefined();
      return f;
    }, { timeout: 15_000, interval: 50 });
    expect(book.market_id).toBe(known);
    ws.close();
    daemon.kill('SIGTERM');
  });
});
