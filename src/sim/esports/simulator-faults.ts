import { planEnd, type SimMatchPlan } from './simulator-plan.ts';

/** Kinds of fault the esports simulator injects, as counted by /stats and a soak harness. */
export type TruthFaultKind = 'truth_conflict' | 'truth_stale' | 'truth_ws_drop' | 'truth_invalidation';

export type TruthFaultCounts = Record<TruthFaultKind, number>;

/** When each injected fault of these plans begins (time order). */
export function truthFaultStarts(plans: readonly SimMatchPlan[]): Array<{ kind: TruthFaultKind; at: number; match_id: string }> {
  const out: Array<{ kind: TruthFaultKind; at: number; match_id: string }> = [];
  for (const plan of plans) {
    const end = planEnd(plan);
    // A source naming the wrong winner contradicts the others from the end of the match.
    for (const s of plan.sources) if (s.wrong_winner) out.push({ kind: 'truth_conflict', at: end, match_id: plan.match_id });
    // The sources of a silent-source fault fall silent together: one fault per window start.
    const silentFrom = new Set(plan.sources.flatMap((s) => s.silent.map(([from]) => from)));
    for (const from of [...silentFrom].sort((a, b) => a - b)) out.push({ kind: 'truth_stale', at: plan.start_at + from, match_id: plan.match_id });
    for (const d of plan.ws_drops) out.push({ kind: 'truth_ws_drop', at: plan.start_at + d.at_ms, match_id: plan.match_id });
    if (plan.late_invalidation) out.push({ kind: 'truth_invalidation', at: end + plan.late_invalidation.after_end_ms, match_id: plan.match_id });
  }
  return out.sort((a, b) => a.at - b.at || (a.match_id < b.match_id ? -1 : a.match_id > b.match_id ? 1 : 0));
}

/** Faults of these plans that begin in [fromMs, toMs), per kind. */
export function truthFaultsBegun(plans: readonly SimMatchPlan[], fromMs: number, toMs: number): TruthFaultCounts {
  const counts: TruthFaultCounts = { truth_conflict: 0, truth_stale: 0, truth_ws_drop: 0, truth_invalidation: 0 };
  for (const f of truthFaultStarts(plans)) if (f.at >= fromMs && f.at < toMs) counts[f.kind]++;
  return counts;
}
