import { readKillSwitch, writeKillSwitch, type KillSwitchRecord } from '../../adapters/storage/kill-switch-file.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { RiskEngine } from '../../domain/trading/risk-engine.ts';
import type { DaemonContext } from './context.ts';

type HaltedRisk = Pick<RiskEngine, 'haltKind' | 'dailyLimitReachedDay'>;

/**
 * The global kill switch outlives the process: an operator's halt (or a daily-loss kill) is
 * written to DATA_DIR/state/kill-switch.json as the trading node reports it, with its kind and the
 * UTC day the daily loss reached its limit, removed when trading resumes, and a node starting on
 * the same data directory begins halted. Without this a restart (a crash under
 * `Restart=on-failure`, a deploy) quietly resumed trading. The restored halt starts a fresh
 * cool-down; a daily-loss kill still ends at the day's rollover and refuses a resume the day the
 * limit was reached, whatever the loss carried in; an operator's halt is lifted only by a resume.
 */
export function persistedKillSwitch(ctx: DaemonContext): { sink: EventSink; attach(risk: HaltedRisk): void; sync(): void; restoredHalt(): HeliosEvent | null } {
  const dataDir = ctx.opts.dataDir;
  const previous = readKillSwitch(dataDir);
  let inForce = previous;
  let risk: HaltedRisk | null = null;
  // Until the previous session's halt is handed to the node, the file is its only record: what the
  // node reports while starting (a drawdown's REDUCING from the carried net) must not remove it.
  let following = previous === null;
  const write = (record: KillSwitchRecord | null) => {
    try {
      writeKillSwitch(dataDir, (inForce = record));
    } catch (err) {
      ctx.reportError('kill-switch', err);
    }
  };
  /** The halt in force as risk has it now; its first reason and time are kept (a restored halt reports again). */
  const recorded = (reason: string, at: number): KillSwitchRecord => ({
    reason: inForce?.reason ?? reason,
    since_ms: inForce?.since_ms ?? at,
    kind: risk?.haltKind ?? inForce?.kind ?? 'manual',
    daily_limit_day: risk?.dailyLimitReachedDay ?? inForce?.daily_limit_day ?? null,
  });
  const follow = (halted: boolean, reason: string, at: number) => {
    if (!following) return;
    if (!halted) {
      if (inForce !== null) write(null);
      return;
    }
    const next = recorded(reason, at);
    if (JSON.stringify(next) !== JSON.stringify(inForce)) write(next);
  };
  return {
    sink: {
      emit(event) {
        if (event.type === 'RISK_STATE' && event.market_id === undefined) follow(event.payload.state === 'HALTED', event.payload.reason ?? 'kill switch', event.ts_ingest);
        ctx.sink.emit(event);
      },
    },
    attach(r) {
      risk = r;
    },
    sync() {
      // The daily loss can reach its limit under a halt already in force, which reports no new state.
      if (inForce !== null) follow(true, inForce.reason, inForce.since_ms);
    },
    restoredHalt() {
      following = true;
      if (previous === null) return null;
      const since = previous.since_ms > 0 ? new Date(previous.since_ms).toISOString() : 'an unknown time';
      ctx.log.warn({ reason: previous.reason, since, kind: previous.kind, daily_limit_day: previous.daily_limit_day }, `kill switch still on from a previous session: trading starts halted until POST /resume${previous.kind === 'daily_loss' ? ' (refused the UTC day the daily loss reached its limit) or the next UTC day' : ''}`);
      const restored = { kind: previous.kind, ...(previous.daily_limit_day !== null ? { daily_limit_day: previous.daily_limit_day } : {}) };
      return ctx.events('trading').make('HALT', { scope: 'global', reason: `${previous.reason} (restored: halted since ${since})`, ...restored });
    },
  };
}
