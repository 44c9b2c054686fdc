import { resolveTeam, teamMatches } from './teams.ts';
import type { GameProgress, MatchResult, ReportStatus, SourceReport, Tier } from './report.ts';

/** A match the truth engine follows: its outcomes are the Polymarket outcome names (team names). */
export interface TruthMatch {
  match_id: string;
  /** cs2, lol, dota2, valorant, ...; null when unknown (then no in-play opinion). */
  title: string | null;
  outcomes: readonly string[];
  best_of: number | null;
  market_id?: string;
}

/** A report re-expressed in the match's own outcome names, score aligned with `outcomes`. */
export interface MatchReport {
  source: string;
  tier: Tier;
  at: number;
  status: ReportStatus;
  winner: string | null;
  result: MatchResult | null;
  score: number[] | null;
  game: GameProgress | null;
}

export type NormalizeFailure = { ok: false; reason: string };

/**
 * Maps the report's team names onto the match outcomes. Fails when the winner or a scored team
 * cannot be told apart: a report we cannot attribute must never count as evidence.
 */
export function normalizeReport(
  report: SourceReport,
  match: TruthMatch,
  at: number,
  aliases?: ReadonlyMap<string, ReadonlySet<string>>,
): { ok: true; report: MatchReport } | NormalizeFailure {
  let winner: string | null = null;
  if (report.winner !== null) {
    const fits = teamMatches([report.winner], match.outcomes, aliases);
    if (fits.length !== 1) {
      const why = fits.length === 0 ? `matches none of ${JSON.stringify(match.outcomes)}` : `could be any of ${JSON.stringify(fits)} (ambiguous)`;
      return { ok: false, reason: `winner "${report.winner}" ${why}` };
    }
    winner = fits[0]!;
  }
  let score: number[] | null = null;
  if (report.score !== null) {
    if (report.score.length !== report.teams.length) return { ok: false, reason: 'score does not have one entry per team' };
    const aligned = match.outcomes.map(() => 0);
    const seen = new Set<number>();
    for (let i = 0; i < report.teams.length; i++) {
      const outcome = resolveTeam([report.teams[i]!], match.outcomes, aliases);
      const idx = outcome === null ? -1 : match.outcomes.indexOf(outcome);
      if (idx < 0 || seen.has(idx)) return { ok: false, reason: `team "${report.teams[i]}" does not map to exactly one outcome` };
      seen.add(idx);
      aligned[idx] = report.score[i]!;
    }
    score = aligned;
  }
  const finished = report.status === 'finished';
  return {
    ok: true,
    report: {
      source: report.source,
      tier: report.tier,
      at,
      status: report.status,
      winner: finished ? winner : null,
      result: finished ? (report.result ?? (winner !== null ? 'win' : null)) : null,
      score,
      game: report.game,
    },
  };
}
