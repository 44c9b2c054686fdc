import type { HeliosEvent } from '../events/catalog.ts';
import type { TradingSessionInputs } from './paper-fills.ts';
import { TokenSync } from './token-sync.ts';

interface OrderQuery {
  order_event_id: string;
  token_id: string;
  at_ms: number;
}

/**
 * For the journal's orders, whether the order's token was synced in what the trading node that
 * decided it had consumed by then: the referee's rule (TokenSync) applied to the node's inputs in
 * dispatch order (its dispatch log), keyed by the ORDER_UPDATE's event id. The journal alone
 * cannot tell: it holds what the feed published, and a resync published before an order may still
 * have been on its way to the node (the bus, or later in the batch the node was consuming).
 *
 * An order decided on an input (its causation id names it) saw every input up to and including that
 * one; one decided between inputs (a timer: no causation id) saw those before the first input whose
 * time reached its own, in the latest node life built by then (the node fires due timers before
 * applying an input). Orders the logs cannot place (a cause a killed process's log lost, a timer
 * after a log's end) are absent.
 */
export function nodeBookSyncAtOrders(records: readonly { event: HeliosEvent }[], sessions: readonly TradingSessionInputs[]): Map<string, boolean> {
  const ordered = [...sessions].sort((a, b) => a.start_ms - b.start_ms || a.session - b.session);
  const byCause = new Map<string, OrderQuery[]>();
  const timersBySession = ordered.map(() => [] as OrderQuery[]);
  for (const { event: e } of records) {
    if (e.type !== 'ORDER_UPDATE' || !e.token_id) continue;
    const query = { order_event_id: e.event_id, token_id: e.token_id, at_ms: e.ts_ingest };
    if (e.causation_id) {
      const list = byCause.get(e.causation_id) ?? [];
      list.push(query);
      byCause.set(e.causation_id, list);
      continue;
    }
    let life = -1;
    for (let k = 0; k < ordered.length && ordered[k]!.start_ms <= e.ts_ingest; k++) life = k;
    if (life >= 0) timersBySession[life]!.push(query);
  }
  const out = new Map<string, boolean>();
  ordered.forEach((session, i) => {
    const books = new TokenSync();
    const timers = timersBySession[i]!.sort((a, b) => a.at_ms - b.at_ms);
    let next = 0;
    let clock = session.start_ms;
    for (const input of session.inputs) {
      clock = Math.max(clock, 'tick' in input ? input.tick : input.event.ts_ingest);
      for (; next < timers.length && timers[next]!.at_ms <= clock; next++) out.set(timers[next]!.order_event_id, books.isSynced(timers[next]!.token_id));
      if ('tick' in input) continue;
      books.observe(input.event);
      for (const q of byCause.get(input.event.event_id) ?? []) out.set(q.order_event_id, books.isSynced(q.token_id));
    }
  });
  return out;
}
