import type { PayloadOf } from '../events/catalog.ts';

/**
 * The policy table: the model side publishes per market a fair value per token, an edge threshold
 * and size limits; the execution side only looks them up, so no model runs on the hot path.
 */
export type Policy = PayloadOf<'POLICY'>;
export type TruthSignal = PayloadOf<'TRUTH_STATE'>;
export type NowcastSignal = PayloadOf<'NOWCAST'>;

export type FairSource =
  | { kind: 'truth'; outcome_by_token: Record<string, string> }
  /** `judge_day`: the day the bucket settles on (discovered markets); absent: whatever day the nowcast is for. */
  | { kind: 'nowcast'; bucket_label: string; yes_token: string; no_token: string; judge_day?: string }
  | { kind: 'none' };

export interface PolicyDefaults {
  edge_threshold: number;
  max_position_usdc: number;
  max_order_usdc: number;
  /** How long a derived policy stays valid. */
  ttl_ms: number;
}

/** Esports: fair value per token is the truth engine's implied probability of its outcome. */
export function policyFromTruth(truth: TruthSignal, outcomeByToken: Record<string, string>, d: PolicyDefaults, nowMs: number): Policy | null {
  if (truth.state === 'stale' || truth.stale || truth.state === 'disputed' || truth.state === 'invalidated' || !truth.implied_p) return null;
  const fair: Record<string, number> = {};
  for (const token of Object.keys(outcomeByToken).sort()) {
    const p = truth.implied_p[outcomeByToken[token]!];
    if (p === undefined || !Number.isFinite(p)) return null;
    fair[token] = p;
  }
  return { fair_value: fair, edge_threshold: d.edge_threshold, max_position_usdc: d.max_position_usdc, max_order_usdc: d.max_order_usdc, source: 'truth', valid_until_ms: nowMs + d.ttl_ms };
}

/** Weather: the YES token of a bucket market is worth the nowcast's probability of that bucket. */
export function policyFromNowcast(nowcast: NowcastSignal, source: Extract<FairSource, { kind: 'nowcast' }>, d: PolicyDefaults, nowMs: number): Policy | null {
  // Tomorrow's "84-85°F" is not today's: a nowcast prices only the buckets of its own judge day.
  if (source.judge_day !== undefined && source.judge_day !== nowcast.judge_day) return null;
  const p = bucketProbability(nowcast, source.bucket_label);
  if (p === null) return null;
  return {
    fair_value: { [source.yes_token]: p, [source.no_token]: 1 - p },
    edge_threshold: d.edge_threshold,
    max_position_usdc: d.max_position_usdc,
    max_order_usdc: d.max_order_usdc,
    source: 'nowcast',
    valid_until_ms: nowMs + d.ttl_ms,
  };
}

/** The nowcast's probability of one bucket (null: QC gate not open, or no such bucket). */
export function bucketProbability(nowcast: NowcastSignal, label: string): number | null {
  if (nowcast.qc_gate !== 'open') return null;
  const bucket = nowcast.buckets.find((b) => b.label === label);
  if (!bucket || !Number.isFinite(bucket.p)) return null;
  return Math.min(1, Math.max(0, bucket.p));
}

export function isPolicyValid(policy: Policy | null | undefined, nowMs: number): policy is Policy {
  return !!policy && policy.valid_until_ms >= nowMs;
}

/** Latest policy per market; lookups ignore expired entries. */
export class PolicyTable {
  private readonly entries = new Map<string, Policy>();

  upsert(marketId: string, policy: Policy): void {
    this.entries.set(marketId, policy);
  }

  get(marketId: string, nowMs: number): Policy | null {
    const p = this.entries.get(marketId);
    return isPolicyValid(p, nowMs) ? p : null;
  }

  delete(marketId: string): void {
    this.entries.delete(marketId);
  }

  marketIds(): string[] {
    return [...this.entries.keys()].sort();
  }
}
