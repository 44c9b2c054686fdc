import { claimOf, DRAW, sourcesInOrder, type Evidence, type SourceState } from './evidence.ts';
import type { MatchResult } from './report.ts';
import { staleMsOf, tierWeight, type TruthRules } from './rules.ts';

/** Truth states the evidence alone can justify (`settled` needs the market or time). */
export type VerdictState = 'scheduled' | 'live' | 'stale' | 'pending_final' | 'effectively_final' | 'disputed' | 'invalidated';

export interface Progress {
  /** Maps/games won, aligned with the match outcomes. */
  score: number[] | null;
  best_of: number | null;
  /** Map/game being played, 1-based. */
  game: number | null;
}

export interface Verdict {
  state: VerdictState;
  winner: string | null;
  result: MatchResult | null;
  /** Noisy-OR of the tier weights of the sources supporting this verdict; 0 when nothing supports it. */
  confidence: number;
  supporting: string[];
  /** Sources that fed the live match and have fallen silent beyond their thresholds. */
  stale_sources: string[];
  /** A single-source final has waited max_wait_ms without confirmation. */
  overdue: boolean;
  reason: string | null;
  progress: Progress | null;
  /** When the verdict may change with no new report (a source going silent, max wait); null: never. */
  check_at: number | null;
}

/**
 * The confirmation rules. A match is effectively final when the sources saying "finished" all name
 * the same result, and either a Tier-A source is among them or `required_sources_for_final`
 * independent sources (at least one not Tier C) are, with confidence ≥ `confirm_threshold`.
 * Any invalidation wins over everything; any two different results are a dispute. Tier C only
 * confirms: it never starts a pending final nor makes a match live.
 */
export function assess(evidence: Evidence, now: number, rules: TruthRules, bestOf: number | null = null): Verdict {
  const all = sourcesInOrder(evidence);
  const originators = all.filter((s) => s.tier !== 'C');
  const progress = progressOf(originators, bestOf);
  const silent = (s: SourceState): boolean => isSilent(s, now, rules);
  const verdict = (state: VerdictState, fields: Partial<Verdict>): Verdict => ({
    state,
    winner: null,
    result: null,
    confidence: 0,
    supporting: [],
    stale_sources: [],
    overdue: false,
    reason: null,
    progress,
    check_at: null,
    ...fields,
  });

  const invalid = all.filter((s) => claimOf(s).kind === 'invalid');
  if (invalid.length > 0) {
    return verdict('invalidated', { confidence: noisyOr(invalid, rules), supporting: names(invalid), reason: `invalidated by ${names(invalid).join(',')}` });
  }

  const finals = all.filter((s) => claimOf(s).kind === 'final');
  const values = [...new Set(finals.map((s) => valueOf(s)))].sort();
  if (values.length > 1) {
    const said = finals.map((s) => `${s.source}=${valueOf(s) === DRAW ? 'draw' : valueOf(s)}`).join(',');
    return verdict('disputed', { supporting: names(finals), reason: `sources disagree on the result: ${said}` });
  }

  const finishing = originators.filter((s) => {
    const k = claimOf(s).kind;
    return k === 'final' || k === 'ended';
  });
  if (finishing.length > 0) {
    const value = values[0];
    const result = finals[0] === undefined ? null : resultOf(finals[0]);
    const winner = value === undefined || value === DRAW ? null : value;
    const confidence = value === undefined ? 0 : noisyOr(finals, rules);
    const tierATerminal = finals.some((s) => s.tier === 'A');
    const enough = finals.length >= rules.required_sources_for_final && finals.some((s) => s.tier !== 'C');
    if (value !== undefined && (tierATerminal || enough) && confidence >= rules.confirm_threshold) {
      return verdict('effectively_final', { winner, result, confidence, supporting: names(finals) });
    }
    const since = Math.min(...finishing.map((s) => s.claim_since));
    const deadline = since + rules.max_wait_ms;
    const overdue = now >= deadline;
    return verdict('pending_final', {
      winner,
      result,
      confidence,
      supporting: names(finals.length > 0 ? finals : finishing),
      overdue,
      reason: overdue ? `unconfirmed for ${now - since} ms` : null,
      check_at: overdue ? null : deadline,
    });
  }

  const live = originators.filter((s) => claimOf(s).kind === 'live');
  if (live.length > 0) {
    const fresh = live.filter((s) => !silent(s));
    const staleSources = names(live.filter(silent));
    if (fresh.length === 0) {
      return verdict('stale', { stale_sources: staleSources, reason: `no fresh source: ${staleSources.join(',')} silent` });
    }
    const deadlines = fresh.map((s) => staleMsOf(s.source, rules)).flatMap((ms, i) => (ms === null ? [] : [fresh[i]!.last_seen + ms]));
    return verdict('live', {
      confidence: noisyOr(fresh, rules),
      supporting: names(fresh),
      stale_sources: staleSources,
      check_at: deadlines.length > 0 ? Math.min(...deadlines) : null,
    });
  }

  const pre = originators.filter((s) => claimOf(s).kind === 'pre');
  const unusual = [...new Set(pre.map((s) => s.status).filter((st) => st !== 'not_started'))].sort();
  return verdict('scheduled', {
    confidence: noisyOr(pre, rules),
    supporting: names(pre),
    reason: unusual.length > 0 ? unusual.join(',') : null,
  });
}

/** A source is silent once it has said nothing for its whole threshold. */
export function isSilent(s: Pick<SourceState, 'source' | 'last_seen'>, now: number, rules: Pick<TruthRules, 'stale_ms_by_source' | 'default_stale_ms'>): boolean {
  const ms = staleMsOf(s.source, rules);
  return ms !== null && now - s.last_seen >= ms;
}

function valueOf(s: SourceState): string {
  const c = claimOf(s);
  return c.kind === 'final' ? c.value : '';
}

function resultOf(s: SourceState): MatchResult | null {
  const c = claimOf(s);
  return c.kind === 'final' ? c.result : null;
}

function names(list: readonly SourceState[]): string[] {
  return list.map((s) => s.source);
}

function noisyOr(list: readonly SourceState[], rules: TruthRules): number {
  let miss = 1;
  for (const s of list) miss *= 1 - tierWeight(s.tier, rules);
  return list.length === 0 ? 0 : 1 - miss;
}

/** Progress from the most advanced source (scores only grow; a lagging source shows less). */
function progressOf(sources: readonly SourceState[], bestOf: number | null): Progress | null {
  let best: SourceState | undefined;
  let bestTotal = -1;
  for (const s of sources) {
    if (s.score === null && s.game === null) continue;
    const total = s.score ? s.score.reduce((a, b) => a + b, 0) : 0;
    if (total > bestTotal || (total === bestTotal && best !== undefined && s.last_seen > best.last_seen)) {
      best = s;
      bestTotal = total;
    }
  }
  if (!best) return bestOf === null ? null : { score: null, best_of: bestOf, game: null };
  return { score: best.score, best_of: best.game?.best_of ?? bestOf, game: best.game?.current ?? null };
}
