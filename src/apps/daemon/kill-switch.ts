import { readKillSwitch, writeKillSwitch } from '../../adapters/storage/kill-switch-file.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { DaemonContext } from './context.ts';

/**
 * The global kill switch outlives the process: an operator's halt (or a daily-loss kill) is
 * written to DATA_DIR/state/kill-switch.json as the trading node reports it, removed when trading
 * resumes, and a node starting on the same data directory begins halted. Without this a restart
 * (a crash under `Restart=on-failure`, a deploy) quietly resumed trading. The restored halt starts
 * a fresh cool-down; only POST /resume lifts it.
 */
export function persistedKillSwitch(ctx: DaemonContext): { sink: EventSink; restoredHalt(): HeliosEvent | null } {
  const dataDir = ctx.opts.dataDir;
  let inForce = readKillSwitch(dataDir);
  const sink: EventSink = {
    emit(event) {
      if (event.type === 'RISK_STATE' && event.market_id === undefined) follow(event.payload.state === 'HALTED', event.payload.reason, event.ts_ingest);
      ctx.sink.emit(event);
    },
  };
  const follow = (halted: boolean, reason: string | null, at: number) => {
    try {
      // The first record of a halt is kept: a restored halt reports again, and must not restamp it.
      if (halted && inForce === null) writeKillSwitch(dataDir, (inForce = { reason: reason ?? 'kill switch', since_ms: at }));
      if (!halted && inForce !== null) writeKillSwitch(dataDir, (inForce = null));
    } catch (err) {
      ctx.reportError('kill-switch', err);
    }
  };
  return {
    sink,
    restoredHalt() {
      const record = readKillSwitch(dataDir);
      if (record === null) return null;
      const since = record.since_ms > 0 ? new Date(record.since_ms).toISOString() : 'an unknown time';
      ctx.log.warn({ reason: record.reason, since }, 'kill switch still on from a previous session: trading starts halted until POST /resume');
      return ctx.events('trading').make('HALT', { scope: 'global', reason: `${record.reason} (restored: halted since ${since})` });
    },
  };
}
