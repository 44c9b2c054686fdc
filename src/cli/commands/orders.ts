import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { ClobExecutionAdapter } from '../../adapters/execution/real-clob-adapter.ts';
import { openRealSession } from '../../adapters/execution/create-adapter.ts';
import { userWsUrl, type ClobSession } from '../../adapters/execution/real-clob-session.ts';
import { tickName } from '../../adapters/execution/real-signing.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { createLogger } from '../../adapters/log/logger.ts';
import { scrubText } from '../../adapters/log/redact.ts';
import { loadSecrets, SecretFileError } from '../../config/secrets.ts';
import type { RealExecutionConfig } from '../../config/sections/execution-real.ts';
import type { OrderType } from '../../domain/trading/orders.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { loadCliConfig } from '../load-cli-config.ts';

/** Options every real-venue command takes. */
export interface VenueOptions {
  execution?: string;
  clobUrl?: string;
  config?: string;
  json?: boolean;
}

export type Opened = { ok: true; session: ClobSession; cfg: RealExecutionConfig; clock: SystemClock } | { ok: false; code: number };

/**
 * Opens an authenticated session for an operator's command, or says what is missing. `place`
 * needs the whole gate (HELIOS_CONFIRM_REAL_ORDERS=yes and a passing live healthcheck); reading
 * and canceling need only `--execution real` and credentials, so an operator can always pull
 * orders, even while the healthcheck fails.
 */
export async function openVenue(opts: VenueOptions, io: CliIo, forPlacing: boolean, name: string): Promise<Opened> {
  const fail = (code: number, message: string): Opened => {
    io.err(`helios ${name}: ${scrubText(message)}\n`);
    return { ok: false, code };
  };
  if (opts.execution !== undefined && opts.execution !== 'real' && opts.execution !== 'paper') return fail(EXIT.CONFIG_ERROR, `--execution expects real or paper; got ${JSON.stringify(opts.execution)}`);
  if (opts.clobUrl !== undefined && !/^https?:\/\/\S+$/.test(opts.clobUrl)) return fail(EXIT.CONFIG_ERROR, `--clob-url expects an http(s):// URL; got ${JSON.stringify(opts.clobUrl)}`);
  const loaded = loadCliConfig(io, `helios ${name}`, { file: opts.config });
  if (!loaded) return { ok: false, code: EXIT.CONFIG_ERROR };
  const { config } = loaded;
  let secrets;
  try {
    secrets = loadSecrets(io.env);
  } catch (err) {
    if (err instanceof SecretFileError) return fail(EXIT.CONFIG_ERROR, err.message);
    throw err;
  }
  const clock = new SystemClock();
  const executionReal = opts.execution !== undefined ? opts.execution === 'real' : config.execution.adapter === 'real';
  const opened = await openRealSession({ real: config.execution.real, clobUrl: opts.clobUrl, executionReal, env: io.env, secrets, clock, forPlacing });
  if (!opened.ok) return fail(opened.kind === 'refused' ? EXIT.REFUSED : opened.kind === 'config' ? EXIT.CONFIG_ERROR : EXIT.RUNTIME_ERROR, opened.message);
  const { session, cfg } = opened;
  return { ok: true, session, cfg, clock };
}

interface PlaceOptions extends VenueOptions {
  tokenId: string;
  side: string;
  price: string;
  size: string;
  type?: string;
  postOnly?: boolean;
  expiration?: string;
  tickSize?: string;
  negRisk?: boolean;
}

const TYPES: readonly OrderType[] = ['GTC', 'GTD', 'FOK', 'FAK'];

export async function place(opts: PlaceOptions, io: CliIo): Promise<number> {
  const usage = (m: string) => {
    io.err(`helios orders place: ${m}\n`);
    return EXIT.CONFIG_ERROR;
  };
  const side = opts.side.toUpperCase();
  if (side !== 'BUY' && side !== 'SELL') return usage(`--side expects BUY or SELL; got ${JSON.stringify(opts.side)}`);
  const price = Number(opts.price);
  if (!(price > 0 && price < 1)) return usage(`--price expects a number between 0 and 1; got ${JSON.stringify(opts.price)}`);
  const size = Number(opts.size);
  if (!(size > 0 && Number.isFinite(size))) return usage(`--size expects a positive number of shares; got ${JSON.stringify(opts.size)}`);
  const type = (opts.type ?? 'GTC').toUpperCase() as OrderType;
  if (!TYPES.includes(type)) return usage(`--type expects one of ${TYPES.join(', ')}; got ${JSON.stringify(opts.type)}`);
  if (opts.postOnly && (type === 'FOK' || type === 'FAK')) return usage('--post-only works with GTC and GTD only');
  const expiration = opts.expiration === undefined ? null : Number(opts.expiration);
  if ((type === 'GTD') !== (expiration !== null)) return usage('--expiration UNIX (seconds) goes with --type GTD, and GTD needs it');
  if (expiration !== null && !Number.isSafeInteger(expiration)) return usage(`--expiration expects unix seconds; got ${JSON.stringify(opts.expiration)}`);
  const tick = opts.tickSize === undefined ? null : Number(opts.tickSize);
  if (tick !== null && !tickName(tick)) return usage(`--tick-size expects one of 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001; got ${JSON.stringify(opts.tickSize)}`);
  if (!/^\d+$/.test(opts.tokenId)) return usage(`--token-id expects the decimal token id; got ${JSON.stringify(opts.tokenId)}`);

  const opened = await openVenue(opts, io, true, 'orders place');
  if (!opened.ok) return opened.code;
  const { session, cfg, clock } = opened;
  const facts = tick !== null && opts.negRisk !== undefined ? { tick, negRisk: opts.negRisk } : await session.marketFacts(opts.tokenId).catch((err: Error) => err);
  if (facts instanceof Error) {
    io.err(`helios orders place: cannot read the market's tick and neg-risk (give --tick-size and --neg-risk): ${scrubText(facts.message)}\n`);
    return EXIT.RUNTIME_ERROR;
  }
  const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
  const adapter = new ClobExecutionAdapter({ clock, cfg, session, logger, userWsUrl: userWsUrl(cfg), heartbeats: false });
  // Rounding and the minimum size are the venue's call here: the operator named the order exactly.
  adapter.registerMarket({ market_id: opts.tokenId, condition_id: '', tokens: [opts.tokenId], tick_size: tick ?? facts.tick, min_order_size: 0, neg_risk: opts.negRisk ?? facts.negRisk, fee: { rate: 0, exponent: 1, taker_only: true } });
  const clientId = `cli-${clock.now()}`;
  try {
    const ack = await adapter.placeOrder({
      client_order_id: clientId,
      market_id: opts.tokenId,
      token_id: opts.tokenId,
      side,
      order_type: type,
      price,
      size,
      // An operator's order: not a strategy's, as adopted venue orders.
      strategy: 'reconciled',
      expires_at_ms: expiration === null ? null : (expiration - cfg.expiration_buffer_s) * 1000,
      post_only: opts.postOnly === true,
    });
    const o = adapter.tracker.get(clientId);
    const line = { kind: 'order', accepted: ack.accepted, venue_order_id: ack.accepted ? ack.venue_order_id : (o?.venueId ?? null), status: o?.status ?? 'rejected', price: o?.req.price ?? price, size: o?.req.size ?? size, reason: ack.accepted ? null : ack.reason };
    io.out(opts.json ? JSON.stringify(line) + '\n' : `${line.accepted ? 'placed' : 'refused'} ${side} ${line.size} @ ${line.price} ${type}: ${line.status}${line.venue_order_id ? ` (order ${line.venue_order_id})` : ''}${line.reason ? `: ${line.reason}` : ''}\n`);
    return ack.accepted ? EXIT.OK : EXIT.DATA_ERROR;
  } finally {
    adapter.stop();
  }
}

async function list(opts: VenueOptions, io: CliIo): Promise<number> {
  const opened = await openVenue(opts, io, false, 'orders list');
  if (!opened.ok) return opened.code;
  return venueCall(io, 'orders list', async () => {
    const rows = await opened.session.openOrders();
    for (const o of rows) {
      const line = { kind: 'open_order', id: o.id, token_id: o.asset_id, market: o.market, side: o.side, price: Number(o.price), size: Number(o.original_size), filled: Number(o.size_matched), type: o.order_type };
      io.out(opts.json ? JSON.stringify(line) + '\n' : `${line.id}  ${line.side} ${line.size} @ ${line.price} ${line.type}  filled ${line.filled}  token ${line.token_id}\n`);
    }
    if (!opts.json) io.out(`${rows.length} open order(s)\n`);
    return EXIT.OK;
  });
}

async function cancel(opts: VenueOptions & { orderId?: string; all?: boolean }, io: CliIo, name: string): Promise<number> {
  const opened = await openVenue(opts, io, false, name);
  if (!opened.ok) return opened.code;
  return venueCall(io, name, async () => {
    const r = opts.all ? await opened.session.cancelAll() : await opened.session.cancel([opts.orderId!]);
    const line = { kind: 'cancel', canceled: r.canceled, not_canceled: r.not_canceled };
    const refused = Object.keys(r.not_canceled ?? {});
    io.out(opts.json ? JSON.stringify(line) + '\n' : `canceled ${r.canceled.length}${refused.length ? `; not canceled: ${refused.map((id) => `${id} (${r.not_canceled[id]})`).join(', ')}` : ''}\n`);
    return refused.length ? EXIT.DATA_ERROR : EXIT.OK;
  });
}

/** A venue call's failure as exit 3, its message scrubbed. */
export async function venueCall(io: CliIo, name: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    io.err(`helios ${name}: ${scrubText((err as Error).message)}\n`);
    return EXIT.RUNTIME_ERROR;
  }
}

export function venueOptions(cmd: Command): Command {
  return cmd
    .option('--execution <mode>', 'real (needed: paper is the default and places nothing)')
    .option('--clob-url <url>', "the CLOB's REST base (default execution.real.clob_url); the user channel and positions are read from the same host")
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--json', 'one JSON object per line');
}

export function register(program: Command, io: CliIo): void {
  const orders = program.command('orders').description('real orders on the CLOB (needs --execution real and credentials; placing also HELIOS_CONFIRM_REAL_ORDERS=yes and a passing live healthcheck)');
  venueOptions(
    orders
      .command('place')
      .description('sign and place one order; exit 0 placed, 1 refused by the venue, 4 refused by the safety gate')
      .requiredOption('--token-id <id>', 'the outcome token')
      .requiredOption('--side <side>', 'BUY or SELL')
      .requiredOption('--price <p>', 'limit price (rounded to the tick: buys down, sells up)')
      .requiredOption('--size <shares>', 'shares (2 decimals)')
      .option('--type <type>', 'GTC (default), GTD, FOK or FAK')
      .option('--post-only', 'refused by the venue if it would cross (GTC/GTD)')
      .option('--expiration <unix>', 'GTD expiry, unix seconds (the venue takes it one minute early)')
      .option('--tick-size <t>', "the market's tick (else read from the venue)")
      .option('--neg-risk', 'a neg-risk market (signed for the neg-risk exchange; else read from the venue)'),
  ).action(async (o: PlaceOptions) => io.exit(await place(o, io)));
  venueOptions(orders.command('list').description('the open orders of the key')).action(async (o: VenueOptions) => io.exit(await list(o, io)));
  venueOptions(orders.command('cancel').description('cancel one order; exit 1 when the venue did not cancel it').requiredOption('--order-id <id>', 'the venue order id (0x…)')).action(
    async (o: VenueOptions & { orderId: string }) => io.exit(await cancel(o, io, 'orders cancel')),
  );
  venueOptions(orders.command('cancel-all').description('cancel every open order of the key')).action(async (o: VenueOptions) => io.exit(await cancel({ ...o, all: true }, io, 'orders cancel-all')));
}
