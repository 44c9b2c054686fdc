import type { Secrets } from '../../config/secrets.ts';
import type { RealExecutionConfig } from '../../config/sections/execution-real.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { ClobSession, RealCredentials } from './real-clob-session.ts';

/**
 * The gate in front of real orders: all of execution real, HELIOS_CONFIRM_REAL_ORDERS=yes,
 * credentials from the environment or the secrets file, and a passing live healthcheck. Each
 * refusal names what is missing and never a secret's value.
 */

export const CONFIRM_ENV = 'HELIOS_CONFIRM_REAL_ORDERS';

export type GateResult = { ok: true; credentials: RealCredentials } | { ok: false; missing: string[] };

export function checkRealOrderGate(input: { executionReal: boolean; env: NodeJS.ProcessEnv; secrets: Secrets }): GateResult {
  const missing: string[] = [];
  if (!input.executionReal) missing.push('--execution real (or execution.adapter: real)');
  const confirm = input.env[CONFIRM_ENV];
  // Set but not `yes` ("YES", "true", "1"): said so, or the operator looks for a variable that is there.
  if (confirm !== 'yes') missing.push(`${CONFIRM_ENV}=yes in the environment${confirm === undefined ? '' : ` (it is ${JSON.stringify(confirm)}: only the exact word yes confirms)`}`);
  const s = input.secrets;
  if (!s.polymarket_private_key) missing.push('HELIOS_POLY_PRIVATE_KEY (environment or HELIOS_SECRETS_FILE)');
  const api = [s.polymarket_api_key, s.polymarket_api_secret, s.polymarket_passphrase];
  if (api.some(Boolean) && !api.every(Boolean)) missing.push('all three of HELIOS_POLY_API_KEY, HELIOS_POLY_API_SECRET, HELIOS_POLY_PASSPHRASE (or none, to derive them from the key)');
  if (missing.length) return { ok: false, missing };
  const [key, secret, passphrase] = api;
  return {
    ok: true,
    credentials: {
      privateKey: s.polymarket_private_key!.reveal(),
      ...(key && secret && passphrase ? { api: { key: key.reveal(), secret: secret.reveal(), passphrase: passphrase.reveal() } } : {}),
    },
  };
}

export interface LiveHealth {
  ok: boolean;
  problems: string[];
  clock_skew_ms: number | null;
  collateral_usdc: number | null;
  allowance_ok: boolean | null;
}

/** The funder is the key's own proxy or safe; clock skew against the venue's /time, collateral balance and an allowance for the exchange. */
export async function liveHealthcheck(session: ClobSession, cfg: RealExecutionConfig, clock: Clock): Promise<LiveHealth> {
  const problems: string[] = [];
  const wallet = session.walletProblem;
  if (wallet) problems.push(wallet);
  let skew: number | null = null;
  let balance: number | null = null;
  let allowanceOk: boolean | null = null;
  try {
    skew = (await session.serverTimeMs()) - clock.now();
    // /time has a one-second resolution: only the excess over it is skew.
    if (Math.abs(skew) > cfg.healthcheck.max_clock_skew_ms + 1000) problems.push(`clock skew ${skew} ms exceeds ${cfg.healthcheck.max_clock_skew_ms} ms`);
  } catch (err) {
    problems.push(`venue time unreadable: ${(err as Error).message}`);
  }
  try {
    const c = await session.collateral();
    balance = c.balance;
    allowanceOk = Object.values(c.allowances).some((v) => /^\d+$/.test(v) && BigInt(v) > 0n);
    if (balance < cfg.healthcheck.min_collateral_usdc) problems.push(`collateral ${balance} USDC below ${cfg.healthcheck.min_collateral_usdc}`);
    if (!allowanceOk) problems.push('no collateral allowance for the exchange');
  } catch (err) {
    problems.push(`balance unreadable: ${(err as Error).message}`);
  }
  return { ok: problems.length === 0, problems, clock_skew_ms: skew, collateral_usdc: balance, allowance_ok: allowanceOk };
}
