import { parseMetar, type IMetar } from 'metar-taf-parser';
import { normalizeMetar, type MetarBody, type MetarReport, type ReportType } from '../../domain/weather/metar-report.ts';
import { anchorDayOfMonth } from '../../domain/time/civil.ts';

export type ParseOutcome = { ok: true; report: MetarReport } | { ok: false; error: string };

export interface ParseMetarOptions {
  /** When the report was received (or the file's date): anchors the day-of-month timestamp. */
  refMs: number;
  typeHint?: ReportType | null;
  routineMinute?: number | null;
}

const STATION = /^[A-Z][A-Z0-9]{3}$/;
const TIME = /^(\d{2})(\d{2})(\d{2})Z$/;
/** Body temperature/dewpoint: `15/10`, `M04/M07`, `15/` (dewpoint missing), `M/M`, `/////`, `18///`. */
const TEMP_GROUP = /^(M?\d{2}|\/\/|M)\/(M?\d{2}|\/\/\/?|M)?$/;
const WHOLE = /^M?\d{2}$/;
const CLEAR = /^(CLR|SKC|NSC|NCD)$/;
const COVER: Record<string, number> = { SKC: 0, NSC: 0, FEW: 1, SCT: 2, BKN: 3, OVC: 4 };
const KT_PER_MPS = 1.943844;
const KT_PER_KMH = 0.539957;
const M_PER_SM = 1609.344;
const HPA_PER_INHG = 33.8639;
const PRECIPITATION = new Set<string>(['RA', 'DZ', 'SN', 'SG', 'PL', 'GR', 'GS', 'UP', 'IC', 'TS']);

function wholeC(text: string | undefined): number | null {
  if (text === undefined || !WHOLE.test(text)) return null;
  return text.startsWith('M') ? -Number(text.slice(1)) || 0 : Number(text);
}

/** Normalizes whitespace and the collective terminator `=`. */
export function cleanMetarText(raw: string): string {
  return raw.replace(/=+\s*$/, '').replace(/\s+/g, ' ').trim();
}

/**
 * Parses one METAR/SPECI: metar-taf-parser for the body structure (wind, clouds, visibility, COR,
 * NIL, type), the strict domain extractor for the temperature groups. Fails when the report has no
 * station and `DDHHMMZ` time, which lenient parsing would otherwise accept as noise.
 */
export function parseMetarText(rawInput: string, opts: ParseMetarOptions): ParseOutcome {
  const raw = cleanMetarText(rawInput);
  const tokens = raw.split(' ');
  let i = 0;
  let typePrefix: ReportType | null = null;
  let corrected = false;
  if (tokens[i] === 'METAR' || tokens[i] === 'SPECI') typePrefix = tokens[i++] as ReportType;
  if (tokens[i] === 'COR') {
    corrected = true;
    i++;
  }
  const station = tokens[i++];
  const time = TIME.exec(tokens[i++] ?? '');
  if (!station || !STATION.test(station) || !time) return { ok: false, error: 'no station and DDHHMMZ time group' };
  const day = Number(time[1]);
  const hour = Number(time[2]);
  const minute = Number(time[3]);
  const obsMs = anchorDayOfMonth(day, hour, minute, opts.refMs);
  if (obsMs === null) return { ok: false, error: `time group ${tokens[i - 1]} is not a valid day/time` };

  const rmk = tokens.indexOf('RMK');
  const bodyTokens = rmk < 0 ? tokens.slice(i) : tokens.slice(i, rmk);
  const nil = bodyTokens[0] === 'NIL';
  if (bodyTokens.length === 0) return { ok: false, error: 'empty report body' };

  let parsed: IMetar;
  try {
    parsed = parseMetar(raw);
  } catch (err) {
    return { ok: false, error: `metar-taf-parser: ${(err as Error).message}` };
  }

  let tempC: number | null = null;
  let dewpointC: number | null = null;
  let skyClear = false;
  for (const t of bodyTokens) {
    if (t === 'COR') corrected = true;
    if (CLEAR.test(t)) skyClear = true;
    const m = TEMP_GROUP.exec(t);
    if (m) {
      tempC = wholeC(m[1]);
      dewpointC = wholeC(m[2]);
    }
  }

  const body: MetarBody = {
    station,
    day,
    hour,
    minute,
    typePrefix: typePrefix ?? (parsed.type === 'SPECI' || parsed.type === 'METAR' ? (parsed.type as ReportType) : null),
    corrected: corrected || parsed.corrected === true,
    nil: nil || parsed.nil === true,
    tempC,
    dewpointC,
    ...windOf(parsed),
    skyCover: skyCoverOf(parsed, skyClear),
    visibilitySm: visibilityOf(parsed),
    altimeterHpa: altimeterOf(parsed),
    precipitating: parsed.weatherConditions.some((w) => w.descriptive === 'TS' || w.phenomenons.some((ph) => PRECIPITATION.has(ph))),
  };
  return { ok: true, report: normalizeMetar(body, raw, { obsMs, typeHint: opts.typeHint, routineMinute: opts.routineMinute }) };
}

function windOf(p: IMetar): Pick<MetarBody, 'windDirDeg' | 'windKt' | 'gustKt'> {
  const w = p.wind;
  if (!w) return { windDirDeg: null, windKt: null, gustKt: null };
  const k = w.unit === 'MPS' ? KT_PER_MPS : w.unit === 'KM/H' ? KT_PER_KMH : 1;
  return {
    windDirDeg: w.degrees ?? null,
    windKt: Math.round(w.speed * k),
    gustKt: w.gust !== undefined ? Math.round(w.gust * k) : null,
  };
}

function skyCoverOf(p: IMetar, clear: boolean): number | null {
  if (p.verticalVisibility !== undefined) return 4;
  let cover: number | null = p.cavok || clear ? 0 : null;
  for (const c of p.clouds) {
    const v = COVER[c.quantity];
    if (v !== undefined && (cover === null || v > cover)) cover = v;
  }
  return cover;
}

function altimeterOf(p: IMetar): number | null {
  const a = p.altimeter;
  if (!a) return null;
  return a.unit === 'inHg' ? Math.round(a.value * HPA_PER_INHG * 10) / 10 : a.value;
}

function visibilityOf(p: IMetar): number | null {
  const v = p.visibility;
  if (!v) return null;
  return v.unit === 'm' ? v.value / M_PER_SM : v.value;
}
