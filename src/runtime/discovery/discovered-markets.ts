import type { SelectedMarket } from '../../domain/discovery/operating-set.ts';
import type { BucketLayout } from '../../domain/trading/universe.ts';
import { stationLayouts } from './live-universe.ts';

/**
 * What discovery knows of each market it selected (its event slug, its bucket, whether it closed or
 * resolved), by condition id, for as long as a market of its group is still around. A temperature
 * bucket's group is its station's judge day (the markets one bucket layout is made of); any other
 * market is a group of its own. A group is forgotten once every market of it has left: resolved
 * (settled by discovery) and no longer in the universe (retired by the trading side). Forgetting a
 * bucket alone could change its day's layout while the day's other buckets still trade; forgetting
 * nothing kept every market that ever resolved for the life of the daemon.
 */
export class DiscoveredMarkets {
  private readonly byId = new Map<string, SelectedMarket>();

  /** A market selected, or what a scan now says of it (closed, resolved, a new tick size). */
  record(market: SelectedMarket): void {
    this.byId.set(market.condition_id, market);
  }

  get(conditionId: string): SelectedMarket | undefined {
    return this.byId.get(conditionId);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Markets not resolved yet: a later scanner diffs against them instead of adding them again. */
  unresolved(): SelectedMarket[] {
    return [...this.byId.values()].filter((m) => !resolved(m));
  }

  /** The bucket layouts of the judge days with a market still open (sorted by station then day). */
  layouts(): BucketLayout[] {
    return stationLayouts([...this.byId.values()]);
  }

  /**
   * Forgets every group all of whose markets have left (`inUniverse` false for each, each
   * resolved); returns the condition ids forgotten, sorted. Decided from what is recorded and the
   * universe alone, so the same inputs forget the same markets.
   */
  forgetLeft(inUniverse: (conditionId: string) => boolean): string[] {
    const groups = new Map<string, SelectedMarket[]>();
    for (const m of this.byId.values()) {
      const key = groupOf(m);
      const group = groups.get(key);
      if (group) group.push(m);
      else groups.set(key, [m]);
    }
    const forgotten: string[] = [];
    for (const group of groups.values()) {
      if (!group.every((m) => resolved(m) && !inUniverse(m.condition_id))) continue;
      for (const m of group) {
        this.byId.delete(m.condition_id);
        forgotten.push(m.condition_id);
      }
    }
    return forgotten.sort();
  }
}

function resolved(m: SelectedMarket): boolean {
  return m.closed && m.winner !== null;
}

/** A temperature bucket's station and judge day, or the market itself. */
function groupOf(m: SelectedMarket): string {
  return m.temperature === null ? `market|${m.condition_id}` : `day|${m.temperature.station}|${m.temperature.judge_date}`;
}
