import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { unwritableOutput } from '../../adapters/storage/output-path.ts';
import { mergeConfigLayer } from '../../config/load.ts';
import { SIGNATURE_TYPE_NAMES, type WalletKind } from '../../domain/execution/polymarket-wallet.ts';
import type { StandInFunder, StandInWallet } from '../../sim/clob/crowd-stand-in.ts';
import { DEV_ADDRESS, DEV_KEY } from '../../sim/clob/dev-key.ts';
import { standInDaemonOverlay, startStandInVenue, type StandInVenue } from '../../sim/clob/stand-in-venue.ts';
import { DURATION_RANGE_TEXT, parseDurationSeconds } from '../duration-option.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { loadCliConfig } from '../load-cli-config.ts';
import { PortUnavailable } from '../../adapters/net/listen.ts';
import { badPortMessage, parsePort, portUnavailableMessage } from '../port-option.ts';
import { untilSignal } from '../until-signal.ts';

export interface ClobStandInCliOptions {
  config?: string;
  port?: string;
  clobPort?: string;
  usdc?: string;
  address?: string;
  signatureType?: string;
  depositWallet?: string;
  secondsDelay?: string;
  duration?: string;
  overlay?: string;
}

/** The real venue cancels a key's orders about 10 s after its heartbeats stop; the stand-in does the same. */
const HEARTBEAT_TIMEOUT_MS = 10_000;
/** Polymarket's matching delays on sports markets are a few seconds; more would be a misconfiguration, not a trial. */
const MAX_SECONDS_DELAY = 60;
/** Trades go MATCHED → MINED → CONFIRMED a second a step: settlement is seen, not instant. */
const SETTLE_STEP_MS = 1000;
/**
 * Credentials that would override the key's L1-derived API key at the stand-in (an operator's real
 * ones answer 401 there): the printed command unsets them.
 */
const UNSET_FOR_TRIAL = ['HELIOS_SECRETS_FILE', 'HELIOS_POLY_API_KEY', 'HELIOS_POLY_API_SECRET', 'HELIOS_POLY_PASSPHRASE'] as const;
/** Shown in place of a key the command never sees (an operator's own, named by --address). */
const KEY_PLACEHOLDER = '<the private key of ADDRESS>';

const ADDRESS = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte hex address');

const options = z.object({
  usdc: z.coerce.number().positive().max(1e12).default(10_000),
  address: ADDRESS.optional(),
  signatureType: z.enum(['1', '2', '3']).optional(),
  depositWallet: ADDRESS.optional(),
  secondsDelay: z.coerce.number().min(0).max(MAX_SECONDS_DELAY).default(0),
});

const OPTION_TEXT: Record<string, string> = {
  usdc: '--usdc expects a positive number of USDC',
  address: '--address expects a 0x-prefixed 20-byte hex address (the address of your key, never the key)',
  signatureType:
    '--signature-type expects 1 (POLY_PROXY: email/Magic accounts), 2 (POLY_GNOSIS_SAFE: browser-wallet accounts) or 3 (POLY_1271: deposit-wallet accounts, with --deposit-wallet); 0 (EOA) is the default without it',
  depositWallet: "--deposit-wallet expects a 0x-prefixed 20-byte hex address (the deposit wallet's, never a key)",
  secondsDelay: `--seconds-delay expects a number of seconds from 0 to ${MAX_SECONDS_DELAY}`,
};

/**
 * `helios clob-standin`: the venue simulator with the daemon's sim universe and the stand-in CLOB
 * V2 matching against its books, on loopback, one key (or the proxy/safe it signs for, derived from
 * it as Polymarket does, or the deposit wallet given for it) funded; prints the config overlay and the
 * exact `helios run --execution real` command an operator runs next, serves until SIGINT/SIGTERM
 * or --duration, then prints what the venue saw.
 */
export async function clobStandIn(opts: ClobStandInCliOptions, io: CliIo): Promise<number> {
  const usage = (message: string) => {
    io.err(`helios clob-standin: ${message}\n`);
    return EXIT.CONFIG_ERROR;
  };
  const ports = { port: opts.port === undefined ? 0 : parsePort(opts.port), clobPort: opts.clobPort === undefined ? 0 : parsePort(opts.clobPort) };
  if (ports.port === null) return usage(badPortMessage('--port', opts.port));
  if (ports.clobPort === null) return usage(badPortMessage('--clob-port', opts.clobPort));
  const parsed = options.safeParse({ usdc: blankAsBad(opts.usdc), address: opts.address, signatureType: opts.signatureType, depositWallet: opts.depositWallet, secondsDelay: blankAsBad(opts.secondsDelay) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    const given = (opts as Record<string, string | undefined>)[key];
    return usage(`${OPTION_TEXT[key] ?? issue.message}; got ${JSON.stringify(given)}`);
  }
  const o = { ...parsed.data, port: ports.port, clobPort: ports.clobPort };
  const duration = opts.duration === undefined ? undefined : parseDurationSeconds(opts.duration, { allowZero: false });
  if (duration === null) return usage(`--duration expects ${DURATION_RANGE_TEXT}, above 0; got ${JSON.stringify(opts.duration)}`);
  const address = o.address ?? DEV_ADDRESS;
  const chosen = walletOption(o.signatureType, o.depositWallet, address);
  if (!chosen.ok) return usage(chosen.error);
  const unwritable = opts.overlay === undefined ? null : unwritableOutput(opts.overlay, 'file');
  if (unwritable) return usage(`--overlay ${unwritable}; write the overlay elsewhere`);
  const { wallet } = chosen;
  const loaded = loadCliConfig(io, 'helios clob-standin', { file: opts.config });
  if (!loaded) return EXIT.CONFIG_ERROR;
  const { config } = loaded;
  if (o.port !== 0 && o.port === o.clobPort) return usage(`--port and --clob-port must differ; both are ${o.port}`);

  let sv: StandInVenue;
  try {
    // Frames carry the wall clock, as the real venue's do: the stand-in's venue time is the wall clock too.
    sv = await startStandInVenue({ config, startMs: Date.now(), usdc: o.usdc, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS, autoSettleMs: SETTLE_STEP_MS, sportsSecondsDelay: o.secondsDelay, address: o.address, wallet, venuePort: o.port, clobPort: o.clobPort, now: () => Date.now() });
  } catch (err) {
    // The two ports differ (checked above) and a free one (0) is never unavailable: the port says which option set it.
    if (err instanceof PortUnavailable) return usage(portUnavailableMessage(err, err.port === o.clobPort ? '--clob-port' : '--port'));
    io.err(`helios clob-standin: cannot listen on 127.0.0.1 (--port ${o.port}, --clob-port ${o.clobPort}): ${(err as Error).message}\n`);
    return EXIT.RUNTIME_ERROR;
  }
  const funder = sv.funder;
  // Ready for signals before announcing: an operator (or a test) may stop us as soon as it read the lines.
  const stopped = untilSignal(duration === undefined ? undefined : duration * 1000);

  // The operator's own config (the daemon must build the same universe) with the trial's keys over it.
  const overlayDoc: Record<string, unknown> = opts.config ? ((parseYaml(readFileSync(opts.config, 'utf8')) as Record<string, unknown> | null) ?? {}) : {};
  mergeConfigLayer(overlayDoc, standInDaemonOverlay(sv.endpoints, sv.clob, funder));
  const overlay = toYaml(overlayDoc);
  if (opts.overlay) writeFileSync(opts.overlay, overlay);
  const devKey = o.address === undefined;
  const env = { HELIOS_CONFIRM_REAL_ORDERS: 'yes', HELIOS_POLY_PRIVATE_KEY: devKey ? DEV_KEY : KEY_PLACEHOLDER.replace('ADDRESS', address) };
  const argv = ['run', '--execution', 'real', '--config', opts.overlay ?? 'FILE'];
  io.out(
    JSON.stringify({
      kind: 'clob_standin',
      venue: { ws_url: sv.endpoints.wsUrl, rest_url: sv.endpoints.restUrl },
      clob: { http: sv.clob.http, user_ws: sv.clob.ws },
      address,
      // Who holds the collateral and signs as maker: the proxy/safe with its signature type, or the key itself (0).
      signature_type: funder?.signatureType ?? 0,
      funder: funder?.address ?? null,
      usdc: o.usdc,
      markets: sv.universe.markets.length,
      // The esports markets' matching delay (0: none): their orders that would match wait DELAYED this long.
      seconds_delay: o.secondsDelay,
      tokens: sv.tokens.length,
      run: { argv, env, unset: [...UNSET_FOR_TRIAL] },
      key: devKey ? 'the well-known public development key (hardhat account 0): never fund it anywhere real' : 'yours: set HELIOS_POLY_PRIVATE_KEY to the key of this address (never printed)',
    }) + '\n',
  );
  if (funder) io.out(`# the key ${address} signs as ${SIGNATURE_TYPE_NAMES[funder.signatureType]} (signature_type ${funder.signatureType}) for ${funder.address}, ${whoseWallet(funder)}, which holds the ${o.usdc} USDC and is the maker of its orders\n`);
  io.out(`# config overlay for \`helios run --execution real --config FILE\`${opts.overlay ? ` (written to ${opts.overlay})` : ' (save it as FILE)'}:\n${overlay.replace(/^/gm, '# ')}\n`);
  io.out(`# then, in another shell (${devKey ? 'the key shown is the well-known public development key, hardhat account 0: never fund it anywhere real' : 'put your key for ' + address + ' in place of the placeholder'}):\n`);
  io.out(`#   env ${UNSET_FOR_TRIAL.map((k) => `-u ${k}`).join(' ')} ${Object.entries(env).map(([k, v]) => `${k}=${shellWord(v)}`).join(' ')} helios ${argv.join(' ')}\n`);

  await stopped;
  const v = sv.standIn.venue;
  const funds = funder?.address ?? address;
  const summary = {
    kind: 'clob_standin_summary',
    orders: v.orders.size,
    orders_live: [...v.orders.values()].filter((x) => x.status === 'LIVE').length,
    trades: v.trades.size,
    positions: v.positionsOf(funds).length,
    collateral: Math.round(v.balance(funds) * 1e6) / 1e6,
    requests: sv.standIn.requests.length,
  };
  await sv.close();
  io.out(JSON.stringify(summary) + '\n');
  return EXIT.OK;
}

/**
 * The wallet the key trades through, from --signature-type and --deposit-wallet (a deposit wallet
 * is given, never derived: exactly type 3 needs one), or the usage error.
 */
function walletOption(signatureType: '1' | '2' | '3' | undefined, depositWallet: string | undefined, key: string): { ok: true; wallet?: StandInWallet } | { ok: false; error: string } {
  const refuse = (error: string) => ({ ok: false as const, error });
  if (depositWallet !== undefined && signatureType !== '3') return refuse(`--deposit-wallet is only for --signature-type 3 (POLY_1271); got ${signatureType === undefined ? 'no --signature-type' : `--signature-type ${signatureType}`}`);
  if (signatureType === undefined) return { ok: true };
  if (signatureType !== '3') return { ok: true, wallet: { signatureType: Number(signatureType) as WalletKind } };
  if (depositWallet === undefined) return refuse('--signature-type 3 (POLY_1271) needs --deposit-wallet ADDRESS: the deposit wallet Polymarket deployed for the account (its address is not derived from the key)');
  if (depositWallet.toLowerCase() === key.toLowerCase()) return refuse(`--deposit-wallet ${depositWallet} is the key's own address: a deposit wallet is a contract deployed for the key, at an address of its own`);
  return { ok: true, wallet: { signatureType: 3, depositWallet } };
}

function whoseWallet(funder: StandInFunder): string {
  if (funder.signatureType === 3) return 'the deposit wallet registered to it here (given, not derived from the key)';
  return `its ${funder.signatureType === 1 ? 'proxy wallet' : 'Gnosis Safe'} as Polymarket derives it from the key`;
}

/** commander hands an empty value through: it is a bad number, not the default. */
function blankAsBad(text: string | undefined): string | undefined {
  return text !== undefined && text.trim() === '' ? 'not a number' : text;
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('clob-standin')
    .description('serve, on loopback, the venue simulator with the daemon\'s sim universe and a stand-in CLOB V2 matching against its books, one key funded; prints the overlay and the `helios run --execution real` command of a trial')
    .option('--config <file>', 'YAML file layered over the defaults (the daemon must use the same one: the printed overlay includes it)')
    .option('--port <n>', 'venue simulator port on 127.0.0.1 (default 0: any free port)')
    .option('--clob-port <n>', 'stand-in CLOB port on 127.0.0.1 (default 0: any free port)')
    .option('--usdc <x>', 'collateral the key (or the wallet it trades through, with --signature-type) starts with (default 10000)')
    .option('--address <addr>', 'fund this address (your key\'s) instead of the public development key')
    .option('--signature-type <n>', 'trade through the key\'s Polymarket wallet, funded instead of it: 1 POLY_PROXY (email/Magic accounts) and 2 POLY_GNOSIS_SAFE (browser-wallet accounts), derived from the key as Polymarket does; 3 POLY_1271 (deposit-wallet accounts), the wallet given by --deposit-wallet')
    .option('--deposit-wallet <addr>', 'with --signature-type 3: the deposit wallet the key signs for, registered to the key at the stand-in (Polymarket deploys it for the account; its address is not derived from the key)')
    .option('--seconds-delay <s>', 'matching delay of the esports (sports) markets, as Polymarket\'s seconds_delay: an order that would match is accepted "delayed" and matched against the book as it is this many seconds later (default 0: none; at most 60)')
    .option('--duration <seconds>', 'stop after this many seconds (default: until SIGINT/SIGTERM)')
    .option('--overlay <file>', 'also write the config overlay to this file')
    .action(async (opts: ClobStandInCliOptions) => io.exit(await clobStandIn(opts, io)));
}
