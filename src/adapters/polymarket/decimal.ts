/**
 * Decimal strings as the venue writes them ("0.51", ".48", "21574.08", "1757908892351") to numbers,
 * without the cost of a general parser on the hot path.
 *
 * Fast path (Clinger): with at most 15 significant digits the integer mantissa is exact in a double
 * and 10^k (k ≤ 22) is exact too, so one IEEE division gives the correctly rounded value, i.e. the
 * very same number `Number(text)` would return. Anything else (exponents, very long digits) goes
 * through a strict grammar check and `Number`.
 */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);
const SLOW_GRAMMAR = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The finite number a decimal string denotes, or NaN when it is not a plain decimal. */
export function parseDecimal(text: string): number {
  const fast = fastDecimal(text, 0, text.length);
  return fast === fast ? fast : parseSlow(text);
}

/**
 * The decimal in text[start, end) when it is plain (optional '-', digits, at most one '.', at most
 * 15 digits); NaN otherwise, including for forms `parseDecimal` still accepts on its slow path.
 */
export function fastDecimal(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i !== end && text.charCodeAt(i) === 45 /* - */) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let dot = false;
  for (; i !== end; i++) {
    const c = text.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
      if (dot) fraction++;
    } else if (c === 46 /* . */ && !dot) {
      dot = true;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
  return negative ? -value : value;
}

function parseSlow(text: string): number {
  if (!SLOW_GRAMMAR.test(text)) return NaN;
  // "1e309" or 400 digits overflow to ±Infinity, which no price, size or time can be.
  const n = Number(text);
  return Number.isFinite(n) ? n : NaN;
}

/**
 * A numeric field that may arrive as a decimal string or a JSON number: the number, or NaN when
 * absent or malformed.
 */
export function numericField(value: unknown): number {
  if (typeof value === 'string') return parseDecimal(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  return NaN;
}
