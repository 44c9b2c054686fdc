/** What must change so that `actual` becomes `desired`. Both lists sorted. */
export interface SubscriptionDiff {
  missing: string[];
  extra: string[];
}

export function diffSubscriptions(desired: Iterable<string>, actual: Iterable<string>): SubscriptionDiff {
  const want = desired instanceof Set ? (desired as Set<string>) : new Set(desired);
  const have = actual instanceof Set ? (actual as Set<string>) : new Set(actual);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const id of want) if (!have.has(id)) missing.push(id);
  for (const id of have) if (!want.has(id)) extra.push(id);
  return { missing: missing.sort(), extra: extra.sort() };
}

/** Split ids into consecutive batches of at most `size`. */
export function batches<T>(ids: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += n) out.push(ids.slice(i, i + n));
  return out;
}
