import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { seededRng, type Rng } from '../../domain/util/random.ts';
import { parseMarketChannelRequest } from '../../domain/market/channel-request.ts';
import { SyntheticMarkets, type SimFrame, type SimMarketSpec } from './synthetic-markets.ts';
import { emptyVenueStats, MALFORMED_FRAMES, NO_FAULTS, type VenueFaults, type VenueStats } from './venue-faults.ts';
import { listenOn } from '../../adapters/net/listen.ts';

export interface VenueSimulatorOptions {
  seed: number;
  markets: readonly SimMarketSpec[];
  faults?: Partial<VenueFaults>;
  /** Chance that a trade is followed by fresh books (default 0.3). */
  book_after_trade_prob?: number;
  /** Chance that a price is written like ".48" (default 0.05). */
  bare_decimal_prob?: number;
  /** Path of the market channel (default the venue's `/ws/market`). */
  ws_path?: string;
  /** Loopback port to listen on (default 0: any free port; `helios sim --port`). */
  port?: number;
  /** Time for the frames' `timestamp` (the daemon's clock); default a synthetic timeline. */
  now?: () => number;
}

export interface VenueEndpoints {
  wsUrl: string;
  restUrl: string;
}

interface VenueConnection {
  id: number;
  ws: WebSocket;
  subs: Set<string>;
  frozen: boolean;
  held: string | null;
}

/**
 * A Polymarket venue on loopback: the market channel over WebSocket (current formats: initial dump
 * as an array of `book`s, `price_change` with `price_changes` mixing both tokens of a market,
 * `last_trade_price`, `tick_size_change`, text PONG), REST `GET /book` and `POST /books`, seeded
 * synthetic order flow that callers drive with `step()` or `run()`, markets listed while it runs
 * (`listMarkets`: from then on subscribe, REST and order flow know them; nothing is pushed to existing
 * subscribers, who subscribe when they learn of a market), `market_resolved` when a caller resolves a
 * market (`resolveMarket`), and switchable seeded faults. It keeps the true book of every
 * token so tests can compare a mirror against it; a resolved market's last book stays what a
 * subscribe's dump and REST answer (a feed reconnecting before it retires the market is not left unsynced).
 */
export class VenueSimulator {
  private readonly rng: Rng;
  private readonly markets: SyntheticMarkets;
  private faults: VenueFaults;
  private faultsOn = true;
  private readonly conns = new Map<number, VenueConnection>();
  private nextConnId = 1;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private runner: NodeJS.Timeout | null = null;
  private readonly wsPath: string;
  private readonly port: number;
  readonly stats: VenueStats = emptyVenueStats();

  constructor(opts: VenueSimulatorOptions) {
    this.rng = seededRng(opts.seed);
    this.markets = new SyntheticMarkets(opts.markets, seededRng(opts.seed ^ 0x5eed), {
      bookAfterTradeProb: opts.book_after_trade_prob ?? 0.3,
      bareDecimalProb: opts.bare_decimal_prob ?? 0.05,
      now: opts.now,
    });
    this.faults = { ...NO_FAULTS, ...opts.faults };
    this.wsPath = opts.ws_path ?? '/ws/market';
    this.port = opts.port ?? 0;
  }

  async start(): Promise<VenueEndpoints> {
    const http = createServer((req, res) => this.handleRest(req, res));
    const wss = new WebSocketServer({ server: http, path: this.wsPath });
    wss.on('connection', (ws) => this.accept(ws));
    // ws re-emits its HTTP server's errors: a listen failure (port taken) is rejected below, not thrown here.
    wss.on('error', () => undefined);
    await listenOn(http, this.port, '127.0.0.1', 'the venue simulator');
    this.http = http;
    this.wss = wss;
    const { port } = http.address() as AddressInfo;
    return { wsUrl: `ws://127.0.0.1:${port}${this.wsPath}`, restUrl: `http://127.0.0.1:${port}` };
  }

  async stop(): Promise<void> {
    this.pause();
    for (const c of this.conns.values()) c.ws.terminate();
    this.conns.clear();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => {
      if (!this.http) return resolve();
      this.http.closeAllConnections();
      this.http.close(() => resolve());
    });
    this.wss = null;
    this.http = null;
  }

  // ---- driving the order flow ----

  /** Generate `n` order-flow steps now (faults drawn per step), and send their frames. */
  step(n = 1): void {
    for (let i = 0; i < n; i++) {
      this.stats.steps++;
      if (this.faultsOn) this.stepFaults();
      for (const frame of this.markets.step()) this.broadcast(frame);
    }
  }

  /**
   * Free-running flow for the daemon (`helios sim`): `eventsPerSecond` in 20 ms slices. A slice
   * takes its share plus what earlier slices left over, so any rate is kept on average (a rounded
   * share per slice ran 5 events/s at 50 and 120 at 100).
   */
  run(eventsPerSecond: number): void {
    this.pause();
    const perTick = eventsPerSecond / 50;
    let owed = 0;
    this.runner = setInterval(() => {
      owed += perTick;
      const n = Math.floor(owed + 1e-9);
      owed -= n;
      if (n > 0) this.step(n);
    }, 20);
  }

  pause(): void {
    if (this.runner) clearInterval(this.runner);
    this.runner = null;
  }

  setFairValue(token: string, p: number): void {
    this.markets.setFairValue(token, p);
  }

  fairValue(token: string): number {
    return this.markets.fairValue(token);
  }

  /** Send a fresh `book` of every token (or those given) to its subscribers, as after trades; a resolved market's book is closed. */
  emitBooks(tokens: readonly string[] = this.markets.tokenIds()): void {
    for (const t of tokens) if (!this.markets.isResolved(t)) this.broadcast(this.markets.bookFrame(t, false));
  }

  /**
   * The venue lists `specs` now, as Polymarket lists a new day's markets: each book seeded around its
   * fair. All are checked first: when any market or token id is already known, nothing is listed and it throws.
   */
  listMarkets(specs: readonly SimMarketSpec[]): void {
    this.markets.assertListable(specs);
    for (const spec of specs) this.markets.list(spec);
  }

  /**
   * The venue resolves `market` to `winningToken`: its `market_resolved` frame to every connection
   * subscribed to either token, and no more order flow or books for them (the book is closed).
   * False when it had resolved already (nothing is sent again).
   */
  resolveMarket(market: string, winningToken: string): boolean {
    const frame = this.markets.resolve(market, winningToken);
    if (frame === null) return false;
    this.broadcast(frame);
    return true;
  }

  /** Whether the market of `token` has resolved. */
  isResolved(token: string): boolean {
    return this.markets.isResolved(token);
  }

  /** Send every frame a reorder fault is still holding back. */
  flushHeld(): void {
    for (const c of this.conns.values()) this.releaseHeld(c);
  }

  // ---- faults ----

  setFaults(faults: Partial<VenueFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  get currentFaults(): VenueFaults {
    return { ...this.faults };
  }

  /** Stop injecting faults (checkpoints); frozen connections stay frozen until they close. */
  pauseFaults(): void {
    this.faultsOn = false;
  }

  resumeFaults(): void {
    this.faultsOn = true;
  }

  /** Drop every connection now (1006 for the clients). */
  dropAllConnections(): void {
    for (const c of [...this.conns.values()]) {
      this.stats.faults.disconnect++;
      c.ws.terminate();
    }
  }

  // ---- inspection ----

  tokens(): string[] {
    return this.markets.tokenIds();
  }

  trueBook(token: string): { tick_size: number; bids: Array<[number, number]>; asks: Array<[number, number]> } {
    return this.markets.trueBook(token);
  }

  /** Venue time of the last change to the token's book (a mirror that has seen it is caught up). */
  lastTimestamp(token: string): number {
    return this.markets.lastTimestamp(token);
  }

  /** Union of what every open connection is subscribed to, server side, sorted. */
  subscriptions(): string[] {
    const all = new Set<string>();
    for (const c of this.conns.values()) for (const t of c.subs) all.add(t);
    return [...all].sort();
  }

  /** Per open connection: its subscriptions, sorted. */
  connectionSubscriptions(): string[][] {
    return [...this.conns.values()].map((c) => [...c.subs].sort());
  }

  openConnections(): number {
    return this.conns.size;
  }

  frozenConnections(): number {
    return [...this.conns.values()].filter((c) => c.frozen).length;
  }

  // ---- WebSocket side ----

  private accept(ws: WebSocket): void {
    const c: VenueConnection = { id: this.nextConnId++, ws, subs: new Set(), frozen: false, held: null };
    this.conns.set(c.id, c);
    this.stats.connections_opened++;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.onClientMessage(c, rawText(data));
    });
    ws.on('close', () => this.conns.delete(c.id));
    ws.on('error', () => this.conns.delete(c.id));
  }

  private onClientMessage(c: VenueConnection, text: string): void {
    // A socket the venue is already closing reads nothing more.
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (text === 'PING') {
      this.stats.pings++;
      this.sendRaw(c, 'PONG');
      return;
    }
    const req = parseMarketChannelRequest(text);
    if (req === null) return;
    if (req.op === 'subscribe') {
      this.stats.subscribe_messages++;
      this.stats.subscribe_batches.push(req.ids.length);
      if (req.initial) this.stats.initial_subscribe_messages++;
      const limit = this.faults.policy_close_batch;
      if (limit !== null && req.ids.length > limit) {
        this.stats.faults.policy_close++;
        c.ws.close(1008, 'too many assets in one subscribe message');
        return;
      }
      const fresh = req.ids.filter((id) => this.markets.has(id) && !c.subs.has(id));
      for (const id of fresh) c.subs.add(id);
      if (req.initialDump && fresh.length > 0) this.deliver(c, JSON.stringify(this.markets.dumpFrame(fresh).body));
      else if (req.customFeatureEnabled) this.sendRaw(c, 'NO NEW ASSETS');
    } else {
      this.stats.unsubscribe_messages++;
      for (const id of req.ids) c.subs.delete(id);
    }
  }

  private broadcast(frame: SimFrame): void {
    let text: string | null = null;
    for (const c of this.conns.values()) {
      if (!frame.assets.some((a) => c.subs.has(a))) continue;
      text ??= JSON.stringify(frame.body);
      this.deliver(c, text);
    }
  }

  /** One data frame to one connection, through the per-frame faults. */
  private deliver(c: VenueConnection, text: string): void {
    if (c.frozen) {
      this.stats.faults.frozen_frames++;
      return;
    }
    const f = this.faults;
    if (this.faultsOn) {
      if (f.malformed > 0 && this.rng() < f.malformed) {
        this.stats.faults.malformed++;
        this.sendRaw(c, MALFORMED_FRAMES[Math.floor(this.rng() * MALFORMED_FRAMES.length)]!);
      }
      if (f.drop > 0 && this.rng() < f.drop) {
        this.stats.faults.drop++;
        return;
      }
      if (f.reorder > 0 && c.held === null && this.rng() < f.reorder) {
        this.stats.faults.reorder++;
        c.held = text;
        return;
      }
    }
    this.sendRaw(c, text);
    this.releaseHeld(c);
    if (this.faultsOn && f.duplicate > 0 && this.rng() < f.duplicate) {
      this.stats.faults.duplicate++;
      this.sendRaw(c, text);
    }
  }

  private releaseHeld(c: VenueConnection): void {
    if (c.held === null) return;
    const held = c.held;
    c.held = null;
    if (!c.frozen) this.sendRaw(c, held);
  }

  private sendRaw(c: VenueConnection, text: string): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    this.stats.frames_sent++;
    c.ws.send(text);
  }

  private stepFaults(): void {
    const f = this.faults;
    const conns = [...this.conns.values()];
    if (conns.length > 0 && f.disconnect > 0 && this.rng() < f.disconnect) {
      const c = conns[Math.floor(this.rng() * conns.length)]!;
      this.stats.faults.disconnect++;
      if (this.rng() < f.terminate_share) c.ws.terminate();
      else c.ws.close(1011, 'internal error');
    }
    const live = conns.filter((c) => !c.frozen && c.ws.readyState === WebSocket.OPEN);
    if (live.length > 0 && f.freeze > 0 && this.rng() < f.freeze) {
      live[Math.floor(this.rng() * live.length)]!.frozen = true;
      this.stats.faults.freeze++;
    }
    if (!this.markets.hasOpenMarkets()) return;
    if (f.tick_size_change > 0 && this.rng() < f.tick_size_change) {
      this.stats.faults.tick_size_change++;
      for (const frame of this.markets.tickSizeChange()) this.broadcast(frame);
    }
    if (f.crossed_update > 0 && this.rng() < f.crossed_update) {
      this.stats.faults.crossed_update++;
      this.broadcast(this.markets.crossedUpdate());
    }
  }

  // ---- REST side ----

  private handleRest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/book' && url.pathname !== '/books') return reply(res, 404, { error: 'not found' });
    this.stats.rest_requests++;
    const f = this.faults;
    if (this.faultsOn && f.rest_429 > 0 && this.rng() < f.rest_429) {
      this.stats.faults.rest_429++;
      return reply(res, 429, { error: 'Too Many Requests' }, { 'retry-after': '0' });
    }
    if (this.faultsOn && f.rest_5xx > 0 && this.rng() < f.rest_5xx) {
      this.stats.faults.rest_5xx++;
      return reply(res, this.rng() < 0.5 ? 500 : 503, { error: 'upstream error' });
    }
    if (url.pathname === '/book' && req.method === 'GET') {
      const token = url.searchParams.get('token_id') ?? '';
      if (!this.markets.has(token)) return reply(res, 404, { error: 'No orderbook exists for the requested token id' });
      return reply(res, 200, this.markets.restSummary(token));
    }
    if (url.pathname === '/books' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        let wanted: unknown;
        try {
          wanted = JSON.parse(body);
        } catch {
          return reply(res, 400, { error: 'invalid body' });
        }
        if (!Array.isArray(wanted)) return reply(res, 400, { error: 'expected an array' });
        // The summaries are taken when the whole body is in, like the venue answering at that instant.
        const out = wanted
          .map((w) => (w && typeof w === 'object' ? String((w as { token_id?: unknown }).token_id ?? '') : ''))
          .filter((t) => this.markets.has(t))
          .map((t) => this.markets.restSummary(t));
        reply(res, 200, out);
      });
      return;
    }
    reply(res, 405, { error: 'method not allowed' });
  }
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
