import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { GammaClient } from '../../src/adapters/polymarket/gamma-client.ts';
import { loadConfig } from '../../src/config/load.ts';
import { selectOperatingSet, parseGammaEvent, type OperatingSetDiff } from '../../src/domain/discovery/index.ts';
import { DiscoveryScanner, scannerPolicy } from '../../src/runtime/discovery/scanner.ts';
import { GammaStandIn } from './gamma-stand-in.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
type Raw = Record<string, unknown> & { markets: Array<Record<string, unknown>> };
const nyc = (): Raw => (JSON.parse(readFileSync(path.join(HERE, '../fixtures/market/gamma-event-nyc-highest-2026-06-12.json'), 'utf8')) as Raw[])[0]!;
const match = (): Raw => JSON.parse(readFileSync(path.join(HERE, '../fixtures/discovery/gamma-event-cs2-match.json'), 'utf8')) as Raw;

describe('DiscoveryScanner against a loopback Gamma', () => {
  const gamma = new GammaStandIn();
  const clock = new SystemClock();
  let client: GammaClient;
  beforeAll(async () => {
    await gamma.start();
    client = new GammaClient({ baseUrl: gamma.url, clock, rateLimit: { max: 100, windowMs: 1000 }, timeoutMs: 5000 });
  });
  afterAll(async () => {
    client.close();
    await gamma.stop();
  });

  function scanner(over: Record<string, unknown> = {}) {
    const { config } = loadConfig({ env: {}, overrides: { 'discovery.gamma_url': gamma.url, 'discovery.poll_interval_ms': 600_000, 'discovery.min_scan_spacing_ms': 0, 'discovery.esports.games': ['cs2'], 'discovery.temperature.cities': [], ...over } });
    const diffs: OperatingSetDiff[] = [];
    const errors: string[] = [];
    const s = new DiscoveryScanner({ gamma: client, config: config.discovery, policy: scannerPolicy(config), clock, onChange: (d) => diffs.push(d), onRefused: () => {}, onError: (what, err) => errors.push(`${what}: ${(err as Error).message}`) });
    return { s, diffs, errors };
  }

  it('scans at once when asked (the market channel saw a new market), between poll intervals', async () => {
    gamma.events.length = 0;
    const { s, diffs } = scanner();
    const first = await s.start();
    expect(first).toMatchObject({ held: 0, added: 0 });
    gamma.events.push(match());
    s.requestScan();
    s.requestScan();
    await vi.waitFor(() => expect(diffs.flatMap((d) => d.added.map((m) => m.condition_id))).toEqual(['0x4000000000000000000000000000000000000000000000000000000000000001']));
    s.stop();
  });

  it('learns a held market resolved from /markets by condition id once its event is no longer listed', async () => {
    gamma.events.length = 0;
    const e = nyc();
    const held = selectOperatingSet({ events: [parseGammaEvent(e)], markets: [] }, { any_event: true, temperature: { cities: [], metrics: [], judge_days_ahead: 0, station_tz: { KLGA: 'America/New_York' } }, esports: { games: [], leagues: [] }, event_slugs: [], condition_ids: [], min_liquidity: 0, min_volume: 0 }, 0).markets;
    const winner = e.markets.find((m) => m.groupItemTitle === '84-85°F')!;
    Object.assign(winner, { closed: true, outcomePrices: '["1", "0"]' });
    // Yesterday's event is not asked for any more; its markets are still served by condition id.
    gamma.events.push({ ...e, slug: 'unlisted', tags: [] });
    const { s, diffs } = scanner({ 'discovery.esports.games': [] });
    s.adopt(held);
    const report = await s.start();
    s.stop();
    expect(report).toMatchObject({ resolved: 1, held: 10 });
    expect(gamma.requests.filter((r) => r.startsWith('/markets?'))).toHaveLength(1);
    expect(diffs.flatMap((d) => d.closed)).toMatchObject([{ market: { condition_id: winner.conditionId }, winning_token: JSON.parse(winner.clobTokenIds as string)[0] }]);
  });

  it('reports Gamma failing and keeps what it holds', async () => {
    gamma.failWith = 500;
    try {
      const { s, errors } = scanner();
      const report = await s.start();
      s.stop();
      expect(report.failed_requests).toBe(1);
      expect(errors[0]).toContain('GET /events?tag_slug=esports');
    } finally {
      gamma.failWith = null;
    }
  });
});

describe('config/live.example.yaml', () => {
  it('is a valid configuration whose scanner trades NYC on KLGA and CS2', () => {
    const { config } = loadConfig({ file: path.join(ROOT, 'config/live.example.yaml'), env: {} });
    const policy = scannerPolicy(config);
    expect(policy.temperature).toMatchObject({ cities: [{ city_slug: 'nyc', station: 'KLGA' }], station_tz: { KLGA: 'America/New_York' } });
    expect(policy.esports.games).toEqual(['cs2']);
    expect(config.execution.adapter).toBe('paper');
  });
});
