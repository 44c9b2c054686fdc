/**
 * Strict extractor for the temperature remark groups of a METAR (FMH-1 remarks 30–33).
 * Every group must match as a whole token; look-alikes that do not (e.g. `T001060022`, which
 * lenient parsers read as 1.0 °C) are reported as malformed instead of being decoded.
 */

/** Values in integer tenths of °C; null where the group is absent or malformed. */
export interface RemarkGroups {
  /** Hourly T-group temperature (tenths °C). */
  tTemp: number | null;
  /** Hourly T-group dewpoint (tenths °C); the group may carry the temperature alone. */
  tDew: number | null;
  max6h: number | null;
  min6h: number | null;
  max24h: number | null;
  min24h: number | null;
  /** `$`: the station needs maintenance, so values may be suspect. */
  maintenance: boolean;
  /** Sensor-not-available indicators such as TSNO, PNO, SLPNO, in order of appearance. */
  sensorsNotAvailable: string[];
  /** Tokens that look like one of the groups but do not match it exactly, with the group kind. */
  malformed: Array<{ group: 'T' | '1' | '2' | '4'; token: string }>;
  /** Groups that appeared more than once (the first one is kept). */
  duplicated: Array<'T' | '1' | '2' | '4'>;
}

const T_GROUP = /^T([01])(\d{3})(?:([01])(\d{3}))?$/;
const T_LOOKALIKE = /^T\d+$/;
const MAX6 = /^1([01])(\d{3})$/;
const MIN6 = /^2([01])(\d{3})$/;
const SIX_LOOKALIKE = /^[12]\d{4}$/;
const GROUP24 = /^4([01])(\d{3})([01])(\d{3})$/;
const GROUP24_LOOKALIKE = /^4\d{8}$/;
const SENSOR_NO = /^(TS|P|SLP|PWI|FZRA|RVR|VIS|CHI)NO$/;

function signed(sign: string, digits: string): number {
  const v = Number(digits);
  return sign === '1' ? -v : v;
}

/** Splits a raw report into its remark tokens (after `RMK`, without the `=` terminator). */
export function remarkTokens(raw: string): string[] {
  const text = raw.replace(/=\s*$/, '');
  const at = text.search(/(^|\s)RMK(\s|$)/);
  if (at < 0) return [];
  const rest = text.slice(at).trim().slice(3);
  return rest.split(/\s+/).filter((t) => t !== '');
}

export function extractRemarkGroups(raw: string): RemarkGroups {
  const out: RemarkGroups = {
    tTemp: null,
    tDew: null,
    max6h: null,
    min6h: null,
    max24h: null,
    min24h: null,
    maintenance: false,
    sensorsNotAvailable: [],
    malformed: [],
    duplicated: [],
  };
  let seenT = false;
  let seen1 = false;
  let seen2 = false;
  let seen4 = false;
  for (const token of remarkTokens(raw)) {
    if (token === '$') {
      out.maintenance = true;
      continue;
    }
    const c0 = token.charCodeAt(0);
    if (c0 === 84 /* T */) {
      const m = T_GROUP.exec(token);
      if (m) {
        if (seenT) out.duplicated.push('T');
        else {
          seenT = true;
          out.tTemp = signed(m[1]!, m[2]!);
          out.tDew = m[3] !== undefined ? signed(m[3], m[4]!) : null;
        }
      } else if (T_LOOKALIKE.test(token)) {
        out.malformed.push({ group: 'T', token });
      } else if (SENSOR_NO.test(token)) {
        out.sensorsNotAvailable.push(token);
      }
      continue;
    }
    if (c0 === 49 /* 1 */ || c0 === 50 /* 2 */) {
      const isMax = c0 === 49;
      const m = (isMax ? MAX6 : MIN6).exec(token);
      if (m) {
        if (isMax ? seen1 : seen2) out.duplicated.push(isMax ? '1' : '2');
        else if (isMax) {
          seen1 = true;
          out.max6h = signed(m[1]!, m[2]!);
        } else {
          seen2 = true;
          out.min6h = signed(m[1]!, m[2]!);
        }
      } else if (SIX_LOOKALIKE.test(token)) {
        out.malformed.push({ group: isMax ? '1' : '2', token });
      }
      continue;
    }
    if (c0 === 52 /* 4 */) {
      const m = GROUP24.exec(token);
      if (m) {
        if (seen4) out.duplicated.push('4');
        else {
          seen4 = true;
          out.max24h = signed(m[1]!, m[2]!);
          out.min24h = signed(m[3]!, m[4]!);
        }
      } else if (GROUP24_LOOKALIKE.test(token)) {
        out.malformed.push({ group: '4', token });
      }
      continue;
    }
    if (SENSOR_NO.test(token)) out.sensorsNotAvailable.push(token);
  }
  return out;
}
