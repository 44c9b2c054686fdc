import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { CHANNELS, type Channel } from '../../domain/events/channels.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { coalesceKeyOf } from '../../domain/events/topics.ts';
import { serializeEnvelope } from '../../domain/util/stable-json.ts';
import type { Logger } from '../log/logger.ts';

export interface ChannelServerOptions {
  path: string;
  maxFrameBytes: number;
  maxBufferedBytes: number;
  slowPolicy: 'coalesce' | 'drop';
  maxClients: number;
  logger: Logger;
  /** How long a client may stay slow while coalescing before it is dropped. */
  slowGraceMs?: number;
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
  constructor(readonly socket: WebSocket) {}

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
  readonly stats = { connected: 0, dropped_slow: 0, coalesced: 0, sent: 0, rejected_requests: 0 };

  constructor(
    server: Server,
    private readonly opts: ChannelServerOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes });
    server.on('upgrade', (req: IncomingMessage, socket, head) => {
      if ((req.url ?? '').split('?')[0] !== opts.path || this.clients.size >= opts.maxClients) {
        socket.write('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    this.flushTimer = setInterval(() => this.flushSlowClients(), 50);
    this.flushTimer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private accept(ws: WebSocket): void {
    const client = new Client(ws);
    this.clients.add(client);
    this.stats.connected++;
    ws.on('message', (data, isBinary) => this.onRequest(client, isBinary ? null : data.toString()));
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
  }

  private onRequest(client: Client, text: string | null): void {
    let parsed: z.infer<typeof requestSchema>;
    try {
      if (text === null) throw new Error('binary frames are not accepted');
      const r = requestSchema.safeParse(JSON.parse(text));
      if (!r.success) throw new Error(`invalid request at ${r.error.issues[0]!.path.join('.') || '(root)'}: ${r.error.issues[0]!.message}`);
      parsed = r.data;
    } catch (err) {
      this.stats.rejected_requests++;
      client.socket.send(JSON.stringify({ op: 'error', message: (err as Error).message.slice(0, 300) }));
      return;
    }
    const filter: Filter = {};
    if (parsed.market_id !== undefined) filter.market_id = parsed.market_id;
    if (parsed.station_id !== undefined) filter.station_id = parsed.station_id;
    for (const ch of parsed.channels) {
      if (parsed.op === 'subscribe') {
        const list = client.filters.get(ch) ?? [];
        list.push(filter);
        client.filters.set(ch, list);
      } else {
        client.filters.delete(ch);
      }
    }
    client.socket.send(JSON.stringify({ op: `${parsed.op}d`, channels: [...client.filters.keys()].sort() }));
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
    for (const c of this.clients) c.socket.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
