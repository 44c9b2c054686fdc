import type { Progress } from './assess.ts';
import type { MatchResult } from './report.ts';
import type { TruthRules } from './rules.ts';
import { roundDecimals } from '../util/decimals.ts';

export interface ImpliedInput {
  state: string;
  winner: string | null;
  result: MatchResult | null;
  progress: Progress | null;
  /** Whether the match was ever seen running (a forfeit before the start resolves 50-50 on Polymarket). */
  started: boolean;
}

/**
 * implied_p per outcome, or null for "no opinion". Only two situations carry an opinion: a final
 * result with a winner (configured winner probability), and a live series with a map lead in a
 * title that has a configured range. Everything else — ties, draws, disputes, stale feeds,
 * unconfirmed finals, unknown titles — is null: never a fabricated probability.
 */
export function impliedProbabilities(
  input: ImpliedInput,
  outcomes: readonly string[],
  title: string | null,
  rules: Pick<TruthRules, 'implied_p'>,
): Record<string, number> | null {
  if (outcomes.length < 2) return null;
  if (input.state === 'effectively_final' || input.state === 'settled') {
    if (input.winner === null || !outcomes.includes(input.winner)) return null;
    if (input.result === 'draw' || (input.result === 'forfeit' && !input.started)) return null;
    return spread(outcomes, input.winner, rules.implied_p.final_winner);
  }
  if (input.state === 'live') return inPlay(input.progress, outcomes, title, rules);
  return null;
}

function inPlay(progress: Progress | null, outcomes: readonly string[], title: string | null, rules: Pick<TruthRules, 'implied_p'>): Record<string, number> | null {
  const range = title === null ? undefined : rules.implied_p.in_play_by_title[title];
  const score = progress?.score;
  if (!range || !score || score.length !== outcomes.length) return null;
  const order = score.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const [lead, second] = [order[0]!, order[1]!];
  if (lead[0] <= second[0]) return null;
  let fraction = 0;
  const bestOf = progress?.best_of ?? null;
  if (bestOf !== null) {
    const needed = Math.floor(bestOf / 2) + 1;
    fraction = Math.min(1, Math.max(0, (lead[0] - second[0]) / Math.max(1, needed - second[0])));
  }
  return spread(outcomes, outcomes[lead[1]]!, range.min + (range.max - range.min) * fraction);
}

function spread(outcomes: readonly string[], favourite: string, p: number): Record<string, number> {
  const rest = (1 - p) / (outcomes.length - 1);
  const out: Record<string, number> = {};
  for (const o of outcomes) out[o] = round6(o === favourite ? p : rest);
  return out;
}

export function round6(x: number): number {
  return roundDecimals(x, 6);
}
