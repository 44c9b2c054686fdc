import type { Secrets } from '../../config/secrets.ts';
import type { RealExecutionConfig } from '../../config/sections/execution-real.ts';
import type { ExecutionConfig } from '../../config/sections/trading.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { PaperHolding } from '../../domain/trading/carried-state.ts';
import type { Logger } from '../log/logger.ts';
import type { ExecutionAdapter } from './execution-adapter.ts';
import { PaperExecutionAdapter, type PaperBook } from './paper-adapter.ts';
import { RealExecutionAdapter } from './real-adapter.ts';
import type { ClobExecutionAdapter, RealAdapterDeps, RealAlert } from './real-clob-adapter.ts';
import type { ClobSession } from './real-clob-session.ts';
import { checkRealOrderGate, CONFIRM_ENV, liveHealthcheck } from './real-gate.ts';

/**
 * The venue a trading node builds for itself, synchronously on its own virtual clock: paper. The
 * CLOB adapter needs an authenticated, reconciled session first (createRealExecutionAdapter), so
 * the daemon opens it and hands it to the node; a node left to build `real` itself (a replay or
 * backtest given a real config) gets the refusing stub and fails loudly at reconciliation.
 */
export function createExecutionAdapter(
  cfg: ExecutionConfig,
  deps: { clock: Clock; bookFor: (tokenId: string) => PaperBook | undefined; holdings?: readonly PaperHolding[] },
): ExecutionAdapter {
  if (cfg.adapter === 'real') return new RealExecutionAdapter();
  return new PaperExecutionAdapter({ clock: deps.clock, cfg: cfg.paper, bookFor: deps.bookFor, holdings: deps.holdings });
}

export interface RealOpenInput {
  real: RealExecutionConfig;
  /** `--clob-url`: the stand-in (or another host) serving REST, the user channel and positions. */
  clobUrl?: string;
  /** `--execution real`, or execution.adapter real. */
  executionReal: boolean;
  env: NodeJS.ProcessEnv;
  secrets: Secrets;
  /** The process clock (HTTP timeouts, heartbeats): never a replay's virtual clock. */
  clock: Clock;
  /**
   * Placing needs the whole gate: HELIOS_CONFIRM_REAL_ORDERS=yes and a passing live healthcheck.
   * Reading and canceling need execution real and credentials only, so orders can always be pulled.
   */
  forPlacing: boolean;
}

export type RealOpen =
  | { ok: true; session: ClobSession; cfg: RealExecutionConfig }
  /** refused: the gate (exit 4); config: bad key or settings, a funder_address the key does not own included (exit 2); runtime: the venue could not be reached (exit 3). */
  | { ok: false; kind: 'refused' | 'config' | 'runtime'; message: string };

/**
 * The CLOB client and viem load only when a real session opens: they add ~60 MB of RSS (~15 MB of
 * heap) that a paper daemon never uses. A caller on the hot path restores the fast string
 * prototype afterwards (apps/fast-string-prototype.ts), as entry points do after their imports.
 */
export async function openRealSession(input: RealOpenInput): Promise<RealOpen> {
  const [{ ClobSession }, { SignerKeyError, createSigner }, { funderAddressProblem }] = await Promise.all([
    import('./real-clob-session.ts'),
    import('./real-signing.ts'),
    import('../../domain/execution/polymarket-wallet.ts'),
  ]);
  const cfg: RealExecutionConfig = input.clobUrl ? { ...input.real, clob_url: input.clobUrl, user_ws_url: '', data_api_url: '' } : input.real;
  const env = input.forPlacing ? input.env : { ...input.env, [CONFIRM_ENV]: 'yes' };
  const gate = checkRealOrderGate({ executionReal: input.executionReal, env, secrets: input.secrets });
  if (!gate.ok) return { ok: false, kind: 'refused', message: `refused: real orders need ${gate.missing.join('; ')} (missing)` };
  let session: ClobSession;
  try {
    if (input.forPlacing) {
      // Before any request: a proxy or safe the key does not own would have every order refused, after start-up.
      const wrongWallet = funderAddressProblem(cfg, createSigner(gate.credentials.privateKey).address);
      if (wrongWallet) return { ok: false, kind: 'config', message: `refused: ${wrongWallet}` };
    }
    session = await ClobSession.open(cfg, gate.credentials, input.clock);
  } catch (err) {
    if (err instanceof SignerKeyError) return { ok: false, kind: 'config', message: `HELIOS_POLY_PRIVATE_KEY: ${err.message}` };
    return { ok: false, kind: 'runtime', message: `cannot open a session with ${cfg.clob_url}: ${(err as Error).message}` };
  }
  if (input.forPlacing) {
    const health = await liveHealthcheck(session, cfg, input.clock);
    if (!health.ok) return { ok: false, kind: 'refused', message: `refused: the live healthcheck failed: ${health.problems.join('; ')}` };
  }
  return { ok: true, session, cfg };
}

/** The real adapter behind the whole gate; its start() (reconciliation) must pass before trading. */
export async function createRealExecutionAdapter(
  input: Omit<RealOpenInput, 'forPlacing'> & { logger: Logger; onAlert?: (a: RealAlert) => void } & Pick<RealAdapterDeps, 'givenUpStore' | 'sellCostStore' | 'awaitingStore'>,
): Promise<{ ok: true; adapter: ClobExecutionAdapter } | Extract<RealOpen, { ok: false }>> {
  const opened = await openRealSession({ ...input, forPlacing: true });
  if (!opened.ok) return opened;
  const [{ ClobExecutionAdapter }, { userWsUrl }] = await Promise.all([import('./real-clob-adapter.ts'), import('./real-clob-session.ts')]);
  const adapter = new ClobExecutionAdapter({ clock: input.clock, cfg: opened.cfg, session: opened.session, logger: input.logger, onAlert: input.onAlert, givenUpStore: input.givenUpStore, sellCostStore: input.sellCostStore, awaitingStore: input.awaitingStore, userWsUrl: userWsUrl(opened.cfg) });
  return { ok: true, adapter };
}
