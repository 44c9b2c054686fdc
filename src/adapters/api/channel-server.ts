import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HeliosConfig } from '../../config/schema.ts';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { CHANNELS, type Channel } from '../../domain/events/channels.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { coalesceKeyOf } from '../../domain/events/topics.ts';
import { serializeEnvelope } from '../../domain/util/stable-json.ts';
import type { Logger } from '../log/logger.ts';
import { hostName, isLoopbackHost } from './host-names.ts';

export interface ChannelServerOptions {
  path: string;
  maxFrameBytes: number;
  maxBufferedBytes: number;
  slowPolicy: 'coalesce' | 'drop';
  maxClients: number;
  logger: Logger;
  /** How long a client may stay slow while coalescing before it is dropped. */
  slowGraceMs?: number;
  /**
   * Browser origins allowed besides the API's own (e.g. a dashboard on another port). A request
   * with no Origin is not from a browser page and needs no permission.
   */
  allowedOrigins?: readonly string[];
  /** Every interval each client is pinged; one that has not answered the previous ping is dropped. */
  pingIntervalMs?: number;
  /** A client with no subscription for this long is dropped (it only holds a slot). */
  idleTimeoutMs?: number;
  /** Subscription filters one client may hold across all channels. */
  maxFiltersPerClient?: number;
  /**
   * Whether an id names a market (station) this server's events can carry. A subscription naming
   * one it does not know would wait forever for frames, so it is refused with an error naming the
   * id. Absent: every id is accepted (a replay without a market catalog, tools, tests).
   */
  knownMarket?: (marketId: string) => boolean;
  knownStation?: (stationId: string) => boolean;
}

/**
 * Used when a host application passes no value (tests, tools); the daemon and the replay server
 * take theirs from the `api` config section through `channelServerOptions`.
 */
const FALLBACK = { pingIntervalMs: 30_000, idleTimeoutMs: 60_000, maxFiltersPerClient: 256 } as const;

/** The options of the `api` config section, for the daemon and the replay server alike. */
export function channelServerOptions(api: HeliosConfig['api'], logger: Logger): ChannelServerOptions {
  return {
    path: api.ws_path,
    maxFrameBytes: api.ws_max_frame_bytes,
    maxBufferedBytes: api.ws_max_buffered_bytes,
    slowPolicy: api.ws_slow_policy,
    maxClients: api.ws_max_clients,
    allowedOrigins: api.ws_allowed_origins,
    pingIntervalMs: api.ws_ping_interval_ms,
    idleTimeoutMs: api.ws_idle_timeout_ms,
    maxFiltersPerClient: api.ws_max_filters_per_client,
    logger,
  };
}

const requestSchema = z.strictObject({
  op: z.enum(['subscribe', 'unsubscribe']),
  channels: z.array(z.enum(CHANNELS)).min(1),
  market_id: z.string().min(1).max(200).optional(),
  station_id: z.string().min(1).max(200).optional(),
});

interface Filter {
  market_id?: string;
  station_id?: string;
}

class Client {
  readonly filters = new Map<Channel, Filter[]>();
  /** Newest pending frame per coalescing key while the socket is backed up. */
  readonly pending = new Map<string, string>();
  slowSince: number | null = null;
  /** Answered the last ping (or has not been pinged yet). */
  alive = true;
  /** Since when the client holds no filter (null while it holds some). */
  idleSince: number | null;
  constructor(
    readonly socket: WebSocket,
    now: number,
  ) {
    this.idleSince = now;
  }

  filterCount(): number {
    let n = 0;
    for (const list of this.filters.values()) n += list.length;
    return n;
  }

  wants(event: HeliosEvent): boolean {
    const filters = this.filters.get(event.ch);
    if (!filters) return false;
    for (const f of filters) {
      if (f.market_id !== undefined && f.market_id !== event.market_id) continue;
      if (f.station_id !== undefined && f.station_id !== event.station_id) continue;
      return true;
    }
    return false;
  }
}

/**
 * Streams bus payloads to WebSocket clients, per channel and optionally per market or station.
 * Frames are exactly the bus serialization, so a client cannot tell replay from live. A slow client
 * never stalls the daemon: its frames are coalesced (newest per type and token) or it is dropped.
 */
export class ChannelServer implements EventSink {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly allowedHosts: ReadonlySet<string>;
  readonly stats = { connected: 0, dropped_slow: 0, dropped_idle: 0, dropped_unresponsive: 0, rejected_origin: 0, coalesced: 0, sent: 0, rejected_requests: 0 };

  constructor(
    private readonly server: Server,
    private readonly opts: ChannelServerOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes });
    this.allowedOrigins = new Set((opts.allowedOrigins ?? []).map(normalizeOrigin).filter((o): o is string => o !== null));
    this.allowedHosts = new Set([...this.allowedOrigins].map((o) => new URL(o).host));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((req.url ?? '').split('?')[0] !== opts.path) return refuseUpgrade(socket, 404, 'Not Found');
      const denied = this.originDenied(req);
      if (denied) {
        this.stats.rejected_origin++;
        this.opts.logger.warn({ origin: req.headers.origin ?? null, host: req.headers.host ?? null }, `websocket upgrade refused: ${denied}`);
        return refuseUpgrade(socket, 403, 'Forbidden');
      }
      if (this.clients.size >= opts.maxClients) return refuseUpgrade(socket, 503, 'Service Unavailable');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    this.flushTimer = setInterval(() => this.flushSlowClients(), 50);
    this.flushTimer.unref();
    this.pingTimer = setInterval(() => this.pingClients(), opts.pingIntervalMs ?? FALLBACK.pingIntervalMs);
    this.pingTimer.unref();
  }

  /**
   * Why an upgrade may not proceed, or null. A page on another site must not read the operator's
   * orders and fills through their browser: its Origin must be ours or allowed. The Host must name
   * this API (loopback, the bound address or an allowed origin's host) so a rebinding DNS name that
   * points at 127.0.0.1 cannot pass as "same origin".
   */
  private originDenied(req: IncomingMessage): string | null {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!host) return 'no Host header';
    const boundHost = this.boundHost();
    if (!isLoopbackHost(host) && !this.allowedHosts.has(host) && hostName(host) !== boundHost) return `Host ${host} is not this API`;
    const raw = req.headers.origin;
    if (raw === undefined) return null;
    const origin = normalizeOrigin(raw);
    if (origin === null) return 'malformed Origin';
    if (this.allowedOrigins.has(origin)) return null;
    if (new URL(origin).host === host) return null;
    return `Origin ${origin} is neither this API's nor in api.ws_allowed_origins`;
  }

  private boundHost(): string | null {
    const address = this.server.address();
    return address && typeof address === 'object' ? address.address.toLowerCase() : null;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private accept(ws: WebSocket): void {
    const client = new Client(ws, Date.now());
    this.clients.add(client);
    this.stats.connected++;
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => this.onRequest(client, isBinary ? null : data.toString()));
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
  }

  private onRequest(client: Client, text: string | null): void {
    let parsed: z.infer<typeof requestSchema>;
    try {
      if (text === null) throw new Error('binary frames are not accepted');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new Error(`not JSON: ${(err as Error).message}`);
      }
      const r = requestSchema.safeParse(json);
      if (!r.success) throw new Error(`invalid request at ${r.error.issues[0]!.path.join('.') || '(root)'}: ${r.error.issues[0]!.message}`);
      parsed = r.data;
    } catch (err) {
      return this.refuse(client, { code: 'invalid_request', message: (err as Error).message.slice(0, 300) });
    }
    const filter: Filter = {};
    if (parsed.market_id !== undefined) filter.market_id = parsed.market_id;
    if (parsed.station_id !== undefined) filter.station_id = parsed.station_id;
    if (parsed.op === 'subscribe') {
      const { knownMarket, knownStation } = this.opts;
      if (parsed.market_id !== undefined && knownMarket && !knownMarket(parsed.market_id)) {
        return this.refuse(client, { code: 'unknown_market', market_id: parsed.market_id, message: `unknown market_id ${parsed.market_id}: no such market here (GET /markets lists them); nothing subscribed` });
      }
      if (parsed.station_id !== undefined && knownStation && !knownStation(parsed.station_id)) {
        return this.refuse(client, { code: 'unknown_station', station_id: parsed.station_id, message: `unknown station_id ${parsed.station_id}: not one of this daemon's stations (weather.stations); nothing subscribed` });
      }
      // Identical filters are kept once, so only distinct ones count toward the bound.
      const added = parsed.channels.filter((ch) => !(client.filters.get(ch) ?? []).some((f) => sameFilter(f, filter)));
      const limit = this.opts.maxFiltersPerClient ?? FALLBACK.maxFiltersPerClient;
      if (client.filterCount() + new Set(added).size > limit) {
        return this.refuse(client, { code: 'too_many_filters', message: `too many subscription filters: at most ${limit} per client (unsubscribe first)` });
      }
      for (const ch of new Set(added)) {
        const list = client.filters.get(ch) ?? [];
        list.push(filter);
        client.filters.set(ch, list);
      }
    } else {
      for (const ch of parsed.channels) client.filters.delete(ch);
    }
    client.idleSince = client.filters.size === 0 ? (client.idleSince ?? Date.now()) : null;
    client.socket.send(JSON.stringify({ op: `${parsed.op}d`, channels: [...client.filters.keys()].sort() }));
  }

  /** A request not carried out: `{"op":"error","code",…,"message"}`, the client's filters unchanged. */
  private refuse(client: Client, error: { code: string; message: string; market_id?: string; station_id?: string }): void {
    this.stats.rejected_requests++;
    client.socket.send(JSON.stringify({ op: 'error', ...error }));
  }

  emit(event: HeliosEvent): void {
    if (this.clients.size === 0) return;
    let frame: string | undefined;
    for (const client of this.clients) {
      if (!client.wants(event)) continue;
      frame ??= serializeEnvelope(event);
      this.deliver(client, event, frame);
    }
  }

  private deliver(client: Client, event: HeliosEvent, frame: string): void {
    const ws = client.socket;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount + frame.length <= this.opts.maxBufferedBytes && client.pending.size === 0) {
      ws.send(frame);
      this.stats.sent++;
      return;
    }
    if (this.opts.slowPolicy === 'drop') return this.dropSlow(client);
    client.slowSince ??= Date.now();
    const key = coalesceKeyOf(event);
    if (client.pending.has(key)) this.stats.coalesced++;
    client.pending.delete(key); // re-insert so the newest keeps its place at the end
    client.pending.set(key, frame);
    if (client.pending.size > 10_000) this.dropSlow(client);
  }

  private flushSlowClients(): void {
    const graceMs = this.opts.slowGraceMs ?? 5_000;
    for (const client of this.clients) {
      if (client.pending.size === 0) continue;
      const ws = client.socket;
      for (const [key, frame] of client.pending) {
        if (ws.bufferedAmount + frame.length > this.opts.maxBufferedBytes) break;
        ws.send(frame);
        this.stats.sent++;
        client.pending.delete(key);
      }
      if (client.pending.size === 0) client.slowSince = null;
      else if (client.slowSince !== null && Date.now() - client.slowSince > graceMs) this.dropSlow(client);
    }
  }

  /** Drops clients that did not answer the last ping or have held no subscription for too long. */
  private pingClients(): void {
    const now = Date.now();
    const idleMs = this.opts.idleTimeoutMs ?? FALLBACK.idleTimeoutMs;
    for (const client of [...this.clients]) {
      if (!client.alive) {
        this.stats.dropped_unresponsive++;
        this.drop(client, 'did not answer a ping');
        continue;
      }
      if (client.idleSince !== null && now - client.idleSince >= idleMs) {
        this.stats.dropped_idle++;
        this.drop(client, `no subscription for ${idleMs} ms`, 1000);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  private drop(client: Client, why: string, code?: number): void {
    this.clients.delete(client);
    client.pending.clear();
    this.opts.logger.info({ why }, 'dropping a websocket client');
    if (code === undefined) client.socket.terminate();
    else {
      client.socket.close(code, why.slice(0, 120));
      setTimeout(() => client.socket.terminate(), 1_000).unref();
    }
  }

  private dropSlow(client: Client): void {
    this.stats.dropped_slow++;
    this.clients.delete(client);
    client.pending.clear();
    this.opts.logger.warn({ dropped_slow: this.stats.dropped_slow }, 'dropping a slow websocket client');
    client.socket.close(1013, 'slow consumer');
    // Close handshakes wait behind buffered data; do not let a stuck peer hold the socket.
    setTimeout(() => client.socket.terminate(), 1_000).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pingTimer);
    for (const c of this.clients) c.socket.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`);
  socket.destroy();
}

function sameFilter(a: Filter, b: Filter): boolean {
  return a.market_id === b.market_id && a.station_id === b.station_id;
}

/** `scheme://host[:port]` in lower case, default ports dropped; null when not an http(s) origin. */
function normalizeOrigin(raw: string): string | null {
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin.toLowerCase();
  } catch {
    return null;
  }
}
