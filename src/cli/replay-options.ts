import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../config/load.ts';
import { parseIsoDate } from '../domain/time/civil.ts';
import { configProblem } from './load-cli-config.ts';
import type { HeliosConfig } from '../config/schema.ts';
import type { ReplayRange, ReplaySource } from '../domain/replay/source.ts';
import { EXIT } from './exit-codes.ts';
import type { CliIo } from './io.ts';

/** What replay, backtest and sweep share on the command line. */
export interface RangeCliOptions {
  dataDir?: string;
  from?: string;
  to?: string;
  config?: string;
  set?: string[];
  /** What the messages call from and to when they came from elsewhere than --from/--to (a sweep's grid file). */
  rangeNames?: { from: string; to: string };
}

export interface ReplayCliContext {
  config: HeliosConfig;
  dataDir: string;
  from: number;
  to: number;
  overrides: Record<string, unknown>;
}

/**
 * An ISO 8601 time (a bare date is midnight UTC) or epoch milliseconds; NaN when neither, or when
 * its date is not on the calendar (Date.parse rolls 2026-02-30 over to 2 March: a range would
 * silently start days off).
 */
export function parseTime(text: string): number {
  if (/^\d{10,}$/.test(text)) return Number(text);
  const date = ISO_DATE_PREFIX.exec(text)?.[1];
  if (date === undefined || parseIsoDate(date) === null) return Number.NaN;
  if (date === text) return Date.parse(`${text}T00:00:00Z`);
  // Without a zone, a time is UTC (never the machine's zone).
  return Date.parse(/([zZ]|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
}

const ISO_DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})(?:$|T)/;

/** Why parseTime refused `text`, for a message that names the flag and the value. */
export function badTimeReason(text: string): string {
  const date = ISO_DATE_PREFIX.exec(text)?.[1];
  return date !== undefined && parseIsoDate(date) === null ? 'not a calendar date' : 'not an ISO time';
}

/** `--speed`: a positive multiple of real time, or max / inf for as fast as possible. */
export function parseSpeed(text: string): number {
  if (/^(max|inf|infinity|asap)$/i.test(text)) return Infinity;
  const x = Number(text.replace(/x$/i, ''));
  return x > 0 ? x : Number.NaN;
}

/** `--set key.path=value` pairs; values read as YAML scalars (numbers, booleans, lists). */
export function parseSets(list: readonly string[]): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) return `--set expects key.path=value, got ${JSON.stringify(item)}`;
    const key = item.slice(0, eq).trim();
    if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(key)) return `--set: ${JSON.stringify(key)} is not a dotted config key`;
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = parseYaml(raw, { logLevel: 'error' });
    } catch {
      value = raw;
    }
    out[key] = value;
  }
  return out;
}

/**
 * Config (with --set overrides validated by the schema), data dir and range; reports problems and
 * exits 2 (usage or config), returning undefined.
 */
export function replayContext(opts: RangeCliOptions, io: CliIo, cmd: string, requireRange = true): ReplayCliContext | undefined {
  const fail = (msg: string) => {
    io.err(`${cmd}: ${msg}\n`);
    io.exit(EXIT.CONFIG_ERROR);
    return undefined;
  };
  const overrides = parseSets(opts.set ?? []);
  if (typeof overrides === 'string') return fail(overrides);
  let config: HeliosConfig;
  try {
    config = loadConfig({ file: opts.config, env: io.env, overrides }).config;
  } catch (err) {
    return fail(configProblem(err));
  }
  const from = opts.from === undefined ? Number.NaN : parseTime(opts.from);
  const to = opts.to === undefined ? Number.NaN : parseTime(opts.to);
  if (requireRange) {
    if (opts.from === undefined || opts.to === undefined) return fail('--from and --to are required (ISO 8601, e.g. 2025-07-15T17:00:00Z)');
    const names = opts.rangeNames ?? { from: '--from', to: '--to' };
    if (Number.isNaN(from)) return fail(`${names.from}: ${badTimeReason(opts.from)}: ${opts.from}`);
    if (Number.isNaN(to)) return fail(`${names.to}: ${badTimeReason(opts.to)}: ${opts.to}`);
    if (!(to > from)) return fail(`--to must be after --from`);
  }
  return { config, dataDir: path.resolve(opts.dataDir ?? config.app.data_dir), from, to, overrides };
}

/**
 * A replayed range with nothing in it is a wrong path or range, never a result: the command says
 * where it looked and exits 1 (data problem) instead of reporting zeros.
 */
export function missingDataDir(dataDir: string): string | null {
  if (!existsSync(dataDir)) return `no such data directory: ${dataDir} (relative paths resolve against the working directory, ${process.cwd()})`;
  if (!statSync(dataDir).isDirectory()) return `not a directory: ${dataDir}`;
  return null;
}

/** The message for a range that held no events. */
export function noEventsMessage(dataDir: string, from: number, to: number): string {
  return `no events in ${dataDir} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}: check --data-dir and the range (for compacted data, helios query --data-dir DIR "SELECT min(ts), max(ts) FROM events" shows what it holds)`;
}

/** Repeatable option collector for commander. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const HOUR_MS = 3_600_000;

/**
 * The first and last recorded event inside `range` (a data directory's file bounds: whole journal
 * hours, whole Parquet days), so a whole-recording replay spans what was recorded, not empty hours.
 * The last is searched from the end in ever wider windows, so a long recording is not read twice.
 */
export async function recordedEventBounds(source: ReplaySource, range: ReplayRange): Promise<{ first: number; last: number } | null> {
  const first = await edgeTs(source, range, 'first');
  if (first === null) return null;
  let hi = range.to;
  for (let width = HOUR_MS; hi > first; width *= 4) {
    const lo = Math.max(first, hi - width);
    const last = await edgeTs(source, { ...range, from: lo, to: hi }, 'last');
    if (last !== null) return { first, last };
    hi = lo;
  }
  return { first, last: first };
}

async function edgeTs(source: ReplaySource, range: ReplayRange, edge: 'first' | 'last'): Promise<number | null> {
  let ts: number | null = null;
  for await (const chunk of source.read(range)) {
    const rec = edge === 'first' ? chunk[0] : chunk.at(-1);
    if (rec) ts = rec.ts;
    if (edge === 'first' && ts !== null) break;
  }
  return ts;
}
