import { fromCallback, type CallbackActorLogic } from 'xstate';
import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../adapters/log/logger.ts';
import type { ConnectionBooks } from '../adapters/polymarket/connection-books.ts';
import {
  initialSubscribeMessage,
  PING_FRAME,
  PONG_FRAME,
  subscribeMessage,
  unsubscribeMessage,
} from '../adapters/polymarket/market-channel-messages.ts';
import type { SubscribeBatch } from '../adapters/polymarket/subscribe-batch.ts';
import type { Clock } from '../domain/time/clock.ts';
import { batches } from '../domain/subscriptions/subscription-diff.ts';
import type { SocketCommand, SocketSignal } from '../machines/feed-connection/events.ts';

/** What a socket needs from the connection that owns it. */
export interface MarketSocketPort {
  /** Tokens this connection should carry, read whenever the socket (re)subscribes or syncs. */
  assigned(): ReadonlySet<string>;
  /** The connection's books; the socket feeds them every frame. */
  books: ConnectionBooks;
  batch: SubscribeBatch;
  /** Before every (re)subscription: re-read the desired set and settle the assignment. */
  beforeSubscribe(): Promise<void>;
}

export interface MarketSocketDeps {
  url: string;
  clock: Clock;
  dataSignalIntervalMs: number;
  customFeatureEnabled: boolean;
  port: MarketSocketPort;
  logger?: Logger;
  /** Opens the socket; defaults to the `ws` client. */
  openSocket?: (url: string) => WebSocket;
}

/** Handshake answers that retrying will not change (bad path, refused); 408/429 are transient. */
function isFatalHandshake(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * One market-channel WebSocket as a callback actor. It owns the socket and, through the
 * connection's `ConnectionBooks`, the books: every frame is applied here as plain data, and the
 * machine hears only coalesced signals (open, subscribed, data seen at most once per interval,
 * PONG, resync needed, closed with its code). Leaving the machine's session state stops it, which
 * terminates the socket and invalidates the books it fed.
 */
export function createMarketSocketLogic(deps: MarketSocketDeps): CallbackActorLogic<SocketCommand, void, SocketSignal> {
  return fromCallback<SocketCommand, void, SocketSignal>(({ sendBack, receive }) => {
    const { port, clock, logger } = deps;
    const books = port.books;
    let stopped = false;
    let down = false;
    let initialSent = false;
    let subscribedOnce = false;
    let lastDataSignal = -Infinity;
    let largestBatch = 0;
    let handshakeStatus: number | null = null;
    let lastError = '';

    const signal = (e: SocketSignal) => {
      if (!stopped) sendBack(e);
    };
    const goDown = () => {
      if (down) return;
      down = true;
      books.socketDown('reconnect');
    };

    let ws: WebSocket;
    try {
      ws = deps.openSocket ? deps.openSocket(deps.url) : new WebSocket(deps.url, { perMessageDeflate: false });
    } catch (err) {
      // A malformed URL: no retry can fix it.
      signal({ type: 'SOCKET_CLOSED', code: 0, reason: (err as Error).message, fatal: true, largestBatch: 0 });
      return () => {
        stopped = true;
      };
    }

    const send = (text: string): boolean => {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(text);
      return true;
    };

    const sendBatches = (tokens: readonly string[], op: 'subscribe' | 'unsubscribe') => {
      const cf = deps.customFeatureEnabled;
      for (const batch of batches(tokens, port.batch.size)) {
        let text: string;
        if (op === 'unsubscribe') text = unsubscribeMessage(batch);
        else if (!initialSent) text = initialSubscribeMessage(batch, cf);
        else text = subscribeMessage(batch, cf);
        if (!send(text)) return;
        if (op === 'subscribe') {
          largestBatch = Math.max(largestBatch, batch.length);
          initialSent = true;
          books.subscribed(batch);
        } else {
          books.unsubscribed(batch);
        }
      }
    };

    const subscribeAll = async () => {
      try {
        await port.beforeSubscribe();
      } catch (err) {
        logger?.warn({ err: (err as Error).message }, 'market socket: re-reading the desired set failed; subscribing the current assignment');
      }
      if (stopped || down || ws.readyState !== WebSocket.OPEN) return;
      const tokens = [...port.assigned()].sort();
      sendBatches(tokens, 'subscribe');
      subscribedOnce = true;
      signal({ type: 'SUBSCRIBED', assets: tokens.length });
      if (books.pendingCount() > 0) signal({ type: 'RESYNC_NEEDED', tokens: books.pendingCount() });
    };

    const sync = () => {
      if (!subscribedOnce || ws.readyState !== WebSocket.OPEN) return;
      const assigned = port.assigned();
      const extra = [...books.wire].filter((t) => !assigned.has(t)).sort();
      const missing = [...assigned].filter((t) => !books.wire.has(t)).sort();
      if (extra.length > 0) sendBatches(extra, 'unsubscribe');
      if (missing.length > 0) sendBatches(missing, 'subscribe');
    };

    ws.on('open', () => signal({ type: 'SOCKET_OPEN' }));
    ws.on('error', (err: Error) => {
      lastError = err.message;
      const m = /Unexpected server response: (\d+)/.exec(err.message);
      if (m) handshakeStatus = Number(m[1]);
    });
    ws.on('close', (code: number, reason: Buffer) => {
      goDown();
      const fatal = (code === 1008 && port.batch.isFloor(largestBatch)) || (handshakeStatus !== null && isFatalHandshake(handshakeStatus));
      signal({ type: 'SOCKET_CLOSED', code, reason: reason.toString('utf8') || lastError, fatal, largestBatch });
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary || down) return;
      // The frame stays bytes: a price_change read in place never becomes a string.
      const frame = frameBytes(data);
      if (frame.length === PONG_BYTES.length && frame.equals(PONG_BYTES)) {
        signal({ type: 'PONG' });
        return;
      }
      const sig = books.handleFrameBytes(frame);
      if (sig.data) {
        const now = clock.monotonicNow();
        if (now - lastDataSignal >= deps.dataSignalIntervalMs) {
          lastDataSignal = now;
          signal({ type: 'DATA_SEEN' });
        }
      }
      if (sig.resync) signal({ type: 'RESYNC_NEEDED', tokens: books.pendingCount() });
    });

    receive((cmd) => {
      switch (cmd.type) {
        case 'SEND_PING':
          send(PING_FRAME);
          break;
        case 'SUBSCRIBE_ALL':
          void subscribeAll();
          break;
        case 'SYNC_SUBSCRIPTIONS':
          sync();
          break;
      }
    });

    return () => {
      stopped = true;
      goDown();
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
    };
  });
}

const PONG_BYTES = Buffer.from(PONG_FRAME, 'utf8');

function frameBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
