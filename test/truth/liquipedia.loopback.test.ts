import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { LiquipediaSource } from '../../src/adapters/esports/liquipedia.ts';
import type { SourceReport } from '../../src/domain/truth/report.ts';
import { startLoopback, type Loopback } from './loopback.ts';
import { defaultTruthConfig } from './support.ts';

const base = defaultTruthConfig().sources.liquipedia;
let server: Loopback | undefined;
let source: LiquipediaSource | undefined;
afterEach(async () => {
  await source?.stop();
  await server?.close();
});

const PAGES: Record<string, string> = {
  'HLC/Belgrade/Playoffs': '{{Match\n|opponent1={{TeamOpponent|faze|score=2}}\n|opponent2={{TeamOpponent|illwill|score=0}}\n|winner=1\n}}',
  'HLC/Belgrade/Final': '{{Match\n|opponent1={{TeamOpponent|big|score=}}\n|opponent2={{TeamOpponent|faze|score=}}\n}}',
};

describe('Liquipedia source against a loopback server', () => {
  it('confirms only on request, within the API terms: contact User-Agent, gzip, 1 parse per 30 s, cached pages', async () => {
    server = await startLoopback((req, _body, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = JSON.stringify({ parse: { title: url.searchParams.get('page'), wikitext: PAGES[url.searchParams.get('page') ?? ''] ?? '' } });
      if (!String(req.headers['accept-encoding']).includes('gzip')) {
        res.writeHead(406);
        res.end('gzip required');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(body));
    });
    const clock = new VirtualClock(0);
    const reports: SourceReport[] = [];
    source = new LiquipediaSource({
      config: { ...base, api_url: server.http, contact: 'ops@helios.invalid' },
      tier: 'C', clock, emit: (r) => reports.push(r),
    });
    source.watch({ match_id: 'semi', outcomes: ['FaZe', 'illwill'], external_id: 'counterstrike/HLC/Belgrade/Playoffs' });
    source.watch({ match_id: 'final', outcomes: ['BIG', 'FaZe'], external_id: 'counterstrike/HLC/Belgrade/Final' });
    source.start();
    expect(server.requests).toEqual([]);

    source.confirm('semi');
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    expect(reports[0]).toMatchObject({ source: 'liquipedia', tier: 'C', status: 'finished', winner: 'FaZe', teams: ['FaZe', 'illwill'], score: [2, 0] });
    const req = server.requests[0]!;
    expect(req.url).toMatch(/^\/counterstrike\/api\.php\?action=parse&format=json&formatversion=2&prop=wikitext&page=HLC%2FBelgrade%2FPlayoffs$/);
    expect(req.headers['user-agent']).toBe('helios-truth/0.1 (ops@helios.invalid)');

    // A second page must wait for the action=parse budget (1 per 30 s) on the virtual clock.
    source.confirm('final');
    expect(source.parseLimiter.queued()).toBe(1);
    expect(server.requests).toHaveLength(1);
    clock.advanceBy(29_999);
    expect(source.parseLimiter.queued()).toBe(1);
    clock.advanceBy(1);
    await vi.waitFor(() => expect(server!.requests).toHaveLength(2));
    // No result entered yet on the final's page: nothing to confirm, nothing reported.
    expect(reports).toHaveLength(1);

    // Within cache_ms the page is not fetched again.
    source.confirm('semi');
    await vi.waitFor(() => expect(reports).toHaveLength(2));
    expect(server.requests).toHaveLength(2);
  });

  it('keeps only the pages fetched within cache_ms: one past it is fetched again, and is not held once another is fetched', async () => {
    server = await startLoopback((req, _body, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ parse: { title: url.searchParams.get('page'), wikitext: PAGES[url.searchParams.get('page') ?? ''] ?? '' } })));
    });
    const clock = new VirtualClock(0);
    const reports: SourceReport[] = [];
    source = new LiquipediaSource({ config: { ...base, api_url: server.http, contact: 'ops@helios.invalid', parse_min_interval_ms: 1, min_interval_ms: 1 }, tier: 'C', clock, emit: (r) => reports.push(r) });
    source.watch({ match_id: 'semi', outcomes: ['FaZe', 'illwill'], external_id: 'counterstrike/HLC/Belgrade/Playoffs' });
    source.watch({ match_id: 'final', outcomes: ['BIG', 'FaZe'], external_id: 'counterstrike/HLC/Belgrade/Final' });
    source.start();
    source.confirm('semi');
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    clock.advanceBy(base.cache_ms - 1);
    source.confirm('final');
    await vi.waitFor(() => expect(server!.requests).toHaveLength(2));
    expect(source.pagesCached).toBe(2);
    // The semi's page is past cache_ms now, the final's not: fetching another drops the semi's.
    clock.advanceBy(1);
    source.confirm('semi');
    await vi.waitFor(() => expect(reports).toHaveLength(2));
    expect(server.requests).toHaveLength(3);
    expect(source.pagesCached).toBe(2);
    clock.advanceBy(base.cache_ms);
    source.confirm('final');
    await vi.waitFor(() => expect(server!.requests).toHaveLength(4));
    expect(source.pagesCached).toBe(1);
  });

  it('refuses to run without contact details', () => {
    expect(() => new LiquipediaSource({ config: { ...base, contact: ' ' }, tier: 'C', clock: new VirtualClock(0), emit: () => {} })).toThrow(/contact/);
  });
});
