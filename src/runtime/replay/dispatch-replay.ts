import type { HeliosConfig } from '../../config/schema.ts';
import { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import { readDispatchLog } from '../../adapters/storage/dispatch-log.ts';
import { EventFactory } from '../../domain/events/factory.ts';
import { ulidGenerator } from '../../domain/events/ids.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { seededRng } from '../../domain/util/random.ts';
import { isDecision } from '../trading/decision-recorder.ts';
import { TradingNode, type DecisionSummary } from '../trading/trading-node.ts';

export interface DispatchReplayOptions {
  config: Pick<HeliosConfig, 'trading' | 'risk' | 'execution'>;
  /** Dispatch logs, oldest session first (`listDispatchLogs`). */
  files: readonly string[];
  /** NDJSON of the decisions, every session in order (what `helios run --decisions-out` wrote). */
  out?: string;
  /** Where decisions are also published. */
  publish?: EventSink;
}

export interface DispatchReplaySummary {
  /** `torn_last_line`: the line number of a torn last line passed over (a killed writer), else null. */
  sessions: Array<{ session: number; file: string; records: number; errors: number; torn_last_line: number | null; summary: DecisionSummary }>;
  inputs: number;
  orders: number;
  fills: number;
}

/**
 * A daemon's trading run again, session by session: each node is rebuilt from its log's header
 * (start time, id seed, sequence base, markets) and fed the logged inputs in dispatch order on its
 * virtual clock, with the same timers. The decisions are the live ones, byte for byte.
 */
export async function replayDispatchLogs(o: DispatchReplayOptions): Promise<DispatchReplaySummary> {
  const out: DispatchReplaySummary = { sessions: [], inputs: 0, orders: 0, fills: 0 };
  for (const [i, file] of o.files.entries()) {
    const { header, records, tornLastLine } = await readDispatchLog(file);
    const clock = new VirtualClock(header.start_ms);
    let errors = 0;
    const node = new TradingNode({
      config: o.config,
      clock,
      sink: { emit: (e) => isDecision(e) && o.publish?.emit(e) },
      events: new EventFactory(clock, ulidGenerator(seededRng(header.ids_seed))),
      markets: header.markets,
      seqBase: header.seq_base,
      carried: header.carried,
      // As live: an input that fails is counted and skipped, the run goes on.
      onError: () => void errors++,
      decisionsOut: o.out ? { file: o.out, append: i > 0 } : undefined,
    });
    await node.start();
    for (const r of records) {
      if ('tick' in r) node.tick(r.tick);
      else node.emit(r.event);
    }
    const summary = await node.finish();
    out.sessions.push({ session: header.session, file, records: records.length, errors, torn_last_line: tornLastLine, summary });
    out.inputs += summary.inputs;
    out.orders += summary.orders;
    out.fills += summary.fills;
  }
  return out;
}
