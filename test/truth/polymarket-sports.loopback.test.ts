import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PolymarketSportsSource } from '../../src/adapters/esports/polymarket-sports.ts';
import type { SourceReport } from '../../src/domain/truth/report.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { startLoopback, type Loopback } from './loopback.ts';
import { defaultTruthConfig } from './support.ts';

const base = defaultTruthConfig().sources.polymarket_sports;
let server: Loopback | undefined;
let source: PolymarketSportsSource | undefined;
afterEach(async () => {
  await source?.stop();
  await server?.close();
});

const result = (over: Record<string, unknown>) =>
  JSON.stringify({ gameId: 1427074, leagueAbbreviation: 'cs2', slug: 'cs2-faze-ill-2026-04-05', homeTeam: 'FaZe', awayTeam: 'illwill', status: 'InProgress', score: '000-000|1-0|Bo3', period: '2/3', live: true, ended: false, ...over });

describe('Polymarket sports source against a loopback server', () => {
  it('answers pings, reads sport_result for watched games, re-affirms on ping and stops re-affirming after a drop', async () => {
    server = await startLoopback((_req, _body, res) => res.end());
    const clock = new VirtualClock(0);
    const reports: SourceReport[] = [];
    source = new PolymarketSportsSource({
      config: { ...base, ws_url: `${server.ws}/ws`, reconnect_min_ms: 500, reconnect_max_ms: 500 },
      tier: 'B', staleMs: 30_000, clock, emit: (r) => reports.push(r), rng: seededRng(4),
    });
    source.watch({ match_id: 'm', outcomes: ['FaZe', 'illwill'], external_id: '1427074' });
    source.start();
    await vi.waitFor(() => expect(server!.sockets).toHaveLength(1));
    const ws = server.sockets[0]!;

    ws.socket.send('ping');
    await vi.waitFor(() => expect(ws.received).toEqual(['pong']));
    expect(reports).toEqual([]);

    ws.socket.send(result({ gameId: 1 }));
    ws.socket.send(result({}));
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    expect(reports[0]).toMatchObject({ source: 'polymarket_sports', match_id: 'm', status: 'running', score: [1, 0], game: { current: 2, best_of: 3 } });

    clock.advanceBy(5000);
    ws.socket.send('ping');
    await vi.waitFor(() => expect(reports).toHaveLength(2));
    expect(reports[1]).toMatchObject({ status: 'running', observed_at: 5000 });

    ws.socket.send(result({ status: 'finished', score: '000-000|2-0|Bo3', live: false, ended: true, finished_timestamp: '2026-04-05T19:37:33Z' }));
    await vi.waitFor(() => expect(reports).toHaveLength(3));
    expect(reports[2]).toMatchObject({ status: 'finished', winner: 'FaZe', result: 'win', source_ts: Date.parse('2026-04-05T19:37:33Z') });

    ws.socket.close(1001);
    await vi.waitFor(() => expect(clock.pendingTimers()).toBe(1));
    clock.advanceBy(500);
    await vi.waitFor(() => expect(server!.sockets).toHaveLength(2));
    const again = server.sockets[1]!;
    again.socket.send('ping');
    await vi.waitFor(() => expect(again.received).toEqual(['pong']));
    expect(reports).toHaveLength(3);
  });
});
