import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock } from '../../domain/time/clock.ts';
import { deriveCreds, verifyL1, verifyL2, type ApiCreds } from './clob-auth.ts';
import { checkOrderTerms, verifyOrderSignature, type OrderType, type WireOrder } from './clob-order-check.ts';
import { ClobVenue, type ClobVenueOptions, type UserEvent, type VenueOrder } from './clob-venue.ts';
import { polymarketWallet, type WalletKind } from '../../domain/execution/polymarket-wallet.ts';
import { fundsAddress } from './clob-wallets.ts';
import { orderJson, positionJson, tradeJson, userEventJson } from './clob-wire.ts';
import { listenOn } from '../../adapters/net/listen.ts';

/**
 * A stand-in for Polymarket's CLOB V2 on loopback: REST and the user WebSocket, verifying what
 * the venue verifies (L1/L2 auth, EIP-712 order signatures for the right exchange and version,
 * tick and minimum size) and misbehaving on command as the venue does (statuses, answers lost
 * after the work was done, dropped sockets). State and matching live in ClobVenue.
 *
 * Not the daemon's JsonHttpServer: the CLOB needs DELETE with bodies and the raw body text the
 * HMAC was computed over.
 */

/**
 * status: refused before any work; status_after: the work was done, then this error answered
 * (a 500 "could not run the execution" that did place the order); reset_after / hang_after: the
 * work was done and the answer lost (connection reset) or never sent.
 */
export type ClobFault = { kind: 'status' | 'status_after'; status: number; error: string } | { kind: 'reset_after' } | { kind: 'hang_after' };

export interface ClobStandInOptions extends Omit<ClobVenueOptions, 'clock'> {
  /** Drives the venue (heartbeat timeouts, settlement, timestamps). */
  clock: Clock;
  /** Checks request timestamps; the signer's wall clock (a test's virtual venue clock may differ). */
  authClock: Clock;
  chainId: number;
  /** The order version `/version` answers and signatures must match. */
  version: number;
  maxSkewSeconds: number;
  /** GTD expirations need at least this much lead (Polymarket's one-minute security buffer). */
  expirationBufferSeconds: number;
}

const MAX_BODY = 1 << 20;

/** POST /order's `status` for the order as the venue holds it once answered (an order it canceled at once, a FAK's remainder, is "unmatched"). */
const POST_STATUS: Partial<Record<VenueOrder['status'], string>> = { LIVE: 'live', DELAYED: 'delayed', MATCHED: 'matched' };

/** A fault the stand-in answered with: which route, when, and (for an order whose answer was spoiled after the work) which order. */
export interface AppliedFault {
  route: string;
  kind: ClobFault['kind'];
  status: number | null;
  at_ms: number;
  /** POST /order whose work was done before the fault: the venue order id the lost answer carried. */
  order_id: string | null;
}

export class ClobStandIn {
  readonly venue: ClobVenue;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly keys = new Map<string, { creds: ApiCreds; address: string }>();
  /** Owner address (lower case) → its registered deposit wallet. */
  private readonly depositWallets = new Map<string, string>();
  private readonly faults = new Map<string, ClobFault[]>();
  private readonly laggingTrades = new Map<string, number>();
  private readonly hung = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private readonly users = new Map<WebSocket, string>();
  /** Every request seen, `METHOD /path` (for tests counting submissions). */
  readonly requests: string[] = [];
  /** Each request's query, beside `requests` (a read of one trade by `id` from a listing by `after`). */
  private readonly requestQueries: URLSearchParams[] = [];
  /** Every injected fault as it was answered, in order. */
  readonly appliedFaults: AppliedFault[] = [];
  version: number;

  constructor(private readonly opts: ClobStandInOptions) {
    this.venue = new ClobVenue(opts);
    this.version = opts.version;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').split('?')[0] !== '/ws/user') return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.userSocket(ws));
    });
    this.venue.onUserEvent((_address, e) => this.broadcast(e));
  }

  async listen(port = 0): Promise<{ http: string; ws: string }> {
    await listenOn(this.server, port, '127.0.0.1', 'the stand-in CLOB');
    const p = (this.server.address() as AddressInfo).port;
    return { http: `http://127.0.0.1:${p}`, ws: `ws://127.0.0.1:${p}/ws/user` };
  }

  async close(): Promise<void> {
    this.venue.stop();
    for (const ws of this.users.keys()) ws.terminate();
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Registers an API key for an address (what `createApiKey` would have made). */
  addKey(address: string, creds: ApiCreds = deriveCreds(address, 0n)): ApiCreds {
    this.keys.set(creds.key, { creds, address });
    return creds;
  }

  /**
   * The proxy (1) or safe (2) `signer` owns, derived from it as the venue does: its orders of that
   * type may name it as maker, and its calls with that `signature_type` read its balance.
   */
  walletOf(signer: string, type: WalletKind): string {
    const w = polymarketWallet(signer, type, this.opts.chainId);
    if (!w.ok) throw new Error(w.reason);
    return w.address;
  }

  /**
   * Makes `wallet` the POLY_1271 deposit wallet `owner` signs for: at Polymarket a contract deployed
   * for the owner (its address is not derivable from the owner in Polymarket's clients), here a
   * registration. Its orders name it as maker and signer, and calls with `signature_type` 3 read its balance.
   */
  registerDepositWallet(owner: string, wallet: string): void {
    this.depositWallets.set(owner.toLowerCase(), wallet);
  }

  private depositWalletOf(owner: string): string | null {
    return this.depositWallets.get(owner.toLowerCase()) ?? null;
  }

  /** The next answers of `route` (e.g. `POST /order`) misbehave, in this order. */
  /**
   * The venue's trade records lag its orders: the next `reads` reads of this trade by id find
   * nothing (a listing still holds it).
   */
  lagTradeReads(tradeId: string, reads: number): void {
    this.laggingTrades.set(tradeId, reads);
  }

  inject(route: string, ...faults: ClobFault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /** Injected faults of `route` not answered yet. */
  pendingFaults(route: string): number {
    return this.faults.get(route)?.length ?? 0;
  }

  /** Forgets the injected faults of `route` not answered yet. */
  clearFaults(route: string): void {
    this.faults.delete(route);
  }

  /** Closes every user-channel socket (the venue does not replay what it sends while one is down). */
  dropUserSockets(): void {
    const dropped = [...this.users.keys()];
    // Nothing more reaches them, even before their close events run.
    this.users.clear();
    for (const ws of dropped) ws.terminate();
  }

  userConnections(): number {
    return this.users.size;
  }

  count(route: string): number {
    return this.requests.filter((r) => r === route).length;
  }

  /** The queries of the requests to `route`, in order. */
  queries(route: string): URLSearchParams[] {
    return this.requestQueries.filter((_, i) => this.requests[i] === route);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    const method = req.method ?? 'GET';
    const route = `${method} ${path.startsWith('/data/order/') ? '/data/order/:id' : path}`;
    this.requests.push(route);
    this.requestQueries.push(new URLSearchParams(query));
    // GTD orders lapse lazily: whatever a request sees is already past its expiry.
    this.venue.expire(this.opts.expirationBufferSeconds);
    let body: string | undefined;
    try {
      body = await readBody(req);
    } catch {
      return send(res, 413, { error: 'body too large' });
    }
    const fault = this.faults.get(route)?.shift();
    const applied = (orderId: string | null = null) => {
      if (fault) this.appliedFaults.push({ route, kind: fault.kind, status: 'status' in fault ? fault.status : null, at_ms: this.opts.clock.now(), order_id: orderId });
    };
    if (fault?.kind === 'status') {
      applied();
      return send(res, fault.status, { error: fault.error });
    }
    let status = 200;
    let answer: unknown;
    try {
      [status, answer] = await this.route(route, method, path, new URLSearchParams(query), req, body);
    } catch (err) {
      [status, answer] = [500, { error: `could not run the execution: ${(err as Error).message}` }];
    }
    applied(status === 200 ? ((answer as { orderID?: string } | null)?.orderID ?? null) : null);
    if (fault?.kind === 'status_after') return send(res, fault.status, { error: fault.error });
    if (fault?.kind === 'reset_after') return void req.socket.destroy();
    if (fault?.kind === 'hang_after') return void this.hung.add(res);
    send(res, status, answer);
  }

  private async route(route: string, method: string, path: string, q: URLSearchParams, req: IncomingMessage, body: string | undefined): Promise<[number, unknown]> {
    const v = this.venue;
    switch (route) {
      case 'GET /ok':
        return [200, 'OK'];
      case 'GET /time':
        return [200, Math.floor(this.opts.authClock.now() / 1000)];
      case 'GET /version':
        return [200, { version: this.version }];
      case 'POST /auth/api-key':
      case 'GET /auth/derive-api-key': {
        const l1 = await verifyL1(req.headers, this.opts.chainId, this.authSeconds(), this.opts.maxSkewSeconds);
        if (!l1.ok) return [l1.status, { error: l1.error }];
        const derived = deriveCreds(l1.address, l1.nonce);
        // As at Polymarket: creating a key that exists fails; deriving one that does not exist fails.
        if (route === 'POST /auth/api-key' && this.keys.has(derived.key)) return [400, { error: 'Could not create api key' }];
        if (route === 'GET /auth/derive-api-key' && !this.keys.has(derived.key)) return [400, { error: 'Could not derive api key!' }];
        const creds = this.addKey(l1.address, derived);
        return [200, { apiKey: creds.key, secret: creds.secret, passphrase: creds.passphrase }];
      }
      case 'GET /tick-size':
      case 'GET /neg-risk': {
        const m = v.market(q.get('token_id') ?? '');
        if (!m) return [404, { error: 'No orderbook exists for the requested token id' }];
        return [200, route === 'GET /tick-size' ? { minimum_tick_size: m.tick_size } : { neg_risk: m.neg_risk }];
      }
      case 'GET /positions': {
        const user = q.get('user') ?? '';
        return [200, v.positionsOf(user).map((p) => positionJson(p, v.market(p.tokenId)?.market ?? ''))];
      }
    }
    const auth = verifyL2(req.headers, { method, path, body }, this.keys, this.authSeconds(), this.opts.maxSkewSeconds);
    if (!auth.ok) return [auth.status, { error: auth.error }];
    const owner = auth.creds.key;
    const parsed = body ? (JSON.parse(body) as unknown) : undefined;
    switch (route) {
      case 'POST /order':
        return this.postOrder(parsed as PostedOrder, owner, auth.address);
      case 'POST /orders': {
        const list = parsed as PostedOrder[];
        if (!Array.isArray(list) || list.length > 15) return [400, { error: 'a batch holds 1 to 15 orders' }];
        const out: unknown[] = [];
        for (const p of list) {
          const [status, a] = await this.postOrder(p, owner, auth.address);
          out.push(status === 200 ? a : { success: false, errorMsg: (a as { error: string }).error, orderID: '', status: '', takingAmount: '', makingAmount: '' });
        }
        return [200, out];
      }
      case 'DELETE /order': {
        const id = (parsed as { orderID?: string }).orderID ?? '';
        const why = v.cancelOrder(id, owner);
        return [200, why === null ? { canceled: [id], not_canceled: {} } : { canceled: [], not_canceled: { [id]: why } }];
      }
      case 'DELETE /orders': {
        const ids = parsed as string[];
        const canceled: string[] = [];
        const not: Record<string, string> = {};
        for (const id of ids) {
          const why = v.cancelOrder(id, owner);
          if (why === null) canceled.push(id);
          else not[id] = why;
        }
        return [200, { canceled, not_canceled: not }];
      }
      case 'DELETE /cancel-all':
        return [200, { canceled: v.cancelWhere(owner, () => true), not_canceled: {} }];
      case 'DELETE /cancel-market-orders': {
        const p = (parsed ?? {}) as { market?: string; asset_id?: string };
        return [200, { canceled: v.cancelWhere(owner, (o) => (!p.market || o.market === p.market) && (!p.asset_id || o.tokenId === p.asset_id)), not_canceled: {} }];
      }
      case 'GET /data/orders': {
        const rows = v.openOrders(owner).filter((o) => (!q.get('market') || o.market === q.get('market')) && (!q.get('asset_id') || o.tokenId === q.get('asset_id')) && (!q.get('id') || o.id === q.get('id')));
        return [200, page(rows.map(orderJson))];
      }
      case 'GET /data/order/:id': {
        const o = v.orders.get(path.slice('/data/order/'.length));
        return o && o.owner === owner ? [200, orderJson(o)] : [200, null];
      }
      case 'GET /data/trades': {
        const id = q.get('id');
        const lag = id === null ? 0 : (this.laggingTrades.get(id) ?? 0);
        if (lag > 0) {
          this.laggingTrades.set(id!, lag - 1);
          return [200, page([])];
        }
        const rows = v.tradesOf(owner).filter((t) => (!q.get('id') || t.id === q.get('id')) && (!q.get('asset_id') || t.asset_id === q.get('asset_id')) && (!q.get('after') || t.match_time > Number(q.get('after'))));
        return [200, page(rows.map((t) => tradeJson(t, v.orders.get(t.order_id)!)))];
      }
      case 'GET /balance-allowance':
      case 'GET /balance-allowance/update': {
        // The client names its signature type; the venue reads the wallet the key's address owns for it.
        const funds = fundsAddress(auth.address, q.get('signature_type'), this.opts.chainId, this.depositWalletOf(auth.address));
        if (!funds.ok) return [400, { error: funds.error }];
        if (route === 'GET /balance-allowance/update') {
          v.refreshBalance(funds.address);
          return [200, ''];
        }
        const units = q.get('asset_type') === 'CONDITIONAL' ? v.position(funds.address, q.get('token_id') ?? '') : v.balance(funds.address);
        return [200, { balance: String(Math.round(units * 1e6)), allowances: { '0xE111180000d2663C0091e4f400237545B87B996B': '115792089237316195423570985008687907853269984665640564039457584007913129639935' } }];
      }
      case 'POST /v1/heartbeats': {
        const r = v.heartbeat(owner, (parsed as { heartbeat_id?: string } | undefined)?.heartbeat_id ?? '');
        return r.ok ? [200, { heartbeat_id: r.id }] : [400, { error: r.error }];
      }
    }
    return [404, { error: `no such endpoint: ${route}` }];
  }

  private async postOrder(p: PostedOrder, owner: string, address: string): Promise<[number, unknown]> {
    if (!p || typeof p !== 'object' || !p.order) return [400, { error: 'Invalid order payload' }];
    if (p.owner !== owner) return [400, { error: 'the order owner has to be the owner of the API KEY' }];
    const m = this.venue.market(p.order.tokenId);
    if (!m) return [400, { error: `market not found for token ${p.order.tokenId}` }];
    const sig = await verifyOrderSignature(p.order, { version: this.version, negRisk: m.neg_risk, chainId: this.opts.chainId, owner: address, depositWallet: this.depositWalletOf(address) });
    if (!sig.ok) return [400, { error: sig.error }];
    const terms = checkOrderTerms(p.order, p.orderType, p.postOnly === true, m, this.venue.nowSeconds(), this.opts.expirationBufferSeconds);
    if (!terms.ok) return [400, { error: terms.error }];
    const r = this.venue.place(terms.order, { owner, id: sig.id, type: p.orderType, postOnly: p.postOnly === true });
    if (!r.ok) return [400, { error: r.error }];
    const o = r.order;
    return [
      200,
      {
        success: true,
        errorMsg: '',
        orderID: o.id,
        status: POST_STATUS[o.status] ?? 'unmatched',
        makingAmount: '',
        takingAmount: '',
        tradeIDs: r.tradeIds,
        transactionsHashes: [],
      },
    ];
  }

  private userSocket(ws: WebSocket): void {
    ws.once('message', (raw) => {
      let msg: { auth?: { apiKey?: string; secret?: string; passphrase?: string }; type?: string };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        return ws.close(1008, 'bad subscribe');
      }
      const entry = this.keys.get(msg.auth?.apiKey ?? '');
      if (msg.type !== 'user' || !entry || entry.creds.secret !== msg.auth?.secret || entry.creds.passphrase !== msg.auth?.passphrase) return ws.close(1008, 'unauthorized');
      this.users.set(ws, entry.creds.key);
      ws.on('message', (m) => {
        if (String(m) === 'PING') ws.send('PONG');
      });
    });
    ws.on('close', () => this.users.delete(ws));
  }

  /** The user channel is the API key's: every event of its orders, whichever wallet (EOA, proxy, safe) they trade for. */
  private broadcast(e: UserEvent): void {
    const owner = e.event_type === 'order' ? e.order.owner : e.trade.owner;
    const text = JSON.stringify(userEventJson(e, this.venue, this.opts.clock.now()));
    for (const [ws, key] of this.users) if (key === owner) ws.send(text);
  }

  private authSeconds(): number {
    return Math.floor(this.opts.authClock.now() / 1000);
  }
}

interface PostedOrder {
  order: WireOrder;
  owner: string;
  orderType: OrderType;
  postOnly?: boolean;
  deferExec?: boolean;
}

function page(data: unknown[]): { data: unknown[]; next_cursor: string; limit: number; count: number } {
  return { data, next_cursor: 'LTE=', limit: data.length, count: data.length };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > MAX_BODY) throw new Error('too large');
    chunks.push(c as Buffer);
  }
  return n === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}
