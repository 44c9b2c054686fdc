import { extractRemarkGroups, type RemarkGroups } from './remark-groups.ts';
import { judgeFFromTenths, judgeFFromWholeC } from './units.ts';
import { isoUtcMinute } from '../time/civil.ts';

/**
 * What any METAR body parser must supply (the adapter maps metar-taf-parser onto it). Body
 * temperatures are whole °C; the tenths come from the remark groups, which this module reads itself.
 */
/** The weather a report describes besides temperature (the model's features), null when not reported. */
export interface MetarConditions {
  windDirDeg: number | null;
  windKt: number | null;
  gustKt: number | null;
  /** 0 clear … 4 overcast (or sky obscured), the highest cover of any layer; null when not reported. */
  skyCover: number | null;
  visibilitySm: number | null;
  altimeterHpa: number | null;
  /** Precipitation or thunder in the present weather. */
  precipitating: boolean;
}

export interface MetarBody extends MetarConditions {
  station: string;
  day: number;
  hour: number;
  minute: number;
  /** The METAR/SPECI prefix when present (IEM archives strip it). */
  typePrefix: 'METAR' | 'SPECI' | null;
  corrected: boolean;
  nil: boolean;
  tempC: number | null;
  dewpointC: number | null;
}

export type ReportType = 'METAR' | 'SPECI';

/** One observation after the strict remark extraction and consistency checks. */
export interface MetarReport extends MetarConditions {
  station: string;
  obsMs: number;
  reportType: ReportType;
  corrected: boolean;
  /** Tenths of °C from a valid T-group; otherwise whole °C from the body (precision 'whole'). */
  tempC: number | null;
  dewpointC: number | null;
  precision: 'tenths' | 'whole' | null;
  tempFJudge: number | null;
  dewpointF: number | null;
  /** 6-h and 24-h groups in integer tenths of °C (exact), null when absent or malformed. */
  max6hTenths: number | null;
  min6hTenths: number | null;
  max24hTenths: number | null;
  min24hTenths: number | null;
  flags: string[];
  raw: string;
}

/** MADIS validity limits for air temperature, −60…130 °F, in tenths of °C. */
const MIN_VALID_TENTHS = -511;
const MAX_VALID_TENTHS = 544;
/** FMH-1 ASOS practice: the body is the T-group rounded; more than 1 °C apart means one is wrong. */
const BODY_T_TOLERANCE_C = 1;

export interface NormalizeOptions {
  obsMs: number;
  /** Report type known from the source (e.g. AWC `metarType`) when the text lacks the prefix. */
  typeHint?: ReportType | null;
  /** Minute of the station's routine report (51 at most ASOS); other minutes are SPECI when inferred. */
  routineMinute?: number | null;
}

export function normalizeMetar(body: MetarBody, raw: string, opts: NormalizeOptions): MetarReport {
  const flags: string[] = [];
  let reportType: ReportType;
  if (body.typePrefix) reportType = body.typePrefix;
  else if (opts.typeHint) reportType = opts.typeHint;
  else {
    reportType = opts.routineMinute != null && body.minute !== opts.routineMinute ? 'SPECI' : 'METAR';
    flags.push('type_inferred');
  }
  const report: MetarReport = {
    station: body.station,
    obsMs: opts.obsMs,
    reportType,
    corrected: body.corrected,
    tempC: null,
    dewpointC: null,
    precision: null,
    tempFJudge: null,
    dewpointF: null,
    max6hTenths: null,
    min6hTenths: null,
    max24hTenths: null,
    min24hTenths: null,
    windDirDeg: body.windDirDeg,
    windKt: body.windKt,
    gustKt: body.gustKt,
    skyCover: body.skyCover,
    visibilitySm: body.visibilitySm,
    altimeterHpa: body.altimeterHpa,
    precipitating: body.precipitating,
    flags,
    raw,
  };
  if (body.nil) {
    flags.push('nil', 'temp_missing');
    return report;
  }
  applyTemperatures(report, body, extractRemarkGroups(raw));
  return report;
}

function inRange(tenths: number): boolean {
  return tenths >= MIN_VALID_TENTHS && tenths <= MAX_VALID_TENTHS;
}

function applyTemperatures(report: MetarReport, body: MetarBody, g: RemarkGroups): void {
  const flags = report.flags;
  if (g.maintenance) flags.push('maintenance');
  for (const s of g.sensorsNotAvailable) flags.push(`sensor_no:${s}`);
  for (const m of g.malformed) {
    const kind = m.group === 'T' ? 't_group' : m.group === '1' ? 'max6h' : m.group === '2' ? 'min6h' : 'group24h';
    flags.push(`${kind}_malformed:${m.token}`);
  }
  for (const d of g.duplicated) flags.push(`duplicate_group:${d}`);

  let tTenths = g.tTemp;
  if (tTenths !== null && !inRange(tTenths)) {
    flags.push('t_group_out_of_range');
    tTenths = null;
  }
  let bodyC = body.tempC;
  if (bodyC !== null && !inRange(bodyC * 10)) {
    flags.push('body_out_of_range');
    bodyC = null;
  }
  if (tTenths !== null && bodyC !== null && Math.abs(tTenths / 10 - bodyC) > BODY_T_TOLERANCE_C) {
    // Which of the two is wrong cannot be told from one report; the body is the conservative
    // choice because a wrong T-group is what produces the damaging spikes.
    flags.push('t_body_mismatch');
    tTenths = null;
  }

  if (tTenths !== null) {
    report.tempC = tTenths / 10;
    report.precision = 'tenths';
    report.tempFJudge = judgeFFromTenths(tTenths);
    const dew = g.tDew !== null && inRange(g.tDew) ? g.tDew : null;
    report.dewpointC = dew !== null ? dew / 10 : body.dewpointC;
    report.dewpointF = dew !== null ? judgeFFromTenths(dew) : body.dewpointC !== null ? judgeFFromWholeC(body.dewpointC) : null;
  } else if (bodyC !== null) {
    if (g.tTemp === null && g.malformed.every((m) => m.group !== 'T')) flags.push('t_group_missing');
    flags.push('judge_from_body');
    report.tempC = bodyC;
    report.precision = 'whole';
    report.tempFJudge = judgeFFromWholeC(bodyC);
    report.dewpointC = body.dewpointC;
    report.dewpointF = body.dewpointC !== null ? judgeFFromWholeC(body.dewpointC) : null;
  } else {
    flags.push('temp_missing');
  }
  if (report.tempC !== null && report.dewpointC === null) flags.push('dewpoint_missing');

  report.max6hTenths = g.max6h !== null && inRange(g.max6h) ? g.max6h : null;
  report.min6hTenths = g.min6h !== null && inRange(g.min6h) ? g.min6h : null;
  report.max24hTenths = g.max24h !== null && inRange(g.max24h) ? g.max24h : null;
  report.min24hTenths = g.min24h !== null && inRange(g.min24h) ? g.min24h : null;
}

/** The NDJSON record of `helios metar parse` (also the METAR_OBS payload core). */
export interface MetarRecord {
  station: string;
  obs_time_utc: string;
  report_type: ReportType;
  corrected: boolean;
  temp_c: number | null;
  dewpoint_c: number | null;
  precision: 'tenths' | 'whole' | null;
  temp_f_judge: number | null;
  max6h_c: number | null;
  min6h_c: number | null;
  max24h_c: number | null;
  min24h_c: number | null;
  flags: string[];
  raw: string;
}

function tenthsToC(t: number | null): number | null {
  return t === null ? null : t / 10;
}

export function toMetarRecord(r: MetarReport): MetarRecord {
  return {
    station: r.station,
    obs_time_utc: isoUtcMinute(r.obsMs),
    report_type: r.reportType,
    corrected: r.corrected,
    temp_c: r.tempC,
    dewpoint_c: r.dewpointC,
    precision: r.precision,
    temp_f_judge: r.tempFJudge,
    max6h_c: tenthsToC(r.max6hTenths),
    min6h_c: tenthsToC(r.min6hTenths),
    max24h_c: tenthsToC(r.max24hTenths),
    min24h_c: tenthsToC(r.min24hTenths),
    flags: r.flags,
    raw: r.raw,
  };
}
