import { describe, expect, it } from 'vitest';
import { feed, inputFactory, marketLife, node, T0 } from './retirement-support.ts';

/**
 * A resolved market retires only once none of its fills awaits its CONFIRMED/FAILED. An answer that
 * never reaches the market (lost on its way: the market actor restarting, a dropped socket message)
 * held it, its books and topics for the life of the process. Reconciliation now asks the venue for
 * such a fill's answer; one still unanswered `trading.resolved_fill_answer_timeout_ms` after the
 * resolution raises one critical FILL_UNANSWERED and is kept as matched, the market retired with it.
 */
const ANSWER_TIMEOUT_MS = 60_000;

/** m0 resolved with fills matched, their CONFIRMED lost on the way to the runtime (paper confirms 2 s after a match). */
async function resolvedWithLostAnswers(opts: { venueAnswers: boolean }) {
  const r = node(0, { tune: (cfg) => (cfg.trading.resolved_fill_answer_timeout_ms = ANSWER_TIMEOUT_MS) });
  const paper = r.node.paper!;
  let lose = false;
  const subscribe = paper.subscribe.bind(paper);
  paper.subscribe = (listener) => subscribe((e) => (lose && e.kind === 'fill' && e.fill.status === 'CONFIRMED' ? undefined : listener(e)));
  if (!opts.venueAnswers) paper.fillAnswers = async () => [];
  await r.node.start();
  const input = inputFactory();
  const life = marketLife(input.events, input.clock, 0, T0 + 1_000);
  const firstFill = T0 + 10_000 + 100;
  await feed(r.node, life.filter((i) => (i.kind === 'tick' ? i.t : i.event.ts_ingest) <= firstFill));
  const pending = Object.keys(r.node.runtime.marketSnapshot('m0')!.context.ledger.pending).sort();
  expect(pending.length).toBeGreaterThan(0);
  lose = true;
  const resolution = inputFactory(firstFill + 10, 6);
  await feed(r.node, [{ kind: 'event', event: resolution.events.make('MARKET_RESOLVED', { winning_token_id: 'Y0', winning_outcome: null }, { market_id: 'm0' }) }]);
  expect(r.node.runtime.marketSnapshot('m0')!.state).toBe('RESOLVED');
  const resolvedAt = r.clock.now();
  // The venue confirmed them (2 s); the runtime never heard it.
  await feed(r.node, [{ kind: 'tick', t: resolvedAt + 3_000 }]);
  expect(Object.keys(r.node.runtime.marketSnapshot('m0')!.context.ledger.pending).sort()).toEqual(pending);
  return { ...r, pending, resolvedAt };
}

const alerts = (r: Awaited<ReturnType<typeof resolvedWithLostAnswers>>, code: string) =>
  r.sink.events.flatMap((e) => (e.type === 'ALERT' && e.payload.code === code ? [{ ...e.payload, market_id: e.market_id, ts: e.ts_ingest }] : []));

describe('a resolved market whose fill never hears its answer', () => {
  it('asks the venue at reconciliation, applies the answer it kept and retires the market', async () => {
    const r = await resolvedWithLostAnswers({ venueAnswers: true });
    const pnlBefore = r.node.runtime.totalNetPnl();
    // The next reconciliation (every 10 s) reads the answers again.
    await feed(r.node, [{ kind: 'tick', t: r.resolvedAt + 15_000 }]);
    expect(r.node.runtime.marketIds()).toEqual([]);
    expect(alerts(r, 'FILL_UNANSWERED')).toEqual([]);
    expect(alerts(r, 'MARKET_RETIRED')).toMatchObject([{ severity: 'info', market_id: 'm0' }]);
    expect(r.node.runtime.marketPnl('m0').realized).toBeGreaterThan(0);
    expect(r.node.runtime.totalNetPnl()).toBeCloseTo(pnlBefore, 9);
    r.node.runtime.stop();
  });

  it('raises one critical FILL_UNANSWERED naming the fills at resolved_fill_answer_timeout_ms, keeps them as matched and retires the market flagged', async () => {
    const r = await resolvedWithLostAnswers({ venueAnswers: false });
    const pnlBefore = r.node.runtime.totalNetPnl();
    await feed(r.node, [{ kind: 'tick', t: r.resolvedAt + ANSWER_TIMEOUT_MS - 1_000 }]);
    expect(r.node.runtime.marketIds()).toEqual(['m0']);
    expect(alerts(r, 'FILL_UNANSWERED')).toEqual([]);
    await feed(r.node, [{ kind: 'tick', t: r.resolvedAt + ANSWER_TIMEOUT_MS + 15_000 }]);
    const unanswered = alerts(r, 'FILL_UNANSWERED');
    expect(unanswered).toHaveLength(1);
    expect(unanswered[0]).toMatchObject({ severity: 'critical', market_id: 'm0' });
    expect(unanswered[0]!.ts).toBeGreaterThanOrEqual(r.resolvedAt + ANSWER_TIMEOUT_MS);
    for (const id of r.pending) expect(unanswered[0]!.message).toContain(id);
    expect(r.node.runtime.marketIds()).toEqual([]);
    const retired = alerts(r, 'MARKET_RETIRED');
    expect(retired).toMatchObject([{ severity: 'warn', market_id: 'm0' }]);
    expect(retired[0]!.message).toContain('never answered');
    // Counted as matched: the money stays in the totals as the market last showed it.
    expect(r.node.runtime.totalNetPnl()).toBeCloseTo(pnlBefore, 9);
    expect(r.node.runtime.marketPnl('m0').realized).toBeGreaterThan(0);
    r.node.runtime.stop();
  });
});
