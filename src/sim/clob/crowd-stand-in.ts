import { SystemClock } from '../../adapters/clock/system-clock.ts';
import type { WalletKind } from '../../domain/execution/polymarket-wallet.ts';
import type { SimUniverse } from '../sim-universe.ts';
import { PRICE_UNITS_PER_ONE, TrueBook } from '../venue/true-book.ts';
import type { VenueSimulator } from '../venue/venue-simulator.ts';
import { deriveCreds } from './clob-auth.ts';
import type { ClobMarketInfo } from './clob-order-check.ts';
import { ClobStandIn } from './clob-server.ts';
import { DEV_ADDRESS } from './dev-key.ts';

/** The crowd's book at the stand-in: the venue simulator's true book as it is now (a copy a match may eat into). */
export function crowdBook(venue: VenueSimulator, token: string): TrueBook | undefined {
  if (!venue.tokens().includes(token)) return undefined;
  const depth = venue.trueBook(token);
  const b = new TrueBook();
  for (const [p, s] of depth.bids) b.set('BUY', Math.round(p * PRICE_UNITS_PER_ONE), Math.round(s * 100));
  for (const [p, s] of depth.asks) b.set('SELL', Math.round(p * PRICE_UNITS_PER_ONE), Math.round(s * 100));
  return b;
}

/**
 * What the stand-in must know of each token of a simulated universe (its market, tick, minimum size,
 * neg-risk), and the matching delay of its sports markets (the esports ones, bound to a match), as
 * Polymarket sets `seconds_delay` on sports markets only.
 */
export function clobMarketsOf(universe: SimUniverse, sportsSecondsDelay = 0): Map<string, ClobMarketInfo> {
  const markets = new Map<string, ClobMarketInfo>();
  for (const m of universe.markets) {
    const delay = m.match_id !== null && sportsSecondsDelay > 0 ? { seconds_delay: sportsSecondsDelay } : {};
    for (const t of [m.spec.yes_token, m.spec.no_token]) markets.set(t, { market: m.spec.market_id, tick_size: m.spec.tick_size, min_order_size: m.spec.min_order_size, neg_risk: m.spec.event?.neg_risk ?? false, ...delay });
  }
  return markets;
}

export interface CrowdStandInOptions {
  venue: VenueSimulator;
  universe: SimUniverse;
  /** Collateral (USDC) the funded key starts with. */
  usdc: number;
  /** The signing key's address, whose API key is registered (default the development key's, DEV_ADDRESS). */
  address?: string;
  /** The wallet the key trades through, funded in its place and the maker of its orders. Absent: the key trades as an EOA and is funded itself. */
  wallet?: StandInWallet;
  /** Loopback port of the stand-in (default 0: any free port). */
  port?: number;
  /** Heartbeats started and none for this long: the venue cancels every order of the key. */
  heartbeatTimeoutMs: number;
  /** MATCHED → MINED → CONFIRMED, this long each step. */
  autoSettleMs: number;
  /** The esports (sports) markets' matching delay, seconds: an order that would match waits DELAYED this long (default 0: none). */
  sportsSecondsDelay?: number;
}

/**
 * Which wallet of the key trades: its proxy (1) or safe (2), derived from the key as the venue
 * does, or a POLY_1271 deposit wallet (3), which Polymarket deploys for an account and whose
 * address is therefore given, and registered to the key at the stand-in.
 */
export type StandInWallet = { signatureType: WalletKind } | { signatureType: 3; depositWallet: string };

/** The wallet a key trades through: its address and signature type. */
export interface StandInFunder {
  address: string;
  signatureType: WalletKind | 3;
}

export interface CrowdStandIn {
  standIn: ClobStandIn;
  /** REST (also the Data API) and the user WebSocket. */
  clob: { http: string; ws: string };
  /** Every token it trades, sorted. */
  tokens: string[];
  /** The key's wallet that was funded, when it trades through one. */
  funder?: StandInFunder;
}

/** The key's wallet as the stand-in knows it: a proxy or safe derived, a deposit wallet registered to the key. */
function walletFor(standIn: ClobStandIn, address: string, wallet: StandInWallet): StandInFunder {
  if (wallet.signatureType !== 3) return { address: standIn.walletOf(address, wallet.signatureType), signatureType: wallet.signatureType };
  standIn.registerDepositWallet(address, wallet.depositWallet);
  return { address: wallet.depositWallet, signatureType: 3 };
}

/**
 * The stand-in CLOB on loopback matching against a venue simulator's books (the crowd), the
 * development key (or `address`) registered and it (or the wallet it trades through, `wallet`) funded: what the real-execution tests, `helios
 * soak --execution real` and `helios clob-standin` point the daemon's real adapter at. Venue time
 * is the wall clock.
 */
export async function startCrowdStandIn(o: CrowdStandInOptions): Promise<CrowdStandIn> {
  const markets = clobMarketsOf(o.universe, o.sportsSecondsDelay);
  const standIn = new ClobStandIn({
    clock: new SystemClock(),
    authClock: new SystemClock(),
    markets,
    bookFor: (t) => crowdBook(o.venue, t),
    heartbeatTimeoutMs: o.heartbeatTimeoutMs,
    autoSettleMs: o.autoSettleMs,
    chainId: 137,
    version: 2,
    maxSkewSeconds: 30,
    expirationBufferSeconds: 60,
  });
  const address = o.address ?? DEV_ADDRESS;
  standIn.addKey(address, deriveCreds(address, 0n));
  const funder = o.wallet === undefined ? undefined : walletFor(standIn, address, o.wallet);
  standIn.venue.fund(funder?.address ?? address, o.usdc);
  const clob = await standIn.listen(o.port ?? 0);
  return { standIn, clob, tokens: [...markets.keys()].sort(), ...(funder ? { funder } : {}) };
}
