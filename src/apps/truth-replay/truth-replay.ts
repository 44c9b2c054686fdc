import { z } from 'zod';
import { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import type { TruthEngineConfig } from '../../config/sections/truth.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { KNOWN_SOURCES, parseScore, REPORT_STATUSES, type SourceReport } from '../../domain/truth/report.ts';
import { tierOf } from '../../domain/truth/rules.ts';
import { aliasIndex, resolveTeam } from '../../domain/truth/teams.ts';
import { seededRng } from '../../domain/util/random.ts';
import { TruthEngine } from '../../runtime/truth/truth-engine.ts';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** One captured report, as `helios truth replay` reads it (title and best_of are optional extras). */
const replayLine = z.strictObject({
  ts: z.string().regex(ISO_8601, 'an ISO-8601 time with a zone'),
  source: z.enum(KNOWN_SOURCES),
  match_id: z.string().min(1),
  status: z.enum(REPORT_STATUSES),
  winner: z.string().min(1).nullable(),
  score: z.string().regex(/^\d{1,3}-\d{1,3}$/, '"N-M"').nullable(),
  teams: z.array(z.string().min(1)).length(2),
  title: z.string().min(1).optional(),
  best_of: z.number().int().positive().optional(),
});

export type ReplayLine = z.infer<typeof replayLine>;

export interface ParsedLine {
  line: number;
  at: number;
  value: ReplayLine;
}

export type LineResult = { ok: true; parsed: ParsedLine } | { ok: false; line: number; error: string };

/** `aliases`: the configured team aliases, so a winner spelled by an alias is one of the teams here as in the engine. */
export function parseReplayLine(text: string, line: number, aliases: ReadonlyMap<string, ReadonlySet<string>> = new Map()): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, line, error: `not JSON (${(err as Error).message})` };
  }
  const r = replayLine.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, line, error: `${issue.path.join('.') || '(line)'}: ${issue.message}` };
  }
  const v = r.data;
  const at = Date.parse(v.ts);
  if (!Number.isFinite(at)) return { ok: false, line, error: `ts: not a valid time: ${v.ts}` };
  // Event ids and the virtual clock count milliseconds since 1970; an earlier report is bad data.
  if (at < 0) return { ok: false, line, error: `ts: before 1970-01-01T00:00:00Z: ${v.ts}` };
  if (v.winner !== null && v.status !== 'finished') return { ok: false, line, error: `winner given but status is ${v.status}` };
  if (v.winner !== null && resolveTeam([v.winner], v.teams, aliases) === null) return { ok: false, line, error: `winner "${v.winner}" is not one of teams ${JSON.stringify(v.teams)}` };
  return { ok: true, parsed: { line, at, value: v } };
}

/** One output line: the truth of a match after it changed. */
export interface ReplayOutput {
  ts: string;
  match_id: string;
  state: string;
  winner: string | null;
  confidence: number;
  implied_p: Record<string, number> | null;
}

export interface ReplayResult {
  /** NDJSON lines (without newline), one per change of state, winner, confidence or implied_p. */
  lines: string[];
  /** "line N: reason", in line order. */
  errors: string[];
}

/**
 * Runs captured reports through the truth engine on a virtual clock set from the reports' own
 * times (stable-sorted by time), firing the machines' timers in deadline order between reports.
 * Same input, same output: time, ids and iteration order all derive from the input.
 */
export function replayTruth(text: string, config: TruthEngineConfig, seed = 0): ReplayResult {
  const errors: Array<{ line: number; error: string }> = [];
  const parsed: ParsedLine[] = [];
  const aliases = aliasIndex(config.team_aliases);
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const r = parseReplayLine(raw, i + 1, aliases);
    if (r.ok) parsed.push(r.parsed);
    else errors.push({ line: r.line, error: r.error });
  });
  parsed.sort((a, b) => a.at - b.at || a.line - b.line);

  const lines: string[] = [];
  const clock = new VirtualClock(parsed[0]?.at ?? 0);
  const printed = new Map<string, string>();
  const sink = {
    emit(event: HeliosEvent) {
      if (event.type !== 'TRUTH_STATE' || event.match_id === undefined) return;
      const p = event.payload;
      const tuple = JSON.stringify([p.state, p.winner, p.confidence, p.implied_p]);
      if (printed.get(event.match_id) === tuple) return;
      printed.set(event.match_id, tuple);
      const out: ReplayOutput = {
        ts: new Date(event.ts_ingest).toISOString(),
        match_id: event.match_id,
        state: p.state,
        winner: p.winner,
        confidence: p.confidence,
        implied_p: p.implied_p,
      };
      lines.push(JSON.stringify(out));
    },
  };
  const engine = new TruthEngine({
    rules: config,
    team_aliases: config.team_aliases,
    clock,
    sink,
    events: new EventFactory(clock, ulidGenerator(seededRng(seed))),
    publishReports: false,
    publishInitial: false,
  });
  for (const p of parsed) {
    const v = p.value;
    clock.advanceTo(Math.max(clock.now(), p.at));
    if (!engine.hasMatch(v.match_id)) {
      engine.addMatch({ match_id: v.match_id, title: v.title ?? null, outcomes: v.teams, best_of: v.best_of ?? null });
    }
    const score = v.score === null ? null : parseScore(v.score)!;
    const report: SourceReport = {
      source: v.source,
      tier: tierOf(v.source, config),
      match_id: v.match_id,
      observed_at: p.at,
      source_ts: null,
      status: v.status,
      teams: v.teams,
      winner: v.winner === null ? null : (resolveTeam([v.winner], v.teams, aliases) ?? v.winner),
      result: v.status === 'finished' && v.winner !== null ? 'win' : null,
      score,
      game: v.best_of === undefined ? null : { current: null, best_of: v.best_of },
    };
    // One report the engine cannot take is that line's error; the lines after it still replay.
    try {
      const r = engine.ingest(report);
      if (!r.ok) errors.push({ line: p.line, error: r.reason });
    } catch (err) {
      errors.push({ line: p.line, error: `not replayable: ${(err as Error).message}` });
    }
  }
  engine.stop();
  errors.sort((a, b) => a.line - b.line);
  return { lines, errors: errors.map((e) => `line ${e.line}: ${e.error}`) };
}
