import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { GridSource } from '../../src/adapters/esports/grid.ts';
import type { SourceReport } from '../../src/domain/truth/report.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { json, startLoopback, type Loopback } from './loopback.ts';
import { defaultTruthConfig } from './support.ts';

const base = defaultTruthConfig().sources.grid;
let server: Loopback | undefined;
let source: GridSource | undefined;
afterEach(async () => {
  await source?.stop();
  await server?.close();
});

describe('GRID source against a loopback server', () => {
  it('polls series state, is terminal on finished&&valid, and revokes on grid-invalidated-series', async () => {
    let state: Record<string, unknown> = {
      valid: true, updatedAt: '2026-04-05T15:10:00Z', format: 'bo3', started: true, finished: false,
      teams: [{ name: 'FaZe Clan', won: false, score: 0 }, { name: 'ILLWILL', won: false, score: 0 }], games: [{ started: true, finished: false }],
    };
    server = await startLoopback((_req, _body, res) => json(res, { data: { seriesState: state } }));
    const clock = new VirtualClock(Date.UTC(2026, 3, 5, 15, 10));
    const reports: SourceReport[] = [];
    source = new GridSource({
      config: { ...base, series_state_url: `${server.http}/graphql`, series_events_url: `${server.ws}/events`, poll_ms: 5000, rate_limit: { max: 2, window_ms: 60_000 } },
      apiKey: 'grid-key', tier: 'A', staleMs: 30_000, clock, emit: (r) => reports.push(r), rng: seededRng(1),
    });
    source.watch({ match_id: 'm', outcomes: ['FaZe', 'illwill'], external_id: '2701' });
    source.start();

    await vi.waitFor(() => expect(reports).toHaveLength(1));
    expect(reports[0]).toMatchObject({ source: 'grid', tier: 'A', status: 'running', teams: ['FaZe', 'illwill'], score: [0, 0], game: { current: 1, best_of: 3 } });
    const req = server.requests[0]!;
    expect(req.headers['x-api-key']).toBe('grid-key');
    expect(JSON.parse(req.body)).toMatchObject({ variables: { id: '2701' } });

    state = { ...state, finished: true, teams: [{ name: 'FaZe Clan', won: true, score: 2 }, { name: 'ILLWILL', won: false, score: 0 }] };
    clock.advanceBy(5000);
    await vi.waitFor(() => expect(reports).toHaveLength(2));
    expect(reports[1]).toMatchObject({ status: 'finished', winner: 'FaZe', result: 'win' });

    // The third poll exceeds 2 requests a minute: it waits on the limiter until the window frees up.
    clock.advanceBy(5000);
    expect(source.limiter.queued()).toBe(1);
    expect(server.requests).toHaveLength(2);
    clock.advanceTo(Date.UTC(2026, 3, 5, 15, 11));
    await vi.waitFor(() => expect(reports).toHaveLength(3));

    await vi.waitFor(() => expect(server!.sockets).toHaveLength(1));
    expect(server.sockets[0]!.url).toBe('/events/2701');
    expect(server.sockets[0]!.headers['x-api-key']).toBe('grid-key');
    state = { ...state, valid: false };
    server.sockets[0]!.socket.send(JSON.stringify({ id: 'e1', seriesId: '2701', events: [{ type: 'grid-invalidated-series' }] }));
    await vi.waitFor(() => expect(reports.some((r) => r.status === 'invalidated')).toBe(true));
    expect(reports.find((r) => r.status === 'invalidated')).toMatchObject({ teams: ['FaZe', 'illwill'], winner: null });
  });

  it('survives GraphQL errors without reporting', async () => {
    server = await startLoopback((_req, _body, res) => json(res, { errors: [{ message: 'not found' }] }));
    const clock = new VirtualClock(0);
    const reports: SourceReport[] = [];
    source = new GridSource({
      config: { ...base, series_state_url: `${server.http}/graphql`, series_events_url: `${server.ws}/events` },
      apiKey: 'k', tier: 'A', staleMs: 30_000, clock, emit: (r) => reports.push(r), rng: seededRng(1),
    });
    source.watch({ match_id: 'm', outcomes: ['A', 'B'], external_id: '1' });
    source.start();
    await vi.waitFor(() => expect(server!.requests).toHaveLength(1));
    // The next poll is armed only once the first answer was handled, which the server's count does
    // not show: a single advance made before that (a loaded machine) would leave the poll unarmed.
    await vi.waitFor(() => {
      if (server!.requests.length < 2) clock.advanceBy(base.poll_ms);
      expect(server!.requests.length).toBeGreaterThanOrEqual(2);
    });
    expect(reports).toEqual([]);
  });
});
