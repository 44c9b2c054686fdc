import type { MetarReport, ReportType } from '../../domain/weather/metar-report.ts';
import { utcMs } from '../../domain/time/civil.ts';
import { cleanMetarText, parseMetarText } from './metar-parser.ts';

/**
 * Reads captured METAR data: an IEM ASOS CSV (detected by its header) or raw report text (one per
 * line, NOAA collectives with continuation lines and `=` terminators, `YYYY/MM/DD HH:MM` receipt
 * lines). Every report keeps its line number so failures can be reported precisely.
 */
export type MetarFileFormat = 'iem_csv' | 'raw';

export interface ReadReport {
  line: number;
  report: MetarReport;
}

export interface ReadError {
  line: number;
  text: string;
  error: string;
}

export interface ReadResult {
  format: MetarFileFormat;
  reports: ReadReport[];
  errors: ReadError[];
}

export interface ReadOptions {
  /** Reference time for raw text whose day-of-month has no month (file date or receipt time). */
  refMs?: number;
  /** Keep only this station (ICAO id, or the 3-letter id IEM uses for US stations). */
  station?: string;
}

const IEM_VALID = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/;
const RECEIPT_LINE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/;
const WMO_HEADING = /^([A-Z]{4}\d{2} [A-Z]{4} \d{6}( [A-Z]{3})?|\d{3})$/;
const SECTION = /^(METAR|SPECI)$/;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

export function detectFormat(text: string): MetarFileFormat {
  const first = text.slice(0, 2000).split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  const cols = first.toLowerCase().split(',');
  return cols.includes('valid') && cols.includes('metar') ? 'iem_csv' : 'raw';
}

export function readMetarText(text: string, opts: ReadOptions = {}): ReadResult {
  return detectFormat(text) === 'iem_csv' ? readIemCsv(text, opts) : readRawText(text, opts);
}

function stationMatches(want: string | undefined, station: string): boolean {
  if (!want) return true;
  const w = want.toUpperCase();
  return station === w || (w.length === 3 && station === 'K' + w) || (station.length === 4 && station.slice(1) === w);
}

/** The minute most reports share is the routine METAR minute; others are SPECI (IEM strips the prefix). */
function modalMinute(minutes: number[]): number | null {
  const counts = new Map<number, number>();
  for (const m of minutes) counts.set(m, (counts.get(m) ?? 0) + 1);
  let best: number | null = null;
  let bestN = 0;
  for (const [m, n] of [...counts.entries()].sort((a, b) => a[0] - b[0])) {
    if (n > bestN) {
      best = m;
      bestN = n;
    }
  }
  return bestN >= 3 ? best : null;
}

function timeMinute(raw: string): number | null {
  const m = /\b\d{4}(\d{2})Z\b/.exec(raw);
  return m ? Number(m[1]) : null;
}

function readIemCsv(text: string, opts: ReadOptions): ReadResult {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = (lines[headerAt] ?? '').toLowerCase().split(',');
  const validCol = header.indexOf('valid');
  const metarCol = header.indexOf('metar');
  const stationCol = header.indexOf('station');
  const rows: Array<{ line: number; raw: string; validMs: number }> = [];
  const errors: ReadError[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) continue;
    const cols = l.split(',');
    const v = IEM_VALID.exec(cols[validCol] ?? '');
    const raw = cols[metarCol];
    if (cols.length !== header.length || !v || !raw || raw === 'M') {
      const problem = cols.length !== header.length ? `expected ${header.length} columns, got ${cols.length}` : !v ? 'bad or missing valid time' : 'no METAR text';
      errors.push({ line: i + 1, text: l, error: problem });
      continue;
    }
    if (opts.station && stationCol >= 0 && !stationMatches(opts.station, cleanMetarText(raw).replace(/^(METAR|SPECI) (COR )?/, '').slice(0, 4))) continue;
    rows.push({ line: i + 1, raw, validMs: utcMs(+v[1]!, +v[2]!, +v[3]!, +v[4]!, +v[5]!) });
  }
  const routineMinute = modalMinute(rows.map((r) => timeMinute(r.raw)).filter((m): m is number => m !== null));
  const reports: ReadReport[] = [];
  for (const row of rows) {
    const out = parseMetarText(row.raw, { refMs: row.validMs, routineMinute });
    if (out.ok) reports.push({ line: row.line, report: out.report });
    else errors.push({ line: row.line, text: row.raw, error: out.error });
  }
  return { format: 'iem_csv', reports, errors: errors.sort((a, b) => a.line - b.line) };
}

interface RawChunk {
  line: number;
  text: string;
  refMs: number | undefined;
  typeHint: ReportType | null;
}

function readRawText(text: string, opts: ReadOptions): ReadResult {
  const lines = text.split(/\r?\n/);
  const chunks: RawChunk[] = [];
  let ref = opts.refMs;
  let section: ReportType | null = null;
  let open: RawChunk | null = null;
  for (let i = 0; i < lines.length; i++) {
    // WMO framing (SOH/ETX) and stray control characters are transport, not content.
    const l = lines[i]!.replace(CONTROL, '');
    const t = l.trim();
    if (t === '') {
      open = null;
      continue;
    }
    const receipt = RECEIPT_LINE.exec(t);
    if (receipt) {
      ref = utcMs(+receipt[1]!, +receipt[2]!, +receipt[3]!, +receipt[4]!, +receipt[5]!);
      open = null;
      continue;
    }
    if (SECTION.test(t)) {
      section = t as ReportType;
      open = null;
      continue;
    }
    if (WMO_HEADING.test(t)) {
      open = null;
      continue;
    }
    // Collectives wrap a report onto indented lines until its `=`.
    if (open && /^\s/.test(l)) {
      open.text += ' ' + t;
    } else {
      open = { line: i + 1, text: t, refMs: ref, typeHint: section };
      chunks.push(open);
    }
    if (t.endsWith('=')) open = null;
  }

  const routineMinute = modalMinute(chunks.map((c) => timeMinute(c.text)).filter((m): m is number => m !== null));
  const reports: ReadReport[] = [];
  const errors: ReadError[] = [];
  let lastMs: number | undefined;
  for (const c of chunks) {
    const refMs = c.refMs !== opts.refMs ? c.refMs : (lastMs ?? c.refMs);
    if (refMs === undefined) {
      errors.push({ line: c.line, text: c.text, error: 'no reference date to anchor the day of month (pass --date)' });
      continue;
    }
    const out = parseMetarText(c.text, { refMs, typeHint: c.typeHint, routineMinute });
    if (!out.ok) {
      errors.push({ line: c.line, text: c.text, error: out.error });
      continue;
    }
    if (!stationMatches(opts.station, out.report.station)) continue;
    // Long files roll over month ends: each report anchors the next one.
    lastMs = out.report.obsMs;
    reports.push({ line: c.line, report: out.report });
  }
  return { format: 'raw', reports, errors };
}
