/**
 * Temperature conversions. ASOS measures whole °F and the METAR T-group carries that value converted
 * to tenths of °C, so converting a T-group back and rounding recovers the station's °F exactly.
 */
export function cToF(c: number): number {
  return (c * 9) / 5 + 32;
}

export function fToC(f: number): number {
  return ((f - 32) * 5) / 9;
}

/** temp_f_judge from a T-group (or 6-h/24-h group) value in integer tenths of °C. */
export function judgeFFromTenths(tenthsC: number): number {
  // `+ 0` turns a rounded −0 into 0.
  return Math.round((tenthsC * 9) / 50 + 32) + 0;
}

/**
 * Best whole-°F estimate from a whole-°C body temperature. Lower precision: one body value covers
 * about two °F values, so callers flag it.
 */
export function judgeFFromWholeC(c: number): number {
  return Math.round(cToF(c)) + 0;
}
