import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FillAnswer } from '../../src/adapters/execution/execution-adapter.ts';
import { carriedOf, readPaperState, writePaperState } from '../../src/adapters/storage/paper-state-file.ts';
import { feed, inputFactory, marketLife, marketSpec, node, T0 } from './retirement-support.ts';

/**
 * A live market's fill whose CONFIRMED/FAILED never reached it (lost on its way) counted as MATCHED
 * until the market resolved, hours or days later, though a MATCHED trade can still FAIL at the venue.
 * Reconciliation now asks the venue about a live market's fill pending past
 * `execution.reconcile.fill_answer_after_ms`, again at most once per interval, and a bounded few per run.
 */
const AFTER_MS = 30_000;
const INTERVAL_MS = 10_000;
/** The first reconciliation (every 10 s from T0) at least AFTER_MS after the one that first saw the fills pending (T0 + 20 s). */
const ASKED_AT = T0 + 20_000 + AFTER_MS;

/** m0 live with pairs matched at T0 + 10.05 s and 10.15 s; every answer the paper venue sends is lost on its way to the runtime. */
async function liveWithLostAnswers(opts: { failed?: boolean; maxPerPass?: number; venueAnswers?: boolean; timeoutMs?: number; retentionMs?: number } = {}) {
  const r = node(opts.retentionMs ?? 86_400_000, {
    tune: (cfg) => {
      cfg.execution.reconcile.fill_answer_after_ms = AFTER_MS;
      if (opts.timeoutMs) cfg.execution.reconcile.fill_answer_timeout_ms = opts.timeoutMs;
      if (opts.maxPerPass) cfg.execution.reconcile.fill_answer_max_per_reconcile = opts.maxPerPass;
      if (opts.failed) cfg.execution.paper.fail_probability = 1;
    },
  });
  const paper = r.node.paper!;
  const subscribe = paper.subscribe.bind(paper);
  paper.subscribe = (listener) => subscribe((e) => (e.kind === 'fill' && e.fill.status !== 'MATCHED' ? undefined : listener(e)));
  const asked: Array<{ at: number; ids: string[] }> = [];
  const answers = paper.fillAnswers.bind(paper);
  paper.fillAnswers = async (ids: readonly string[]): Promise<FillAnswer[]> => {
    asked.push({ at: r.clock.now(), ids: [...ids] });
    return opts.venueAnswers === false ? [] : answers(ids);
  };
  await r.node.start();
  const input = inputFactory();
  const firstFill = T0 + 10_000 + 100;
  await feed(r.node, marketLife(input.events, input.clock, 0, T0 + 1_000).filter((i) => (i.kind === 'tick' ? i.t : i.event.ts_ingest) <= firstFill));
  const pending = () => Object.keys(r.node.runtime.marketSnapshot('m0')!.context.ledger.pending).sort();
  const tickTo = (t: number) => feed(r.node, [{ kind: 'tick', t }]);
  // Its two pairs matched by T0 + 10.15 s.
  await tickTo(T0 + 11_000);
  const matched = pending();
  expect(matched.length).toBeGreaterThanOrEqual(2);
  const shares = () => Object.values(r.node.runtime.marketSnapshot('m0')!.context.ledger.lots).reduce((s, l) => s + l.shares, 0);
  return { ...r, matched, pending, tickTo, shares, asked };
}

describe('a live market whose fill never hears its answer', () => {
  it('is asked of the venue once it has been pending fill_answer_after_ms; the CONFIRMED it kept reaches the market', async () => {
    const r = await liveWithLostAnswers();
    const sharesMatched = r.shares();
    // The venue confirmed them 2 s after the match; the market still counts them as matched. The
    // reconciliation at T0 + 20 s first saw them pending: the one AFTER_MS later asks, at its tick.
    await r.tickTo(ASKED_AT - 1);
    expect(r.pending()).toEqual(r.matched);
    expect(r.asked.filter((a) => a.ids.length)).toEqual([]);
    await r.tickTo(ASKED_AT);
    expect(r.asked.filter((a) => a.ids.length)).toEqual([{ at: ASKED_AT, ids: r.matched }]);
    expect(r.pending()).toEqual([]);
    expect(r.node.runtime.marketSnapshot('m0')!.state).not.toBe('RESOLVED');
    expect(r.shares()).toBeCloseTo(sharesMatched, 9);
    r.node.runtime.stop();
  });

  it('a FAILED the venue kept takes the fills back (their fees with them) while the market still trades', async () => {
    const r = await liveWithLostAnswers({ failed: true });
    await r.tickTo(ASKED_AT - 1);
    // Reconciliation found the venue without their shares and rebuilt those; the fills still count as matched, their fees charged.
    expect(r.shares()).toBeCloseTo(0, 9);
    expect(r.pending()).toEqual(r.matched);
    expect(r.node.runtime.marketPnl('m0').fees).toBeGreaterThan(0);
    await r.tickTo(ASKED_AT);
    expect(r.pending()).toEqual([]);
    expect(r.node.runtime.marketSnapshot('m0')!.state).not.toBe('RESOLVED');
    expect(r.shares()).toBeCloseTo(0, 9);
    expect(r.node.runtime.marketPnl('m0')).toMatchObject({ fees: 0, net: 0 });
    r.node.runtime.stop();
  });

  it('asks at most fill_answer_max_per_reconcile fills a reconciliation, and re-asks one still unanswered at most once an interval', async () => {
    const r = await liveWithLostAnswers({ maxPerPass: 1, venueAnswers: false });
    const end = ASKED_AT + 6 * INTERVAL_MS;
    await r.tickTo(end);
    // A reconciliation started by hand right after a timed one asks nothing again.
    await r.node.runtime.reconcile();
    const live = r.asked.filter((a) => a.ids.length);
    expect(live.length).toBeGreaterThanOrEqual(4);
    for (const a of live) expect(a.ids).toHaveLength(1);
    for (const id of r.matched) {
      const times = live.filter((a) => a.ids.includes(id)).map((a) => a.at);
      expect(times.length).toBeGreaterThanOrEqual(2);
      for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeGreaterThanOrEqual(INTERVAL_MS);
    }
    // None asked before it had been pending for AFTER_MS (first seen by the reconciliation after the match).
    expect(Math.min(...live.map((a) => a.at))).toBe(ASKED_AT);
    expect(r.pending()).toEqual(r.matched);
    r.node.runtime.stop();
  });

  it('replays the same: the ask and its answer fall on the same instants however often the replay feeds ticks', async () => {
    const runs = [];
    for (const step of [0, 700]) {
      const r = await liveWithLostAnswers();
      const end = ASKED_AT + 3 * INTERVAL_MS;
      for (let t = T0 + 11_000 + step; step && t < end; t += step) await r.tickTo(t);
      await r.tickTo(end);
      runs.push({ asked: r.asked.filter((a) => a.ids.length), ledger: r.node.runtime.marketSnapshot('m0')!.context.ledger, events: r.sink.events.map((e) => [e.type, e.ts_ingest, e.market_id, e.payload]) });
      r.node.runtime.stop();
    }
    expect(runs[0]!.asked).toEqual([{ at: ASKED_AT, ids: expect.any(Array) }]);
    expect(runs[1]).toEqual(runs[0]);
  });

  describe('and the venue never answers either', () => {
    const TIMEOUT_MS = 60_000;
    /** The first reconciliation at least TIMEOUT_MS after the one that first saw the fills pending (T0 + 20 s). */
    const GIVEN_UP_AT = T0 + 20_000 + TIMEOUT_MS;
    const unanswered = (r: Awaited<ReturnType<typeof liveWithLostAnswers>>) =>
      r.sink.events.flatMap((e) => (e.type === 'ALERT' && e.payload.code === 'FILL_UNANSWERED' ? [{ ...e.payload, market_id: e.market_id, ts: e.ts_ingest }] : []));
    const matchOf = (r: Awaited<ReturnType<typeof liveWithLostAnswers>>, fillId: string) =>
      r.sink.events.flatMap((e) => (e.type === 'FILL' && e.payload.fill_id === fillId ? [{ ...e.payload, token_id: e.token_id }] : []))[0]!;
    const orderOf = (r: Awaited<ReturnType<typeof liveWithLostAnswers>>, fillId: string) => matchOf(r, fillId).client_order_id;

    it('gives each fill up fill_answer_timeout_ms after it was first seen pending: one critical FILL_UNANSWERED naming it, its order and market, then never asks again; it stays as matched', async () => {
      const r = await liveWithLostAnswers({ venueAnswers: false, timeoutMs: TIMEOUT_MS });
      await r.tickTo(GIVEN_UP_AT - 1);
      expect(unanswered(r)).toEqual([]);
      const pnlBefore = r.node.runtime.marketPnl('m0');
      const sharesBefore = r.shares();
      await r.tickTo(GIVEN_UP_AT + 3_600_000);
      const alerts = unanswered(r);
      expect(alerts).toHaveLength(r.matched.length);
      for (const [i, id] of r.matched.entries()) {
        expect(alerts[i]).toMatchObject({ severity: 'critical', market_id: 'm0', ts: GIVEN_UP_AT });
        expect(alerts[i]!.message).toContain(`${id} (order ${orderOf(r, id)})`);
        expect(alerts[i]!.message).toContain('m0');
      }
      // Asked every interval until then, never after.
      const asks = r.asked.filter((a) => a.ids.length);
      expect(asks.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...asks.map((a) => a.at))).toBeLessThan(GIVEN_UP_AT);
      await r.node.runtime.reconcile();
      expect(r.asked.filter((a) => a.ids.length)).toEqual(asks);
      // Kept as matched: the ledger still holds them, the PnL as before.
      expect(r.pending()).toEqual(r.matched);
      expect(r.shares()).toBeCloseTo(sharesBefore, 9);
      expect(r.node.runtime.marketPnl('m0')).toEqual(pnlBefore);
      expect(r.node.runtime.marketSnapshot('m0')!.state).not.toBe('RESOLVED');
      r.node.runtime.stop();
    });

    it('is not waited for again when its market then resolves: no more asks, no second FILL_UNANSWERED at resolved_fill_answer_timeout_ms', async () => {
      const r = await liveWithLostAnswers({ venueAnswers: false, timeoutMs: TIMEOUT_MS });
      await r.tickTo(GIVEN_UP_AT);
      expect(unanswered(r)).toHaveLength(r.matched.length);
      const asks = r.asked.filter((a) => a.ids.length);
      const resolution = inputFactory(GIVEN_UP_AT + 10, 6);
      await feed(r.node, [{ kind: 'event', event: resolution.events.make('MARKET_RESOLVED', { winning_token_id: 'Y0', winning_outcome: null }, { market_id: 'm0' }) }]);
      expect(r.node.runtime.marketSnapshot('m0')!.state).toBe('RESOLVED');
      // Past the resolved market's answer wait (1 h): its fills given up while it was live are not told of again.
      await r.tickTo(GIVEN_UP_AT + 2 * 3_600_000);
      expect(unanswered(r)).toHaveLength(r.matched.length);
      expect(r.asked.filter((a) => a.ids.length)).toEqual(asks);
      r.node.runtime.stop();
    });

    it('does not hold its market back from retiring once it resolves: it leaves at its retention, not resolved_fill_answer_timeout_ms later', async () => {
      const r = await liveWithLostAnswers({ venueAnswers: false, timeoutMs: TIMEOUT_MS, retentionMs: 0 });
      await r.tickTo(GIVEN_UP_AT);
      expect(unanswered(r)).toHaveLength(r.matched.length);
      const resolvedAt = GIVEN_UP_AT + 10;
      const resolution = inputFactory(resolvedAt, 6);
      await feed(r.node, [{ kind: 'event', event: resolution.events.make('MARKET_RESOLVED', { winning_token_id: 'Y0', winning_outcome: null }, { market_id: 'm0' }) }]);
      expect(r.node.runtime.marketSnapshot('m0')!.state).toBe('RESOLVED');
      // Retention 0: it leaves once a reconciliation after its resolution has looked at the venue
      // (every 10 s), well within the resolved market's answer wait (1 h), which its fills had already run out of.
      await r.tickTo(resolvedAt + 5 * INTERVAL_MS);
      expect(r.retired.map((x) => x.market.spec.market_id)).toEqual(['m0']);
      expect(r.retired[0]!.at).toBeLessThan(resolvedAt + r.cfg.trading.resolved_fill_answer_timeout_ms);
      // Its MARKET_RETIRED names them as never answered, counted as matched; no second FILL_UNANSWERED.
      const retiredAlert = r.sink.events.find((e) => e.type === 'ALERT' && e.payload.code === 'MARKET_RETIRED');
      expect(retiredAlert?.payload).toMatchObject({ severity: 'warn', message: expect.stringContaining('never answered') });
      expect(unanswered(r)).toHaveLength(r.matched.length);
      r.node.runtime.stop();
    });

    it('is neither asked about nor told of again by the next session on the same data directory: the carried ledger holds it as matched, not as pending', async () => {
      const r = await liveWithLostAnswers({ venueAnswers: false, timeoutMs: TIMEOUT_MS });
      await r.tickTo(GIVEN_UP_AT);
      expect(unanswered(r)).toHaveLength(r.matched.length);
      const sharesBefore = r.shares();
      const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-unanswered-restart-'));
      try {
        writePaperState(dataDir, r.node.carry()!, r.clock.now(), { unanswered: r.node.runtime.unconfirmedAtCarry(), cleanStop: true });
        r.node.runtime.stop();
        const carried = carriedOf(readPaperState(dataDir)!);
        const restartAt = GIVEN_UP_AT + 1_000;
        const next = node(86_400_000, { startMs: restartAt, carried, markets: [{ spec: marketSpec(0), match_id: null, station_id: null }], tune: (cfg) => Object.assign(cfg.execution.reconcile, r.cfg.execution.reconcile) });
        const asked: string[][] = [];
        next.node.paper!.fillAnswers = async (ids: readonly string[]): Promise<FillAnswer[]> => {
          asked.push([...ids]);
          return [];
        };
        await next.node.start();
        // Past a whole answer wait of its own, reconciling every interval.
        await feed(next.node, [{ kind: 'tick', t: restartAt + 2 * TIMEOUT_MS + 3_600_000 }]);
        expect(next.sink.events.filter((e) => e.type === 'ALERT' && e.payload.code === 'FILL_UNANSWERED')).toEqual([]);
        expect(asked.filter((ids) => ids.length)).toEqual([]);
        const ledger = next.node.runtime.marketSnapshot('m0')!.context.ledger;
        expect(ledger.pending).toEqual({});
        expect(Object.values(ledger.lots).reduce((sum, l) => sum + l.shares, 0)).toBeCloseTo(sharesBefore, 9);
        next.node.runtime.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('a paper carry tells of the fills still awaiting their answer, each with its market, order and trade (to take one back by hand), but not of those given up (told of already)', async () => {
      const r = await liveWithLostAnswers({ venueAnswers: false, timeoutMs: TIMEOUT_MS });
      await r.tickTo(GIVEN_UP_AT - 1);
      const told = r.matched.map((id) => {
        const { client_order_id, token_id, side, size, price } = matchOf(r, id);
        return { market_id: 'm0', fill_id: id, client_order_id, token_id, side, size, price };
      });
      expect(r.node.runtime.unconfirmedAtCarry()).toEqual(told);
      await r.tickTo(GIVEN_UP_AT);
      expect(unanswered(r)).toHaveLength(r.matched.length);
      expect(r.node.runtime.unconfirmedAtCarry()).toEqual([]);
      r.node.runtime.stop();
    });

    it('replays the same on the virtual clock: the alerts and the asks at the same instants however often the replay feeds ticks', async () => {
      const runs = [];
      for (const step of [0, 700]) {
        const r = await liveWithLostAnswers({ venueAnswers: false, timeoutMs: TIMEOUT_MS });
        const end = GIVEN_UP_AT + 5 * INTERVAL_MS;
        for (let t = T0 + 11_000 + step; step && t < end; t += step) await r.tickTo(t);
        await r.tickTo(end);
        runs.push({ asked: r.asked.filter((a) => a.ids.length), alerts: unanswered(r) });
        r.node.runtime.stop();
      }
      expect(runs[0]!.alerts.length).toBeGreaterThan(0);
      expect(runs[0]!.alerts.every((a) => a.ts === GIVEN_UP_AT)).toBe(true);
      expect(runs[1]).toEqual(runs[0]);
    });
  });
});
