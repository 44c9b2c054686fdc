import { assess, type Verdict } from '../../domain/truth/assess.ts';
import { EMPTY_EVIDENCE, recordReport, type Evidence } from '../../domain/truth/evidence.ts';
import type { MatchReport, TruthMatch } from '../../domain/truth/match.ts';
import type { TruthRules } from '../../domain/truth/rules.ts';

export interface TruthInput {
  match: TruthMatch;
  rules: TruthRules;
  /** Time the machine starts at (epoch ms, from the injected clock). */
  now: number;
}

export interface Settlement {
  winner: string | null;
  at: number;
  /** market: Polymarket resolved the market; hold: effectively final for settle_after_ms. */
  by: 'market' | 'hold';
}

export interface TruthContext {
  match: TruthMatch;
  rules: TruthRules;
  evidence: Evidence;
  /** Latest time the machine has seen (report times, timer deadlines); never goes back. */
  now: number;
  /** The confirmation rules' reading of `evidence` at `now`. */
  verdict: Verdict;
  /** When the match last became effectively final (the settle hold counts from here). */
  final_since: number | null;
  settlement: Settlement | null;
}

export type TruthEvent =
  | { type: 'REPORT'; report: MatchReport }
  /** The market resolved (e.g. MARKET_RESOLVED on the tape): nothing can change the match any more. */
  | { type: 'SETTLE'; winner: string | null; at: number };

export function initialContext(input: TruthInput): TruthContext {
  return {
    match: input.match,
    rules: input.rules,
    evidence: EMPTY_EVIDENCE,
    now: input.now,
    verdict: assess(EMPTY_EVIDENCE, input.now, input.rules, input.match.best_of),
    final_since: null,
    settlement: null,
  };
}

export interface Step {
  evidence: Evidence;
  now: number;
  verdict: Verdict;
}

const memo = new WeakMap<object, { context: TruthContext; step: Step }>();

/**
 * The context an event leads to: a report adds evidence at its own time; a timer brings time to
 * the deadline it was armed for. Guards and the assign that follows share one computation.
 */
export function stepFor(context: TruthContext, event: { type: string }): Step {
  const hit = memo.get(event);
  if (hit && hit.context === context) return hit.step;
  let step: Step;
  if (event.type === 'REPORT') {
    const report = (event as Extract<TruthEvent, { type: 'REPORT' }>).report;
    const now = Math.max(context.now, report.at);
    const evidence = recordReport(context.evidence, report);
    step = { evidence, now, verdict: assess(evidence, now, context.rules, context.match.best_of) };
  } else {
    const now = Math.max(context.now, context.verdict.check_at ?? context.now);
    step = { evidence: context.evidence, now, verdict: assess(context.evidence, now, context.rules, context.match.best_of) };
  }
  memo.set(event, { context, step });
  return step;
}
