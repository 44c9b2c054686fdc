/** Solves the dense n×n system A·x = b (row-major) by Gauss–Jordan elimination with partial pivoting. */
export function solve(A: Float64Array, b: Float64Array, n: number): number[] {
  const M = Float64Array.from(A);
  const v = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]!) > Math.abs(M[piv * n + c]!)) piv = r;
    if (piv !== c) {
      for (let k = 0; k < n; k++) {
        const t = M[c * n + k]!;
        M[c * n + k] = M[piv * n + k]!;
        M[piv * n + k] = t;
      }
      const t = v[c]!;
      v[c] = v[piv]!;
      v[piv] = t;
    }
    const d = M[c * n + c]! || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r * n + c]! / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) M[r * n + k]! -= f * M[c * n + k]!;
      v[r]! -= f * v[c]!;
    }
  }
  return Array.from({ length: n }, (_, i) => v[i]! / (M[i * n + i]! || 1e-12));
}
