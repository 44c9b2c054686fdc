import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise } from 'xstate';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { backoffDelayMs } from '../../src/domain/retry/backoff.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import {
  feedConnectionMachine,
  feedStatusOf,
  type FeedTimings,
  type ResyncOutput,
  type SocketCommand,
  type SocketSignal,
} from '../../src/machines/feed-connection/index.ts';

/**
 * The machine's timers on the virtual clock, deadline by deadline: PING cadence, the PONG
 * watchdog, the silent-freeze idle timeout and the reconnect backoff schedule.
 */

const timings: FeedTimings = {
  pingIntervalMs: 10_000,
  maxMissedPongs: 3,
  connectTimeoutMs: 10_000,
  subscribeTimeoutMs: 10_000,
  staleAfterMs: 20_000,
  idleTimeoutMs: 60_000,
  backoff: { initialMs: 1_000, maxMs: 60_000, multiplier: 2, jitter: 0.5 },
  maxReconnectAttempts: 0,
};

/** A socket that opens at once, subscribes on request and answers PING with PONG when told to. */
function rig(opts: { answerPings: boolean; open?: boolean; seed?: number; timings?: Partial<FeedTimings> }) {
  const clock = new VirtualClock(0);
  const pings: number[] = [];
  const opens: number[] = [];
  let send: ((e: SocketSignal) => void) | null = null;
  const machine = feedConnectionMachine.provide({
    actors: {
      marketSocket: fromCallback<SocketCommand, void, SocketSignal>(({ sendBack, receive }) => {
        opens.push(clock.now());
        send = sendBack;
        if (opts.open !== false) sendBack({ type: 'SOCKET_OPEN' });
        receive((cmd) => {
          if (cmd.type === 'SUBSCRIBE_ALL') sendBack({ type: 'SUBSCRIBED', assets: 5 });
          if (cmd.type === 'SEND_PING') {
            pings.push(clock.now());
            if (opts.answerPings) sendBack({ type: 'PONG' });
          }
        });
      }),
      bookResync: fromPromise<ResyncOutput>(async () => ({ resynced: 0, remaining: 0 })),
    },
  });
  const actor = createActor(machine, {
    input: { timings: { ...timings, ...opts.timings }, jitterSeed: opts.seed ?? 1 },
    clock,
  });
  actor.start();
  actor.send({ type: 'CONNECT' });
  return { clock, actor, pings, opens, signal: (e: SocketSignal) => send?.(e) };
}

describe('feed connection timers (virtual clock)', () => {
  it('sends a text PING every ping interval while pongs come back', () => {
    const r = rig({ answerPings: true });
    for (let t = 5_000; t <= 55_000; t += 5_000) {
      r.clock.advanceTo(t);
      r.signal({ type: 'DATA_SEEN' });
    }
    expect(r.pings).toEqual([10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('healthy');
  });

  it('gives up on a socket whose pings go unanswered, after max_missed_pongs intervals', () => {
    const r = rig({ answerPings: false });
    for (let t = 5_000; t < 40_000; t += 5_000) {
      r.clock.advanceTo(t);
      r.signal({ type: 'DATA_SEEN' });
    }
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('healthy');
    r.clock.advanceTo(40_000);
    const snap = r.actor.getSnapshot();
    expect(feedStatusOf(snap)).toBe('backoff');
    expect(snap.context.lastDisconnect?.reason).toBe('pong_timeout');
    expect(r.pings).toEqual([10_000, 20_000, 30_000]);
  });

  it('detects the silent freeze: pongs fine, no data → stale at stale_after, reconnect at idle_timeout', () => {
    const r = rig({ answerPings: true });
    r.clock.advanceTo(19_999);
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('healthy');
    r.clock.advanceTo(20_000);
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('stale');
    r.clock.advanceTo(59_999);
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('stale');
    r.clock.advanceTo(60_000);
    const snap = r.actor.getSnapshot();
    expect(feedStatusOf(snap)).toBe('backoff');
    expect(snap.context.lastDisconnect?.reason).toBe('idle_timeout');
    expect(r.pings.slice(0, 5)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000]);
  });

  it('data coming back turns stale into healthy and restarts the idle clock', () => {
    const r = rig({ answerPings: true });
    r.clock.advanceTo(30_000);
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('stale');
    r.signal({ type: 'DATA_SEEN' });
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('healthy');
    r.clock.advanceTo(49_999);
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('healthy');
    r.clock.advanceTo(50_000);
    expect(feedStatusOf(r.actor.getSnapshot())).toBe('stale');
  });

  it('backs off exponentially from 1 s to 60 s with seeded jitter, reconnecting after each delay', () => {
    // Sockets that never open: every attempt ends at the connect timeout.
    const r = rig({ answerPings: true, open: false, seed: 42 });
    const delays: number[] = [];
    let lastAttemptAt = 0;
    for (let i = 0; i < 9; i++) {
      r.clock.advanceTo(lastAttemptAt + timings.connectTimeoutMs);
      const snap = r.actor.getSnapshot();
      expect(feedStatusOf(snap)).toBe('backoff');
      expect(snap.context.lastDisconnect?.reason).toBe('connect_timeout');
      delays.push(snap.context.backoffMs);
      lastAttemptAt = r.clock.now() + snap.context.backoffMs;
      r.clock.advanceTo(lastAttemptAt);
      expect(feedStatusOf(r.actor.getSnapshot())).toBe('connecting');
    }
    const rng = seededRng(42);
    const expected = delays.map((_, i) => backoffDelayMs(i + 1, timings.backoff, rng()));
    expect(delays).toEqual(expected);
    delays.forEach((d, i) => {
      const ceiling = Math.min(60_000, 1_000 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(ceiling / 2);
      expect(d).toBeLessThanOrEqual(ceiling);
    });
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
    expect(delays.at(-1)!).toBeGreaterThanOrEqual(30_000);
    // The opens happened exactly when each backoff ran out.
    expect(r.opens.length).toBe(10);
  });

  it('the same seed gives the same schedule, another seed another one', () => {
    const schedule = (seed: number) => {
      const r = rig({ answerPings: true, open: false, seed });
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        r.clock.advanceBy(timings.connectTimeoutMs);
        out.push(r.actor.getSnapshot().context.backoffMs);
        r.clock.advanceBy(r.actor.getSnapshot().context.backoffMs);
      }
      return out;
    };
    expect(schedule(3)).toEqual(schedule(3));
    expect(schedule(3)).not.toEqual(schedule(4));
  });

  it('resets the attempt count once live, and fails after max_reconnect_attempts otherwise', () => {
    const live = rig({ answerPings: true, timings: { maxReconnectAttempts: 2 } });
    live.signal({ type: 'SOCKET_CLOSED', code: 1006, reason: '', fatal: false, largestBatch: 5 });
    expect(live.actor.getSnapshot().context.attempts).toBe(1);
    live.clock.advanceBy(live.actor.getSnapshot().context.backoffMs);
    expect(feedStatusOf(live.actor.getSnapshot())).toBe('healthy');
    expect(live.actor.getSnapshot().context.attempts).toBe(0);

    const dead = rig({ answerPings: true, open: false, timings: { maxReconnectAttempts: 2 } });
    for (let i = 0; i < 3; i++) {
      dead.clock.advanceBy(timings.connectTimeoutMs);
      if (i < 2) dead.clock.advanceBy(dead.actor.getSnapshot().context.backoffMs);
    }
    expect(feedStatusOf(dead.actor.getSnapshot())).toBe('failed');
    expect(dead.opens.length).toBe(3);
  });
});
