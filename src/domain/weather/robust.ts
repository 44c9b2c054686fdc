/** Robust location and scale for small station clusters. */

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Normal-consistent MAD: 1.4826 · median |x − median|. */
export function scaledMad(values: readonly number[]): number | null {
  const med = median(values);
  if (med === null) return null;
  return 1.4826 * median(values.map((v) => Math.abs(v - med)))!;
}

/** Small-sample correction factors of Qn (Croux & Rousseeuw 1992) for n = 2…9. */
const QN_SMALL: Record<number, number> = { 2: 0.399, 3: 0.994, 4: 0.512, 5: 0.844, 6: 0.611, 7: 0.857, 8: 0.669, 9: 0.872 };

/**
 * Rousseeuw–Croux Qn: 2.2219 · the k-th order statistic of the pairwise distances, k = C(h, 2),
 * h = ⌊n/2⌋ + 1; as robust as MAD (50 % breakdown), more efficient, and it does not
 * assume a symmetric distribution. O(n²), fine for
 * clusters of tens of stations.
 */
export function qn(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const diffs: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) diffs.push(Math.abs(values[i]! - values[j]!));
  diffs.sort((a, b) => a - b);
  const h = (n >> 1) + 1;
  const k = (h * (h - 1)) / 2;
  const dn = n <= 9 ? QN_SMALL[n]! : n % 2 ? n / (n + 1.4) : n / (n + 3.8);
  return 2.2219 * dn * diffs[k - 1]!;
}
