import type { MatchReport } from './match.ts';
import type { GameProgress, MatchResult, ReportStatus, Tier } from './report.ts';

/** The latest word of one source on one match. */
export interface SourceState {
  source: string;
  tier: Tier;
  status: ReportStatus;
  winner: string | null;
  result: MatchResult | null;
  score: number[] | null;
  game: GameProgress | null;
  last_seen: number;
  /** When the source started saying what it says now (status, winner, result). */
  claim_since: number;
}

/** Everything known about a match: each source's latest state, keyed by source name. */
export interface Evidence {
  sources: Readonly<Record<string, SourceState>>;
  /** First time a source other than Tier C said the match was running. */
  started_at: number | null;
}

export const EMPTY_EVIDENCE: Evidence = { sources: {}, started_at: null };

/** What a source's state asserts, in the terms the confirmation rules use. */
export type Claim =
  | { kind: 'pre' }
  | { kind: 'live' }
  /** Finished with a known result; `value` is the winner, or DRAW. */
  | { kind: 'final'; value: string; result: MatchResult }
  /** Finished, but the source does not say who won. */
  | { kind: 'ended' }
  | { kind: 'invalid' };

export const DRAW = '\u0000draw';

export function claimOf(s: Pick<SourceState, 'status' | 'winner' | 'result'>): Claim {
  switch (s.status) {
    case 'not_started':
    case 'postponed':
    case 'canceled':
      return { kind: 'pre' };
    case 'running':
      return { kind: 'live' };
    case 'invalidated':
      return { kind: 'invalid' };
    case 'finished':
      if (s.winner !== null) return { kind: 'final', value: s.winner, result: s.result === 'forfeit' ? 'forfeit' : 'win' };
      if (s.result === 'draw') return { kind: 'final', value: DRAW, result: 'draw' };
      return { kind: 'ended' };
  }
}

function claimKey(s: Pick<SourceState, 'status' | 'winner' | 'result'>): string {
  return `${s.status}|${s.winner ?? ''}|${s.result ?? ''}`;
}

/** Evidence after one more report; reports older than the source's latest are ignored. */
export function recordReport(evidence: Evidence, r: MatchReport): Evidence {
  const prev = evidence.sources[r.source];
  if (prev && r.at < prev.last_seen) return evidence;
  const sameClaim = prev !== undefined && claimKey(prev) === claimKey(r);
  const next: SourceState = {
    source: r.source,
    tier: r.tier,
    status: r.status,
    winner: r.winner,
    result: r.result,
    // A source that stops sending progress keeps its last known progress.
    score: r.score ?? prev?.score ?? null,
    game: r.game ?? prev?.game ?? null,
    last_seen: r.at,
    claim_since: sameClaim ? prev.claim_since : r.at,
  };
  const started = evidence.started_at ?? (r.status === 'running' && r.tier !== 'C' ? r.at : null);
  return { sources: { ...evidence.sources, [r.source]: next }, started_at: started };
}

/** Source states in name order, so every derived list is deterministic. */
export function sourcesInOrder(evidence: Evidence): SourceState[] {
  return Object.keys(evidence.sources)
    .sort()
    .map((k) => evidence.sources[k]!);
}
