import type { SelectedMarket } from './operating-set.ts';

/** What changed between two scans, for the parts of the daemon that follow the operating set. */
export interface OperatingSetDiff {
  /** Tradable now and not held before: subscribe, start an actor, watch its station or match. */
  added: SelectedMarket[];
  /** Held, and now closed: resolved (winner known) or closed awaiting resolution. */
  closed: Array<{ market: SelectedMarket; winning_token: string | null }>;
  /** Held, still open, with a new tick size or minimum size. */
  changed: Array<{ market: SelectedMarket; tick_size_from: number; min_size_from: number }>;
}

/**
 * The difference between the held markets and a new scan (by condition id, sorted). A held market
 * the scan did not mention is kept as it is: one answer that omits it is not evidence that it
 * ended (the scanner asks Gamma about held markets by condition id for that).
 */
export function diffOperatingSet(held: ReadonlyMap<string, SelectedMarket>, scanned: readonly SelectedMarket[]): OperatingSetDiff {
  const out: OperatingSetDiff = { added: [], closed: [], changed: [] };
  const sorted = [...scanned].sort((a, b) => (a.condition_id < b.condition_id ? -1 : a.condition_id > b.condition_id ? 1 : 0));
  for (const m of sorted) {
    const before = held.get(m.condition_id);
    if (before === undefined) {
      if (m.tradable) out.added.push(m);
      continue;
    }
    if (m.closed) {
      // The held spec keeps which token is YES; the scan may come from a slimmer answer (/markets).
      const winning_token = m.winner === null ? null : m.winner ? before.yes_token : before.no_token;
      out.closed.push({ market: { ...before, closed: true, winner: m.winner, tradable: false, not_tradable: 'closed' }, winning_token });
      continue;
    }
    if (m.tick_size !== before.tick_size || m.min_size !== before.min_size) {
      out.changed.push({ market: { ...before, tick_size: m.tick_size, min_size: m.min_size }, tick_size_from: before.tick_size, min_size_from: before.min_size });
    }
  }
  return out;
}
