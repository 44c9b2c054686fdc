import { Counter, Gauge, type Registry } from 'prom-client';

/** What the real execution adapter counts, read at each scrape. */
export interface ExecutionCounters {
  placed: number;
  rejected: number;
  in_flight: number;
  heartbeat_misses: number;
  reconcile_breaks: number;
  fail_closed: number;
}

/**
 * The real venue's counters as Prometheus series. They are read from the adapter when scraped
 * (it keeps the counts; a second tally here could drift from it), counters advancing by the
 * difference since the last scrape.
 */
export function registerExecutionMetrics(registry: Registry, read: () => ExecutionCounters): void {
  let last: ExecutionCounters | null = null;
  const current = (): ExecutionCounters => (last = read());
  const counter = (name: string, help: string, key: Exclude<keyof ExecutionCounters, 'in_flight'>) => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const v = (last ?? current())[key];
        if (v > seen) this.inc(v - seen);
        seen = Math.max(seen, v);
      },
    });
  };
  new Gauge({
    name: 'execution_orders_in_flight',
    help: 'real orders sent and not yet settled by an answer, the user channel or a venue read',
    registers: [registry],
    collect() {
      // The first series of a scrape reads the adapter once; the others reuse that reading.
      this.set(current().in_flight);
    },
  });
  counter('execution_orders_placed_total', 'real orders accepted by the venue or held in flight', 'placed');
  counter('execution_orders_rejected_total', 'real orders refused, locally or by the venue', 'rejected');
  counter('execution_heartbeat_misses_total', 'venue heartbeats that failed', 'heartbeat_misses');
  counter('execution_reconcile_breaks_total', 'reconciliations that found venue orders helios did not place', 'reconcile_breaks');
  counter('execution_fail_closed_total', 'times real execution failed closed (no new orders, cancel-all, global HALT)', 'fail_closed');
}
