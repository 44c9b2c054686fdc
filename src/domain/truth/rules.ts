import type { Tier } from './report.ts';

/**
 * The thresholds the truth logic reads, in the shape of the `truth_engine` config section (a
 * structural subset of it, so the config object itself can be passed).
 */
export interface TruthRules {
  confirm_threshold: number;
  max_wait_ms: number;
  required_sources_for_final: number;
  tier_a_sources: readonly string[];
  tier_c_sources: readonly string[];
  tier_weights: { a: number; b: number; c: number };
  stale_ms_by_source: Readonly<Record<string, number | null>>;
  default_stale_ms: number;
  settle_after_ms: number;
  implied_p: {
    final_winner: number;
    in_play_by_title: Readonly<Record<string, { min: number; max: number }>>;
  };
}

export function tierOf(source: string, rules: Pick<TruthRules, 'tier_a_sources' | 'tier_c_sources'>): Tier {
  if (rules.tier_a_sources.includes(source)) return 'A';
  if (rules.tier_c_sources.includes(source)) return 'C';
  return 'B';
}

export function tierWeight(tier: Tier, rules: Pick<TruthRules, 'tier_weights'>): number {
  return tier === 'A' ? rules.tier_weights.a : tier === 'B' ? rules.tier_weights.b : rules.tier_weights.c;
}

/** Silence threshold of a source; null means it never goes stale (it does not feed live state). */
export function staleMsOf(source: string, rules: Pick<TruthRules, 'stale_ms_by_source' | 'default_stale_ms'>): number | null {
  const own = rules.stale_ms_by_source[source];
  return own === undefined ? rules.default_stale_ms : own;
}
