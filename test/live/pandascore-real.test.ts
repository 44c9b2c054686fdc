import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PandascoreSource, pandascoreMatchSchema } from '../../src/adapters/esports/pandascore.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import type { SourceReport } from '../../src/domain/truth/report.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { json, startLoopback, type Loopback } from '../truth/loopback.ts';
import { defaultTruthConfig } from '../truth/support.ts';

const base = defaultTruthConfig().sources.pandascore;
const realPresent = requireSharedFixtures('real/match_de.json');
let server: Loopback | undefined;
let source: PandascoreSource | undefined;
afterEach(async () => {
  await source?.stop();
  await server?.close();
  source = server = undefined;
});

/** The source reading `body` as PandaScore's REST answer for match `id`, over loopback; its first report (or none). */
async function readThroughSource(id: string, body: unknown, outcomes: string[]): Promise<{ reports: SourceReport[]; source: PandascoreSource; log: string[] }> {
  server = await startLoopback((_req, _b, res) => json(res, body));
  const reports: SourceReport[] = [];
  const log: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => log.push(c.toString('utf8')));
  source = new PandascoreSource({
    config: { ...base, rest_url: server.http, ws_url: server.ws },
    token: 't', tier: 'B', staleMs: 60_000, clock: new VirtualClock(0), emit: (r) => reports.push(r), rng: seededRng(1),
    logger: createLogger({ destination: sink, format: 'json', level: 'warn' }),
  });
  source.watch({ match_id: 'm', outcomes, external_id: id });
  source.start();
  await vi.waitFor(() => expect(server!.requests.length).toBeGreaterThan(0));
  return { reports, source, log };
}

describe.skipIf(!realPresent)('PandaScore adapter on a real match object (shared fixtures real/match_de.json)', () => {
  const match = realPresent ? (JSON.parse(readFileSync(sharedFixture('real', 'match_de.json'), 'utf8')) as Record<string, unknown>) : {};

  it('passes the edge schema', () => {
    expect(pandascoreMatchSchema.safeParse(match).success).toBe(true);
  });

  it('reports the LCK final as finished 2–3, won by HLE, best of 5, through the REST path', async () => {
    const { reports } = await readThroughSource('1000450', match, ['Gen.G', 'HLE']);
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    expect(reports[0]).toMatchObject({ source: 'pandascore', status: 'finished', teams: ['Gen.G', 'HLE'], score: [2, 3], winner: 'HLE', result: 'win', game: { best_of: 5 }, source_ts: Date.parse('2024-09-08T11:24:36Z') });
  });
});

describe('PandaScore adapter on a synthetic copy-shaped match (test/fixtures/truth)', () => {
  const match = JSON.parse(readFileSync(new URL('../fixtures/truth/pandascore-match-finished.json', import.meta.url), 'utf8')) as Record<string, unknown>;

  it('reports the final with Polymarket\'s spelling of the teams', async () => {
    const { reports } = await readThroughSource('9000001', match, ['FaZe', 'illwill']);
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    expect(reports[0]).toMatchObject({ status: 'finished', teams: ['FaZe', 'illwill'], score: [1, 2], winner: 'illwill', result: 'win', game: { best_of: 3, current: null } });
  });

  it('refuses an answer that is not a match object, with the reason logged, instead of reporting "not started"', async () => {
    const { reports, source: s, log } = await readThroughSource('9000001', { id: '9000001', status: 3, opponents: 'FaZe vs ILL' }, ['FaZe', 'illwill']);
    await vi.waitFor(() => expect(s.malformedAnswers).toBe(1));
    expect(reports).toEqual([]);
    await vi.waitFor(() => expect(log.join('')).toContain('pandascore answer refused'));
    expect(log.join('')).toMatch(/opponents/);
  });
});
