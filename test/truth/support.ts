import type { TruthEngineConfig } from '../../src/config/sections/truth.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { MatchReport, TruthMatch } from '../../src/domain/truth/match.ts';
import type { ReportStatus } from '../../src/domain/truth/report.ts';
import { tierOf, type TruthRules } from '../../src/domain/truth/rules.ts';

/** The shipped defaults (config/default.yaml), so tests exercise what the daemon runs. */
export function defaultTruthConfig(): TruthEngineConfig {
  return loadConfig({ env: {} }).config.truth_engine;
}

export const RULES: TruthRules = {
  confirm_threshold: 0.9,
  max_wait_ms: 10_000,
  required_sources_for_final: 2,
  tier_a_sources: ['grid'],
  tier_c_sources: ['liquipedia'],
  tier_weights: { a: 0.97, b: 0.8, c: 0.6 },
  stale_ms_by_source: { grid: 30_000, pandascore: 60_000, polymarket_sports: 30_000, liquipedia: null },
  default_stale_ms: 60_000,
  settle_after_ms: 100_000,
  implied_p: { final_winner: 0.99, in_play_by_title: { cs2: { min: 0.65, max: 0.8 } } },
};

export const MATCH: TruthMatch = { match_id: 'm1', title: 'cs2', outcomes: ['A', 'B'], best_of: 3 };

export function report(source: string, status: ReportStatus, at: number, winner: string | null = null, score: number[] | null = null): MatchReport {
  return {
    source,
    tier: tierOf(source, RULES),
    at,
    status,
    winner: status === 'finished' ? winner : null,
    result: status === 'finished' && winner !== null ? 'win' : null,
    score,
    game: null,
  };
}
