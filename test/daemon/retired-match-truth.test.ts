import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { CHURN_LIFE_MS, marketChurn } from './support/market-churn.ts';

/**
 * The truth engine republishes every match it follows each `truth_engine.heartbeat_ms`. A match
 * whose last market retired leaves the universe: the truth runtime must stop following it, or a
 * daemon running for weeks heartbeats (and keeps a machine for) every match it ever traded. The
 * matches still followed are exactly the live ones; one whose market has not retired yet is kept.
 */
describe('truth over esports markets that left', () => {
  // The public sports socket, on loopback: it connects and stays quiet.
  let server: WebSocketServer;
  let url: string;
  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const c of server.clients) c.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('heartbeats only the matches of markets still live, from the retirement of a match\'s market on', { timeout: 60_000 }, async () => {
    const churn = await marketChurn({ truthWsUrl: url });
    const { ctx, clock } = churn;
    const heard: Array<{ at: number; match: string }> = [];
    ctx.sink.add({ emit: (e: HeliosEvent) => void (e.type === 'TRUTH_STATE' && e.match_id !== undefined && heard.push({ at: clock.now(), match: e.match_id })) });
    await churn.run(20);
    // Odd markets are esports moneylines, each of its own match; the earliest have retired by now.
    const retired = [...ctx.retiredMarkets].filter((id) => Number(id.slice(1)) % 2 === 1).map((id) => `x${id.slice(1)}`);
    expect(retired.length).toBeGreaterThanOrEqual(5);
    const live = ctx.liveMatches.map((m) => m.match_id).sort();
    expect(live.length).toBeGreaterThan(0);
    // Over the last market's life (several heartbeats), the matches heard are the live ones.
    const since = clock.now() - CHURN_LIFE_MS / 2;
    const recent = [...new Set(heard.filter((h) => h.at >= since).map((h) => h.match))].sort();
    expect(recent).toEqual(live);
    for (const m of retired) expect(recent).not.toContain(m);
    // Each retired match was heard while its market was live.
    for (const m of retired) expect(heard.some((h) => h.match === m)).toBe(true);
    await churn.stop();
  });
});
