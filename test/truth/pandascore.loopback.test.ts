import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PandascoreSource } from '../../src/adapters/esports/pandascore.ts';
import type { SourceReport } from '../../src/domain/truth/report.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { json, startLoopback, type Loopback } from './loopback.ts';
import { defaultTruthConfig } from './support.ts';

const base = defaultTruthConfig().sources.pandascore;
let server: Loopback | undefined;
let source: PandascoreSource | undefined;
afterEach(async () => {
  await source?.stop();
  await server?.close();
});

const opponents = [
  { opponent: { id: 10, name: 'FaZe Clan', acronym: 'FaZe' } },
  { opponent: { id: 20, name: 'ILLWILL', acronym: 'ILL' } },
];

describe('PandaScore source against a loopback server', () => {
  it('a socket close with code 1000 only triggers a REST confirmation, which decides the final', async () => {
    let match: Record<string, unknown> = { id: 555, status: 'not_started', opponents, results: [], number_of_games: 3, winner_id: null };
    server = await startLoopback((_req, _body, res) => json(res, match, { 'x-rate-limit-remaining': '998' }));
    const clock = new VirtualClock(0);
    const reports: SourceReport[] = [];
    source = new PandascoreSource({
      config: { ...base, rest_url: server.http, ws_url: server.ws },
      token: 'ps-token', tier: 'B', staleMs: 60_000, clock, emit: (r) => reports.push(r), rng: seededRng(2),
    });
    source.watch({ match_id: 'm', outcomes: ['FaZe', 'illwill'], external_id: '555' });
    source.start();

    await vi.waitFor(() => expect(reports).toHaveLength(1));
    expect(reports[0]).toMatchObject({ source: 'pandascore', status: 'not_started', teams: ['FaZe', 'illwill'] });
    expect(server.requests[0]).toMatchObject({ url: '/matches/555' });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer ps-token');
    expect(source.remaining).toBe(998);
    await vi.waitFor(() => expect(server!.sockets).toHaveLength(1));
    const live = server.sockets[0]!;
    expect(live.url).toBe('/matches/555?token=ps-token');

    // A frame while REST still says not started: ask REST (once per frame_refresh_min_ms).
    match = { ...match, status: 'running', results: [{ team_id: 10, score: 1 }, { team_id: 20, score: 0 }] };
    live.socket.send(JSON.stringify({ type: 'hello' }));
    live.socket.send(JSON.stringify({ game: { id: 1 } }));
    await vi.waitFor(() => expect(reports).toHaveLength(2));
    expect(reports[1]).toMatchObject({ status: 'running', score: [1, 0] });

    // Frames while running re-affirm it without spending REST budget.
    const restCalls = server.requests.length;
    clock.advanceBy(1000);
    live.socket.send(JSON.stringify({ game: { id: 1 } }));
    await vi.waitFor(() => expect(reports).toHaveLength(3));
    expect(reports[2]).toMatchObject({ status: 'running', observed_at: 1000 });
    expect(server.requests).toHaveLength(restCalls);

    match = { ...match, status: 'finished', winner_id: 20, results: [{ team_id: 10, score: 1 }, { team_id: 20, score: 2 }] };
    live.socket.close(1000);
    await vi.waitFor(() => expect(reports.at(-1)).toMatchObject({ status: 'finished', winner: 'illwill', result: 'win', score: [1, 2] }));
    expect(source.confirmationsFor('m')).toBe(1);
    expect(server.requests).toHaveLength(restCalls + 1);
    // The match is over: no reconnect is scheduled (the only timer left is the REST poll).
    expect(clock.pendingTimers()).toBe(1);
    clock.advanceBy(base.reconnect_max_ms);
    expect(server.sockets).toHaveLength(1);
  });

  it('reconnects after an abnormal close and confirms over REST', async () => {
    const match = { id: 7, status: 'running', opponents, results: [], number_of_games: 3 };
    server = await startLoopback((_req, _body, res) => json(res, match));
    const clock = new VirtualClock(0);
    source = new PandascoreSource({
      config: { ...base, rest_url: server.http, ws_url: server.ws, reconnect_min_ms: 1000, reconnect_max_ms: 1000 },
      token: 't', tier: 'B', staleMs: 60_000, clock, emit: () => {}, rng: seededRng(3),
    });
    source.watch({ match_id: 'm', outcomes: ['FaZe', 'illwill'], external_id: '7' });
    source.start();
    await vi.waitFor(() => expect(server!.sockets).toHaveLength(1));
    await vi.waitFor(() => expect(server!.requests).toHaveLength(1));
    server.sockets[0]!.socket.close(1011);
    await vi.waitFor(() => expect(source!.confirmationsFor('m')).toBe(1));
    await vi.waitFor(() => expect(server!.requests).toHaveLength(2));
    clock.advanceBy(1000);
    await vi.waitFor(() => expect(server!.sockets).toHaveLength(2));
  });
});
