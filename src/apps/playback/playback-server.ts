import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { LoadedCapture } from '../../adapters/capture/reader.ts';
import { requestKey } from '../../adapters/capture/records.ts';
import { CAPTURE_SOURCES } from '../../adapters/capture/sources.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { HttpAnswers } from './http-answers.ts';
import { readMarketFrames } from './market-frames.ts';
import { MarketStandIn } from './market-stand-in.ts';
import { StreamStandIn } from './stream-stand-in.ts';
import { PlaybackTimeline } from './timeline.ts';
import { listenOn } from '../../adapters/net/listen.ts';

export interface PlaybackOptions {
  capture: LoadedCapture;
  clock: Clock;
  speed: number;
  host: string;
  /** 0: any free port. */
  port: number;
  maxBodyBytes: number;
  logger: Logger;
}

export interface PlaybackStats {
  http_served: number;
  http_not_captured: number;
  market: MarketStandIn['stats'];
}

/**
 * One loopback server standing in for every captured source: `/<source><path>` answers what the
 * source answered (`/clob/book?token_id=…`, `/gamma/events?…`, `/awc/api/data/metar?…`,
 * `/pandascore/matches/…`), `/market` is the market WebSocket, other captured sockets replay their
 * frames (`/pandascore_live/matches/…`, `/polymarket_sports`). A request that was not captured is
 * answered 404 saying so. CLOB `/time` is answered from the playback's own clock (a captured time
 * would be stale by definition), so clock-skew checks against the stand-in are meaningful.
 */
export class PlaybackServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly answers: HttpAnswers;
  private readonly market: MarketStandIn;
  private readonly streams = new Map<string, StreamStandIn>();
  readonly timeline: PlaybackTimeline;
  readonly stats: PlaybackStats;

  constructor(private readonly o: PlaybackOptions) {
    this.timeline = new PlaybackTimeline(o.clock, o.capture.manifest.started_ms, o.speed);
    this.answers = new HttpAnswers(o.capture.http);
    this.market = new MarketStandIn(readMarketFrames(o.capture.frames.filter((f) => f.source === 'market')), this.timeline, o.clock);
    this.stats = { http_served: 0, http_not_captured: 0, market: this.market.stats };
    for (const s of CAPTURE_SOURCES) {
      if (s.kind === 'ws' && s.name !== 'market') this.streams.set(s.name, new StreamStandIn(o.capture.frames.filter((f) => f.source === s.name), this.timeline, o.clock));
    }
    this.server = createServer((req, res) =>
      // A client that goes away mid-body must not become an unhandled rejection.
      void this.handle(req, res).catch((err: Error) => {
        this.o.logger.warn({ err: err.message, url: req.url }, 'playback: request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'playback failed to answer' }));
      }),
    );
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const { source, rest } = splitSource(req.url ?? '/');
      if (source === 'market') return void this.wss.handleUpgrade(req, socket, head, (ws) => this.market.accept(ws));
      const stream = this.streams.get(source);
      if (!stream) return void socket.end(`HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\nnot captured: no socket source ${JSON.stringify(source)}\n`);
      this.wss.handleUpgrade(req, socket, head, (ws) => stream.accept(ws, requestKey(rest)));
    });
  }

  /** Listens and starts the capture's clock; resolves to the base URL. */
  async listen(): Promise<string> {
    await listenOn(this.server, this.o.port, this.o.host, 'the playback server');
    this.timeline.start();
    this.market.start();
    return this.baseUrl;
  }

  get baseUrl(): string {
    return `http://${this.o.host}:${(this.server.address() as AddressInfo).port}`;
  }

  /** Base URL per captured source, where the stand-in serves it (what a config overlay points at). */
  urls(): Record<string, string> {
    const base = this.baseUrl;
    const out: Record<string, string> = {};
    for (const s of CAPTURE_SOURCES) out[s.name] = s.kind === 'ws' ? `${base.replace(/^http/, 'ws')}/${s.name}` : `${base}/${s.name}`;
    return out;
  }

  /** Market frames not yet due. */
  get pendingFrames(): number {
    return this.market.pending;
  }

  async close(): Promise<void> {
    this.market.stop();
    for (const s of this.streams.values()) s.stop();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const { source, rest } = splitSource(url);
    const method = req.method ?? 'GET';
    let body: string | null = null;
    if (method !== 'GET' && method !== 'HEAD') {
      body = await readBody(req, this.o.maxBodyBytes);
      if (body === null) return void res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `request body over ${this.o.maxBodyBytes} bytes` }));
    }
    if (source === 'clob' && method === 'GET' && rest.split('?')[0] === '/time') {
      this.stats.http_served++;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(String(Math.floor(this.o.clock.now() / 1000)));
    }
    const a = this.answers.answer(source, method, rest, body, this.timeline.captureNow());
    if (!a) {
      this.stats.http_not_captured++;
      this.o.logger.debug({ method, url }, 'playback: request not captured');
      return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `not captured: ${method} ${url} was not in the capture (sources are served under /<source>: ${CAPTURE_SOURCES.map((s) => s.name).join(', ')})` }));
    }
    this.stats.http_served++;
    res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body);
  }
}

/** `/<source><rest>` → the source's name and the rest of the path and query. */
function splitSource(url: string): { source: string; rest: string } {
  const slash = url.indexOf('/', 1);
  const query = url.indexOf('?');
  const cut = slash < 0 ? (query < 0 ? url.length : query) : query < 0 ? slash : Math.min(slash, query);
  return { source: url.slice(1, cut), rest: url.slice(cut) || '/' };
}

/** The body as text, or null when it is over `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
