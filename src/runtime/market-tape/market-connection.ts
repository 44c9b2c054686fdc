import { createActor, type Actor } from 'xstate';
import type { WebSocket } from 'ws';
import type { MarketResolvedMessage, NewMarketMessage } from '../../domain/market/messages.ts';
import { createBookResyncLogic } from '../../actors/book-resync.actor.ts';
import { createMarketSocketLogic } from '../../actors/market-socket.actor.ts';
import type { MarketTapeConfig } from '../../config/sections/market-tape.ts';
import type { MarketBooksOptions } from '../../domain/book/market-books.ts';
import type { Clock } from '../../domain/time/clock.ts';
import {
  feedConnectionMachine,
  feedStatusOf,
  feedTimingsFrom,
  type FeedStatus,
  type LastDisconnect,
} from '../../machines/feed-connection/index.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { ClobRestClient } from '../../adapters/polymarket/clob-rest-client.ts';
import { ConnectionBooks, type ConnectionBooksMetrics } from '../../adapters/polymarket/connection-books.ts';
import type { MalformedFrameReporter } from '../../adapters/polymarket/market-decoder.ts';
import type { SubscribeBatch } from '../../adapters/polymarket/subscribe-batch.ts';
import type { TapePublisher } from '../../adapters/polymarket/tape-publisher.ts';

export interface MarketConnectionDeps {
  id: string;
  config: MarketTapeConfig;
  clock: Clock;
  /** Seed of this connection's reconnect-backoff jitter. */
  jitterSeed: number;
  batch: SubscribeBatch;
  publisher: TapePublisher;
  reporter: MalformedFrameReporter;
  rest: Pick<ClobRestClient, 'getBook' | 'getBooks'>;
  /** Runs before every (re)subscription (the feed re-reads the desired set there). */
  beforeSubscribe: () => Promise<void>;
  booksOptions?: Partial<MarketBooksOptions>;
  logger?: Logger;
  openSocket?: (url: string) => WebSocket;
  /** A market appeared or resolved on the venue (the market channel's custom features). */
  onVenueNotice?: (msg: NewMarketMessage | MarketResolvedMessage) => void;
}

export interface MarketConnectionInfo {
  id: string;
  status: FeedStatus;
  assigned: number;
  subscribed: number;
  disconnects: number;
  last_disconnect: LastDisconnect | null;
  books: ConnectionBooksMetrics;
}

/**
 * One pooled market-channel connection: the feed connection machine with its IO provided (the
 * socket actor feeding this connection's books, the REST resync), plus the tokens assigned to it.
 */
export class MarketConnection {
  readonly id: string;
  readonly books: ConnectionBooks;
  private readonly assignedSet = new Set<string>();
  private readonly actor: Actor<typeof feedConnectionMachine>;
  private readonly logger: Logger | undefined;
  /** Errors the actor raised (none expected: every failure path is a transition). */
  readonly errors: unknown[] = [];

  constructor(deps: MarketConnectionDeps) {
    this.id = deps.id;
    this.logger = deps.logger?.child({ connection: deps.id });
    this.books = new ConnectionBooks(deps.publisher, deps.reporter, deps.booksOptions, deps.onVenueNotice);
    const c = deps.config;
    const machine = feedConnectionMachine.provide({
      actors: {
        marketSocket: createMarketSocketLogic({
          url: c.ws_url,
          clock: deps.clock,
          dataSignalIntervalMs: c.data_signal_interval_ms,
          customFeatureEnabled: c.custom_feature_enabled,
          port: {
            assigned: () => this.assignedSet,
            books: this.books,
            batch: deps.batch,
            beforeSubscribe: deps.beforeSubscribe,
          },
          ...(this.logger ? { logger: this.logger } : {}),
          ...(deps.openSocket ? { openSocket: deps.openSocket } : {}),
        }),
        bookResync: createBookResyncLogic({ books: this.books, rest: deps.rest, booksPerRequest: c.rest_books_batch }),
      },
      actions: {
        halveSubscribeBatch: ({ event }) => {
          if (event.type !== 'SOCKET_CLOSED') return;
          const size = deps.batch.halveFrom(event.largestBatch);
          this.logger?.warn({ batch_size: size, largest_sent: event.largestBatch }, 'close 1008: subscribe batch halved');
        },
      },
    });
    this.actor = createActor(machine, {
      id: deps.id,
      input: { timings: feedTimingsFrom(c), jitterSeed: deps.jitterSeed },
      clock: deps.clock,
    });
    let last: FeedStatus = 'disconnected';
    this.actor.subscribe({
      next: (snap) => {
        const status = feedStatusOf(snap);
        if (status === last) return;
        if (status === 'backoff' || status === 'failed') {
          this.logger?.info({ from: last, to: status, last_disconnect: snap.context.lastDisconnect, backoff_ms: snap.context.backoffMs }, 'market connection');
        }
        last = status;
      },
      error: (err) => {
        this.errors.push(err);
        this.logger?.error({ err }, 'market connection actor failed');
      },
    });
  }

  start(): void {
    this.actor.start();
    this.actor.send({ type: 'CONNECT' });
  }

  stop(): void {
    this.books.retire();
    this.actor.send({ type: 'STOP' });
    this.actor.stop();
  }

  /** Leave `failed` and connect again (an operator decision). */
  retry(): void {
    this.actor.send({ type: 'RESET' });
    this.actor.send({ type: 'CONNECT' });
  }

  assign(tokens: readonly string[]): void {
    for (const t of tokens) this.assignedSet.add(t);
    this.actor.send({ type: 'ASSETS_CHANGED' });
  }

  unassign(tokens: readonly string[]): void {
    for (const t of tokens) this.assignedSet.delete(t);
    this.actor.send({ type: 'ASSETS_CHANGED' });
  }

  /** Ask an open socket to bring its subscriptions in line with the assignment. */
  sync(): void {
    this.actor.send({ type: 'ASSETS_CHANGED' });
  }

  assigned(): ReadonlySet<string> {
    return this.assignedSet;
  }

  /** Tokens subscribed on the current socket. */
  wire(): ReadonlySet<string> {
    return this.books.wire;
  }

  status(): FeedStatus {
    return feedStatusOf(this.actor.getSnapshot());
  }

  /** Subscribed and receiving: the wire is meant to match the assignment. */
  isLive(): boolean {
    return this.actor.getSnapshot().hasTag('live');
  }

  info(): MarketConnectionInfo {
    const snap = this.actor.getSnapshot();
    return {
      id: this.id,
      status: feedStatusOf(snap),
      assigned: this.assignedSet.size,
      subscribed: this.books.wire.size,
      disconnects: snap.context.disconnects,
      last_disconnect: snap.context.lastDisconnect,
      books: { ...this.books.metrics },
    };
  }
}
