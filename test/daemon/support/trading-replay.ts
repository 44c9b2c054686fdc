import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EventBus } from '../../../src/adapters/bus/event-bus.ts';
import { VirtualClock } from '../../../src/adapters/clock/virtual-clock.ts';
import type { HeliosConfig } from '../../../src/config/schema.ts';
import type { UniverseMarket } from '../../../src/domain/trading/universe.ts';
import { TradingNode } from '../../../src/runtime/trading/trading-node.ts';
import type { HeliosEvent } from '../../../src/domain/events/catalog.ts';
import { EventFactory } from '../../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../../src/domain/events/ids.ts';
import { seededRng } from '../../../src/domain/util/random.ts';

/** One recorded bus entry: the topic it was read from, its stream id, the event. */
export interface Recorded {
  topic: string;
  id: string;
  event: HeliosEvent;
}

/**
 * Everything retained on `topics` of a bus, read through a fresh consumer group from the start,
 * in one canonical order: ingest time, then topic, then stream position (per topic that is the
 * order every consumer sees; across topics no order exists, so one is fixed here).
 */
export async function readRecording(bus: EventBus, topics: string[], timeoutMs = 20_000): Promise<Recorded[]> {
  let expected = 0;
  for (const t of topics) expected += await bus.backlog(t);
  const out: Recorded[] = [];
  const sub = bus.subscribe({ group: `recording-${process.pid}-${Date.now()}`, consumer: 'reader', topics, start: 'earliest' });
  const deadline = Date.now() + timeoutMs;
  try {
    for await (const batch of sub) {
      for (const d of batch) out.push({ topic: d.topic, id: d.id, event: d.event });
      await sub.ack(batch);
      if (out.length >= expected || Date.now() > deadline) break;
    }
  } finally {
    await sub.close();
  }
  if (out.length < expected) throw new Error(`read ${out.length} of ${expected} retained entries`);
  const pos = (id: string) => id.split('-').map(Number) as [number, number];
  return out.sort((a, b) => {
    if (a.event.ts_ingest !== b.event.ts_ingest) return a.event.ts_ingest - b.event.ts_ingest;
    if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
    const [am, as] = pos(a.id);
    const [bm, bs] = pos(b.id);
    return am - bm || as - bs;
  });
}

/**
 * The daemon's trading unit (TradingNode: books mirrored from the bus, router, runtime, risk, paper
 * venue) for `markets`, fed the recording on a virtual clock: it receives exactly the entries of
 * the topics its subscription names, in recorded order; before each, time advances to the entry's
 * ingest time deadline by deadline, letting what each timer released settle. Returns its decisions.
 */
export async function replayTrading(config: HeliosConfig, markets: readonly UniverseMarket[], recording: readonly Recorded[], tailMs: number): Promise<HeliosEvent[]> {
  const first = recording[0]?.event.ts_ingest ?? 0;
  const clock = new VirtualClock(first - 1);
  const decisions: HeliosEvent[] = [];
  const errors: Error[] = [];
  const node = new TradingNode({
    config,
    clock,
    sink: { emit: (e) => decisions.push(e) },
    events: new EventFactory(clock, ulidGenerator(seededRng(1))),
    markets,
    onError: (err) => errors.push(err),
  });
  await node.start();
  await yieldToLoop();
  const topics = new Set(node.topics());
  for (const r of recording) {
    if (!topics.has(r.topic)) continue;
    await clock.advanceSettling(r.event.ts_ingest);
    node.router.route(r.event);
    await yieldToLoop();
  }
  await clock.advanceSettling(clock.now() + tailMs);
  node.runtime.stop();
  if (errors.length) throw errors[0];
  return decisions;
}


/**
 * A decision without what only names its process: event ids (a per-process generator) and the
 * paper venue's order ids (a per-venue counter, like any venue's own naming of our orders).
 */
export function comparable(e: HeliosEvent): string {
  const { event_id: _id, correlation_id: _c, causation_id: _k, ...rest } = e as HeliosEvent & { correlation_id?: string; causation_id?: string };
  const payload = { ...(rest.payload as Record<string, unknown>) };
  delete payload.venue_order_id;
  return JSON.stringify({ ...rest, payload });
}

/** Decisions per market, in emission order. */
export function byMarket(decisions: readonly HeliosEvent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of decisions) {
    if (!e.market_id) continue;
    const list = out.get(e.market_id) ?? [];
    list.push(comparable(e));
    out.set(e.market_id, list);
  }
  return out;
}
