import type { RealAdapterDeps, RealAdapterStats, RealAlert, RealMarket } from './real-types.ts';
import type { ReconcileDeps } from './real-reconcile.ts';
import type { RealOrderTracker } from './real-tracker.ts';

/**
 * What the real adapter's parts (placing, canceling) share of it: its dependencies, the tracker,
 * the markets it knows, its counters and alerts, and its pacing on the injected clock.
 */
export interface RealAdapterContext {
  readonly deps: RealAdapterDeps;
  readonly tracker: RealOrderTracker;
  readonly stats: RealAdapterStats;
  marketOfToken(tokenId: string): RealMarket | undefined;
  marketById(marketId: string): RealMarket | undefined;
  /** Why no new order may go out (failed closed, shutting down), or null. */
  closedReason(): string | null;
  alert(a: RealAlert): void;
  /** Heartbeats run exactly while some order rests at the venue. */
  refreshHeartbeats(): void;
  reconcileDeps(): ReconcileDeps;
  sleep(ms: number): Promise<void>;
  /** The wait before retry number `attempt` (1-based), from `backoff` with the adapter's seeded jitter. */
  backoffMs(attempt: number): number;
}
