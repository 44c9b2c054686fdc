import type { PayloadOf } from '../events/catalog.ts';
import type { TruthState } from '../events/payloads/truth.ts';
import { isSilent, type Verdict } from './assess.ts';
import { sourcesInOrder, type Evidence } from './evidence.ts';
import { impliedProbabilities, round6 } from './implied.ts';
import type { TruthMatch } from './match.ts';
import type { MatchResult } from './report.ts';
import type { TruthRules } from './rules.ts';

export type TruthStatePayload = PayloadOf<'TRUTH_STATE'>;
export type TruthView = Omit<TruthStatePayload, 'previous'>;

export interface ViewInput {
  state: TruthState;
  verdict: Verdict;
  evidence: Evidence;
  settlement: { winner: string | null; by: 'market' | 'hold' } | null;
  match: TruthMatch;
  rules: TruthRules;
  now: number;
}

/** What a TRUTH_STATE event says about a match, from the machine's state and context. */
export function truthView(input: ViewInput): TruthView {
  const { state, verdict, evidence, settlement, match, rules, now } = input;
  let winner = verdict.winner;
  let result: MatchResult | null = verdict.result;
  let confidence = verdict.confidence;
  if (state === 'settled' && settlement) {
    confidence = 1;
    if (settlement.by === 'market') {
      winner = settlement.winner;
      result = winner === null ? null : winner === verdict.winner ? verdict.result : 'win';
    }
  }
  const implied = impliedProbabilities(
    { state, winner, result, progress: verdict.progress, started: evidence.started_at !== null },
    match.outcomes,
    match.title,
    rules,
  );
  const progress = verdict.progress;
  return {
    state,
    winner,
    result,
    confidence: round6(confidence),
    implied_p: implied,
    sources: verdict.supporting,
    stale: state === 'stale',
    stale_sources: verdict.stale_sources,
    confirmation_overdue: state === 'pending_final' && verdict.overdue,
    progress: progress && {
      score: progress.score && Object.fromEntries(match.outcomes.map((o, i) => [o, progress.score![i] ?? 0])),
      best_of: progress.best_of,
      game: progress.game,
    },
    source_states: sourcesInOrder(evidence).map((s) => ({
      source: s.source,
      tier: s.tier,
      status: s.status,
      winner: s.winner,
      stale: isSilent(s, now, rules),
    })),
    title: match.title,
    reason: verdict.reason,
  };
}
