import type { EdgeConfig } from './edge.ts';
import { allocateAcrossBuckets } from './neg-risk.ts';

/**
 * One bucket of a neg-risk event as the other buckets' decisions see it: the nowcast's
 * probability that it wins, the all-in cost of one YES share at its best ask (null: no fair value
 * or no ask, so not bettable now), and the USDC its temporal YES already holds or has in flight.
 */
export interface EventBucketView {
  market_id: string;
  /** Its nowcast bucket: a deciding bucket reads every bucket's p from the one nowcast it holds. */
  bucket_label: string | null;
  p: number | null;
  cost: number | null;
  held: number;
}

/**
 * The USDC a bucket's temporal YES may hold in all when the event's buckets are bet as one
 * portfolio: its stake in the Kelly allocation across the event's buckets (allocateAcrossBuckets,
 * capped for the event by the per-entry caps of the temporal strategy), and never more than what
 * the event's allocation leaves over what every bucket already holds. 0: the allocation gives it nothing.
 */
export function eventStakeUsdc(self: EventBucketView, others: readonly EventBucketView[], cfg: EdgeConfig, sizeScale: number): number {
  const all = [self, ...others.filter((o) => o.market_id !== self.market_id)];
  const bettable = all.filter((b): b is EventBucketView & { p: number; cost: number } => b.p !== null && b.cost !== null);
  const bankroll = cfg.bankroll_usdc * sizeScale;
  const a = allocateAcrossBuckets({
    buckets: bettable.map((b) => ({ market_id: b.market_id, p: b.p, cost: b.cost })),
    bankrollUsdc: bankroll,
    kellyFraction: cfg.kelly_fraction,
    maxEventFraction: cfg.kelly_max_fraction,
    maxEventUsdc: cfg.hard_cap_usdc,
  });
  const stake = a.stakes.find((s) => s.market_id === self.market_id)?.stakeUsdc ?? 0;
  if (stake <= 0) return 0;
  const heldAll = all.reduce((s, b) => s + b.held, 0);
  return Math.max(0, Math.min(stake, self.held + Math.max(0, a.totalUsdc - heldAll)));
}
