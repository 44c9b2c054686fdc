import { ApiError, ClobClient, createL2Headers, orderToJsonV2, type ApiKeyCreds, type OpenOrder, type OrderType as ClobOrderType, type Trade } from '@polymarket/clob-client-v2';
import type { RealExecutionConfig } from '../../config/sections/execution-real.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { funderAddressProblem } from '../../domain/execution/polymarket-wallet.ts';
import type { OrderType } from '../../domain/trading/orders.ts';
import { HttpError, requestJson, type FetchLike } from '../http/request-json.ts';
import { createSigner, orderBuilder, orderHash, signOrder, type OrderToSign, type SignedOrderV2 } from './real-signing.ts';

/**
 * One authenticated session with the CLOB: the client for signing, keys, cancels and queries,
 * and helios's own timed POSTs for orders — the client's post polls trades for up to 30 s after
 * a match and has no timeout, and a decision must never wait on either. Every failure comes out
 * as one HttpError (status 0 = no answer), whose message never carries a credential.
 */

export interface RealCredentials {
  privateKey: string;
  /** Absent: derived from the key (L1) at open. */
  api?: ApiKeyCreds;
}

export interface PostAnswer {
  success: boolean;
  errorMsg?: string;
  orderID?: string;
  status?: string;
  tradeIDs?: string[];
}

export interface PreparedOrder {
  /** The venue's id for it (its EIP-712 hash). */
  id: string;
  signed: SignedOrderV2;
  type: OrderType;
  postOnly: boolean;
}

export interface VenuePosition {
  asset: string;
  size: number;
  avgPrice: number;
  conditionId?: string;
}

/** The user channel's URL: configured, or the CLOB's own host (`--clob-url` points both at a stand-in). */
export function userWsUrl(cfg: RealExecutionConfig): string {
  return cfg.user_ws_url || `${cfg.clob_url.replace(/^http/, 'ws').replace(/\/$/, '')}/ws/user`;
}

export class ClobSession {
  private versionNow: 1 | 2 | 3 = 2;

  private constructor(
    readonly client: ClobClient,
    readonly address: string,
    private readonly creds: ApiKeyCreds,
    private readonly cfg: RealExecutionConfig,
    private readonly clock: Clock,
    private readonly fetchFn: FetchLike,
  ) {}

  /** Builds the signer, derives API keys when none were given (L1), and reads the order version. */
  static async open(cfg: RealExecutionConfig, credentials: RealCredentials, clock: Clock, fetchFn: FetchLike = fetch as unknown as FetchLike): Promise<ClobSession> {
    const { wallet, address } = createSigner(credentials.privateKey);
    const base = { host: cfg.clob_url, chain: cfg.chain_id, signer: wallet, signatureType: cfg.signature_type, throwOnError: true, ...(cfg.funder_address ? { funderAddress: cfg.funder_address } : {}) };
    let creds = credentials.api;
    if (!creds) {
      // Not the client's createOrDeriveApiKey: with throwOnError its failed create never falls back to derive.
      const l1 = new ClobClient(base as never);
      try {
        creds = await timed(clock, cfg.request_timeout_ms, 'derive API key', () => l1.deriveApiKey());
      } catch {
        try {
          creds = await timed(clock, cfg.request_timeout_ms, 'create API key', () => l1.createApiKey());
        } catch (err) {
          throw l1Refusal(err, cfg.chain_id);
        }
      }
    }
    const client = new ClobClient({ ...base, creds } as never);
    const s = new ClobSession(client, address, creds, cfg, clock, fetchFn);
    await s.refreshVersion();
    return s;
  }

  get version(): 1 | 2 | 3 {
    return this.versionNow;
  }

  get apiCreds(): ApiKeyCreds {
    return this.creds;
  }

  /** Why the configured funder cannot be the key's proxy or safe (the venue would refuse every order), or null. */
  get walletProblem(): string | null {
    return funderAddressProblem(this.cfg, this.address);
  }

  /** The address whose funds and positions these are: the funder (proxy/safe) or the signer itself. */
  get fundsAddress(): string {
    return this.cfg.funder_address || this.address;
  }

  async refreshVersion(): Promise<void> {
    const v = await this.call('GET /version', () => this.client.getVersion());
    if (v !== 2 && v !== 3) throw new HttpError(200, 'GET /version', `the venue asks for order version ${String(v)}; helios signs versions 2 and 3`);
    this.versionNow = v;
  }

  async prepare(o: OrderToSign, postOnly: boolean): Promise<PreparedOrder> {
    const version = this.versionNow === 1 ? 2 : this.versionNow;
    const signed = await signOrder({ builder: this.client.orderBuilder, chainId: this.cfg.chain_id, version }, o);
    return { id: orderHash(signed, this.cfg.chain_id, version, o.negRisk), signed, type: o.type, postOnly };
  }

  /** POST /order with the same signed payload every time it is called: the venue can never see two orders. */
  async postOrder(p: PreparedOrder): Promise<PostAnswer> {
    const body = JSON.stringify(orderToJsonV2(p.signed, this.creds.key, p.type as ClobOrderType, p.postOnly, false));
    return (await this.post('/order', body)) as PostAnswer;
  }

  /** POST /orders (≤ max_batch): one answer per order, in order. */
  async postOrders(list: readonly PreparedOrder[]): Promise<PostAnswer[]> {
    const body = JSON.stringify(list.map((p) => orderToJsonV2(p.signed, this.creds.key, p.type as ClobOrderType, p.postOnly, false)));
    const answer = await this.post('/orders', body);
    if (!Array.isArray(answer)) throw new HttpError(200, 'POST /orders', 'POST /orders: the answer is not a list');
    return (answer as PostAnswer[]).map((a) => (a.errorMsg ? { ...a, errorMsg: explainWalletRefusal(a.errorMsg, this.cfg, this.address) } : a));
  }

  cancel(ids: readonly string[]): Promise<{ canceled: string[]; not_canceled: Record<string, string> }> {
    return this.call('DELETE /orders', () => this.client.cancelOrders([...ids]));
  }

  cancelAll(): Promise<{ canceled: string[]; not_canceled: Record<string, string> }> {
    return this.call('DELETE /cancel-all', () => this.client.cancelAll());
  }

  cancelMarket(p: { market?: string; asset_id?: string }): Promise<{ canceled: string[]; not_canceled: Record<string, string> }> {
    return this.call('DELETE /cancel-market-orders', () => this.client.cancelMarketOrders(p));
  }

  openOrders(): Promise<OpenOrder[]> {
    return this.call('GET /data/orders', () => this.client.getOpenOrders());
  }

  order(id: string): Promise<OpenOrder | null> {
    return this.call('GET /data/order', async () => ((await this.client.getOrder(id)) as OpenOrder | null) ?? null);
  }

  trades(afterSeconds: number): Promise<Trade[]> {
    return this.call('GET /data/trades', () => this.client.getTrades({ after: String(afterSeconds) } as never));
  }

  /** One trade by id (the first page is all there is). */
  trade(id: string): Promise<Trade[]> {
    return this.call('GET /data/trades', () => this.client.getTrades({ id } as never, true));
  }

  async collateral(): Promise<{ balance: number; allowances: Record<string, string> }> {
    const r = await this.call('GET /balance-allowance', () => this.client.getBalanceAllowance({ asset_type: 'COLLATERAL' as never }));
    return { balance: Number(r.balance) / 1e6, allowances: r.allowances ?? {} };
  }

  async refreshBalance(): Promise<void> {
    await this.call('GET /balance-allowance/update', () => this.client.updateBalanceAllowance({ asset_type: 'COLLATERAL' as never }));
  }

  async heartbeat(id: string): Promise<string> {
    const r = await this.call('POST /v1/heartbeats', () => this.client.postHeartbeat(id));
    const next = (r as { heartbeat_id?: unknown }).heartbeat_id;
    if (typeof next !== 'string') throw new HttpError(200, 'POST /v1/heartbeats', 'POST /v1/heartbeats: no heartbeat_id in the answer');
    return next;
  }

  /** For operators' commands only: the trading path knows ticks and neg-risk from the market channel. */
  async marketFacts(tokenId: string): Promise<{ tick: number; negRisk: boolean }> {
    const tick = await this.call('GET /tick-size', () => this.client.getTickSize(tokenId));
    const negRisk = await this.call('GET /neg-risk', () => this.client.getNegRisk(tokenId));
    return { tick: Number(tick), negRisk: negRisk === true };
  }

  /** The venue's clock, epoch ms. */
  async serverTimeMs(): Promise<number> {
    const t = await this.call('GET /time', () => this.client.getServerTime());
    return Number(t) * 1000;
  }

  /** Data API positions of the funds address. */
  async positions(): Promise<VenuePosition[]> {
    const base = (this.cfg.data_api_url || this.cfg.clob_url).replace(/\/$/, '');
    const a = await requestJson(this.fetchFn, `${base}/positions?user=${this.fundsAddress}&sizeThreshold=0`, {}, { clock: this.clock, ms: this.cfg.request_timeout_ms });
    if (!Array.isArray(a.body)) throw new HttpError(a.status, 'GET /positions', 'GET /positions: the answer is not a list');
    return a.body as VenuePosition[];
  }

  private async post(path: string, body: string): Promise<unknown> {
    const headers = await createL2Headers(this.client.signer!, this.creds, { method: 'POST', requestPath: path, body });
    const h: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(headers)) h[k] = String(v);
    try {
      const a = await requestJson(this.fetchFn, `${this.cfg.clob_url.replace(/\/$/, '')}${path}`, { method: 'POST', headers: h, body, target: path }, { clock: this.clock, ms: this.cfg.request_timeout_ms });
      return a.body;
    } catch (err) {
      const e = venueError(err);
      throw new HttpError(e.status, e.target, explainWalletRefusal(e.message, this.cfg, this.address), e.retryAfter);
    }
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return timed(this.clock, this.cfg.request_timeout_ms, what, fn);
  }
}

/** Runs a client call with a timeout on the injected clock; the call's own failure becomes an HttpError. */
async function timed<T>(clock: Clock, ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  let timer: unknown = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(() => reject(new HttpError(0, what, `${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (err) {
    throw venueError(err, what);
  } finally {
    clock.clearTimeout(timer);
  }
}

/**
 * A refused L1 signature, with what usually causes it: the signature covers the chain id, so a
 * `chain_id` other than the venue's (Amoy's 80002 against Polygon's 137) reads as a bad signature.
 */
function l1Refusal(err: unknown, chainId: number): unknown {
  if (!(err instanceof HttpError) || (err.status !== 401 && err.status !== 400)) return err;
  return new HttpError(err.status, err.target, `${err.message} (an L1 signature is refused when execution.real.chain_id, ${chainId} here, is not the venue's chain — 137 for Polygon mainnet, 80002 for Amoy — or the key is not the one the account was made with)`, err.retryAfter);
}

/**
 * A proxy, safe or deposit-wallet order refused as an invalid signature, with what usually causes
 * it: the venue takes a POLY_PROXY/POLY_GNOSIS_SAFE signature only from the EOA that owns the maker
 * wallet (it derives the proxy or safe address from the EOA), and a POLY_1271 one only when the
 * deposit wallet's contract says its owner signed, so a `funder_address` that is not the key's own
 * wallet, or the wrong `signature_type` for it, reads as a bad signature on every order.
 */
export function explainWalletRefusal(message: string, cfg: Pick<RealExecutionConfig, 'signature_type' | 'funder_address'>, signer: string): string {
  if (cfg.signature_type === 3 && /invalid (?:POLY_1271 )?signature$/i.test(message)) {
    // No derivation to check against before sending: a deposit wallet is a contract deployed for the account.
    return (
      `${message} (execution.real.signature_type 3 is POLY_1271: the order's maker and signer are execution.real.funder_address ${cfg.funder_address}, ` +
      `which must be the deposit wallet of the signing key ${signer}, deployed, funded and approved; check that funder_address is the deposit wallet Polymarket shows as yours)`
    );
  }
  if (cfg.signature_type !== 1 && cfg.signature_type !== 2) return message;
  if (!/invalid (?:POLY_PROXY |POLY_GNOSIS_SAFE )?signature$/i.test(message)) return message;
  const [name, wallet] = cfg.signature_type === 1 ? ['POLY_PROXY', 'proxy wallet'] : ['POLY_GNOSIS_SAFE', 'Gnosis Safe'];
  return (
    `${message} (execution.real.signature_type ${cfg.signature_type} is ${name}: the venue takes an order only when its maker, ` +
    `execution.real.funder_address ${cfg.funder_address}, is the ${wallet} the signing key ${signer} owns; check that funder_address is the address ` +
    'Polymarket shows as yours and that signature_type is 1 for an email/Magic account, 2 for a browser-wallet account)'
  );
}

/** The venue's error text out of an HTTP failure (`{"error": "..."}`), status kept. */
function venueError(err: unknown, what = ''): HttpError {
  if (err instanceof ApiError) return new HttpError(err.status ?? 0, what, `${what}: ${err.message}`);
  if (err instanceof HttpError) {
    const m = /HTTP \d+ (.*)$/s.exec(err.message);
    let text = m?.[1] ?? err.message;
    try {
      const parsed = JSON.parse(text) as { error?: unknown };
      if (typeof parsed.error === 'string') text = parsed.error;
    } catch {
      // not JSON: keep the text
    }
    return new HttpError(err.status, err.target, `${err.target}: ${text}`, err.retryAfter);
  }
  return new HttpError(0, what, `${what}: ${(err as Error).message ?? String(err)}`);
}
