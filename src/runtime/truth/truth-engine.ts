import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import type { Logger } from '../../adapters/log/logger.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { TruthState } from '../../domain/events/payloads/truth.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { normalizeReport, type TruthMatch } from '../../domain/truth/match.ts';
import type { SourceReport } from '../../domain/truth/report.ts';
import { tierOf, type TruthRules } from '../../domain/truth/rules.ts';
import { aliasIndex, type TeamAliases } from '../../domain/truth/teams.ts';
import { truthView, type TruthStatePayload } from '../../domain/truth/view.ts';
import { stableStringify } from '../../domain/util/stable-json.ts';
import { truthMachine } from '../../machines/truth/truth.machine.ts';

export interface ConfirmationRequest {
  match_id: string;
  /** The winner the pending final names, if any. */
  winner: string | null;
  /** true when max_wait_ms passed without confirmation (a repeated request). */
  overdue: boolean;
}

export interface TruthEngineOptions {
  rules: TruthRules;
  team_aliases?: TeamAliases;
  clock: Clock;
  sink: EventSink;
  events: EventFactory;
  logger?: Logger;
  /** Asked when a match enters pending_final or its confirmation is overdue: fetch from confirming sources. */
  onConfirmationNeeded?: (request: ConfirmationRequest) => void;
  /** Publish each accepted report as SOURCE_REPORT (for recording and replay). Default true. */
  publishReports?: boolean;
  /** Publish a match's scheduled state as soon as it is added. Default true. */
  publishInitial?: boolean;
  /**
   * Republish every match's current view this often (unchanged payload, new event), so consumers
   * can tell a quiet match from a dead truth feed by the age of its last TRUTH_STATE. Off when absent.
   */
  heartbeatMs?: number;
}

export type IngestResult = { ok: true } | { ok: false; reason: string };

type TruthActor = Actor<typeof truthMachine>;

interface Entry {
  match: TruthMatch;
  actor: TruthActor;
  lastKey: string | null;
  lastState: TruthState | null;
  lastPayload: TruthStatePayload | null;
  /** SOURCE_REPORT event being applied, as causation for the TRUTH_STATE it produces. */
  cause: { event_id: string; correlation_id: string } | null;
  publishing: boolean;
}

/**
 * Hosts one truth machine per match (actors on the injected clock), feeds them normalized source
 * reports and publishes TRUTH_STATE whenever a match's view changes.
 */
export class TruthEngine {
  private readonly entries = new Map<string, Entry>();
  private readonly aliases: ReturnType<typeof aliasIndex>;

  private heartbeat: unknown = null;

  constructor(private readonly opts: TruthEngineOptions) {
    this.aliases = aliasIndex(opts.team_aliases ?? {});
    if (opts.heartbeatMs) this.scheduleHeartbeat(opts.heartbeatMs);
  }

  private scheduleHeartbeat(ms: number): void {
    this.heartbeat = this.opts.clock.setTimeout(() => {
      for (const id of this.matchIds()) {
        const entry = this.entries.get(id)!;
        if (!entry.publishing || !entry.lastPayload) continue;
        this.opts.sink.emit(this.opts.events.make('TRUTH_STATE', entry.lastPayload, { match_id: entry.match.match_id, market_id: entry.match.market_id }));
      }
      this.scheduleHeartbeat(ms);
    }, ms);
  }

  addMatch(match: TruthMatch): void {
    if (this.entries.has(match.match_id)) throw new Error(`truth engine: match ${match.match_id} already added`);
    const machine = truthMachine.provide({
      actions: {
        requestConfirmation: ({ context }) =>
          this.opts.onConfirmationNeeded?.({ match_id: context.match.match_id, winner: context.verdict.winner, overdue: context.verdict.overdue }),
      },
    });
    const actor = createActor(machine, {
      clock: this.opts.clock,
      id: `truth:${match.match_id}`,
      input: { match, rules: this.opts.rules, now: this.opts.clock.now() },
    });
    const entry: Entry = { match, actor, lastKey: null, lastState: null, lastPayload: null, cause: null, publishing: this.opts.publishInitial ?? true };
    this.entries.set(match.match_id, entry);
    actor.subscribe({
      next: (snapshot) => this.publish(entry, snapshot),
      error: (err) => this.opts.logger?.error({ err, match_id: match.match_id }, 'truth machine failed'),
    });
    actor.start();
    entry.publishing = true;
    if (entry.lastKey === null) entry.lastKey = this.keyOf(entry, actor.getSnapshot());
  }

  hasMatch(matchId: string): boolean {
    return this.entries.has(matchId);
  }

  matchIds(): string[] {
    return [...this.entries.keys()].sort();
  }

  removeMatch(matchId: string): void {
    this.entries.get(matchId)?.actor.stop();
    this.entries.delete(matchId);
  }

  /** Feeds one report; refused when the match is unknown or its team names cannot be attributed. */
  ingest(report: SourceReport): IngestResult {
    const entry = this.entries.get(report.match_id);
    if (!entry) return { ok: false, reason: `unknown match ${report.match_id}` };
    const tier = tierOf(report.source, this.opts.rules);
    const normalized = normalizeReport({ ...report, tier }, entry.match, this.opts.clock.now(), this.aliases);
    if (!normalized.ok) {
      this.opts.logger?.warn({ match_id: report.match_id, source: report.source, reason: normalized.reason }, 'truth report refused');
      return normalized;
    }
    if (this.opts.publishReports ?? true) {
      const event = this.opts.events.make(
        'SOURCE_REPORT',
        {
          source: report.source,
          tier,
          status: report.status,
          winner: normalized.report.winner,
          result: normalized.report.result,
          score: report.score && report.score.length === 2 ? `${report.score[0]}-${report.score[1]}` : null,
          teams: [...report.teams],
          game: report.game?.current ?? null,
          best_of: report.game?.best_of ?? null,
        },
        { match_id: report.match_id, market_id: entry.match.market_id, ts_source: report.source_ts ?? undefined },
      );
      this.opts.sink.emit(event);
      entry.cause = { event_id: event.event_id, correlation_id: event.correlation_id };
    }
    try {
      // A settled match is final: later reports are recorded above but change nothing.
      if (entry.actor.getSnapshot().status === 'active') entry.actor.send({ type: 'REPORT', report: normalized.report });
    } finally {
      entry.cause = null;
    }
    return { ok: true };
  }

  /** The market resolved: the match is settled whatever the sources say next. */
  settle(matchId: string, winner: string | null): void {
    const actor = this.entries.get(matchId)?.actor;
    if (actor?.getSnapshot().status === 'active') actor.send({ type: 'SETTLE', winner, at: this.opts.clock.now() });
  }

  /** The latest view of a match (what the last TRUTH_STATE said, or would say). */
  view(matchId: string): TruthStatePayload | undefined {
    const entry = this.entries.get(matchId);
    if (!entry) return undefined;
    const view = this.viewOf(entry, entry.actor.getSnapshot());
    if (entry.lastPayload && stableStringify(view) === entry.lastKey) return entry.lastPayload;
    return { ...view, previous: entry.lastState };
  }

  stop(): void {
    if (this.heartbeat !== null) this.opts.clock.clearTimeout(this.heartbeat);
    this.heartbeat = null;
    for (const id of this.matchIds()) this.entries.get(id)!.actor.stop();
  }

  private viewOf(entry: Entry, snapshot: SnapshotFrom<typeof truthMachine>) {
    const c = snapshot.context;
    return truthView({
      state: snapshot.value as TruthState,
      verdict: c.verdict,
      evidence: c.evidence,
      settlement: c.settlement,
      match: entry.match,
      rules: c.rules,
      now: c.now,
    });
  }

  private keyOf(entry: Entry, snapshot: SnapshotFrom<typeof truthMachine>): string {
    return stableStringify(this.viewOf(entry, snapshot));
  }

  private publish(entry: Entry, snapshot: SnapshotFrom<typeof truthMachine>): void {
    const view = this.viewOf(entry, snapshot);
    const key = stableStringify(view);
    if (key === entry.lastKey) return;
    entry.lastKey = key;
    if (!entry.publishing) return;
    const payload: TruthStatePayload = { ...view, previous: entry.lastState };
    entry.lastState = view.state;
    entry.lastPayload = payload;
    this.opts.sink.emit(
      this.opts.events.make('TRUTH_STATE', payload, {
        match_id: entry.match.match_id,
        market_id: entry.match.market_id,
        causation_id: entry.cause?.event_id,
        correlation_id: entry.cause?.correlation_id,
      }),
    );
  }
}
