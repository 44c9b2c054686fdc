import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { runCli } from '../support/cli.ts';
import { readMarketCatalog } from '../../src/adapters/storage/market-catalog.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { temperatureEventSlug } from '../../src/domain/discovery/temperature-event.ts';
import { JudgeCalendar } from '../../src/domain/weather/judge-calendar.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import { journalRecords } from '../daemon/support/daemon-io.ts';
import { GammaStandIn } from './gamma-stand-in.ts';

/**
 * `helios run --live` against loopback stand-ins: Gamma (a small server serving synthetic events)
 * and the venue simulator as the CLOB. The daemon discovers today's NYC temperature event and a CS2
 * match, subscribes their tokens, syncs their books, runs one market actor per market, refuses a
 * malformed event without stopping, settles a bucket Gamma reports resolved, and reports Gamma
 * unreachable as a source error.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
type Raw = Record<string, unknown> & { markets: Array<Record<string, unknown>> };
const RETENTION_MS = 4_000;
const silent = () => createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });

/** The synthetic NYC event moved to today (New York's judge day): the scanner asks for today's slug. */
function todaysNycEvent(): Raw {
  const e = (JSON.parse(readFileSync(path.join(HERE, '../fixtures/market/gamma-event-nyc-highest-2026-06-12.json'), 'utf8')) as Raw[])[0]!;
  const today = new JudgeCalendar('America/New_York').dayOf(Date.now());
  e.slug = temperatureEventSlug({ metric: 'highest', city_slug: 'nyc', date: today, with_year: true });
  e.endDate = new Date(Date.now() + 86_400_000).toISOString();
  return e;
}

async function getJson(url: string): Promise<any> {
  const r = await fetch(url);
  // /health answers 503 while degraded (an outside source failing), with the same report.
  if (!url.endsWith('/health')) expect(r.status, url).toBe(200);
  return r.json();
}

describe('live mode discovery end to end (loopback Gamma and venue)', () => {
  const gamma = new GammaStandIn();
  let venue: VenueSimulator;
  let daemon: Daemon;
  let dataDir: string;
  const nyc = todaysNycEvent();
  const match = JSON.parse(readFileSync(path.join(HERE, '../fixtures/discovery/gamma-event-cs2-match.json'), 'utf8')) as Raw;
  /** Tomorrow's event (inside the judge-day window) with a bucket title no grammar reads. */
  const malformed = todaysNycEvent();
  malformed.slug = temperatureEventSlug({ metric: 'highest', city_slug: 'nyc', date: new JudgeCalendar('America/New_York').dayOf(Date.now() + 86_400_000), with_year: true });
  const tokensOf = (m: Record<string, unknown>) => JSON.parse(m.clobTokenIds as string) as [string, string];
  const moneyline = match.markets[0]!;
  const markets = [...nyc.markets, moneyline];

  beforeAll(async () => {
    gamma.events.push(nyc, match);
    const gammaUrl = await gamma.start();
    venue = new VenueSimulator({
      seed: 7,
      markets: markets.map((m) => {
        const [yes, no] = tokensOf(m);
        return { market: m.conditionId as string, yes, no, fair: 0.3, tick_size: 0.001, neg_risk: m.negRisk === true };
      }),
    });
    const endpoints = await venue.start();
    dataDir = mkdtempSync(path.join(tmpdir(), 'helios-live-discovery-'));
    const { config } = loadConfig({
      env: {},
      overrides: {
        'market_tape.ws_url': endpoints.wsUrl,
        'market_tape.rest_url': endpoints.restUrl,
        'discovery.gamma_url': gammaUrl,
        'discovery.poll_interval_ms': 1000,
        'discovery.min_scan_spacing_ms': 0,
        'discovery.esports.games': ['cs2'],
        // Nothing beyond loopback: METAR and the sports socket point at closed or stand-in ports.
        'weather.metar.awc_base_url': gammaUrl,
        'weather.nowcast.enabled': false,
        'truth_engine.sources.polymarket_sports.ws_url': 'ws://127.0.0.1:1/ws',
        // A settled market leaves the trading side within the test (24 h by default).
        'trading.resolved_market_retention_ms': RETENTION_MS,
      },
    });
    daemon = new Daemon({ config, secrets: {}, logger: silent(), mode: 'live', speed: 1, dataDir, inspect: false, apiPort: 0, decisionsOut: path.join(dataDir, 'live-decisions.ndjson') });
    await daemon.start();
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
    await venue?.stop();
    await gamma.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('discovers the markets, subscribes them, syncs their books and runs one market actor each', { timeout: 30_000 }, async () => {
    const ids = markets.map((m) => m.conditionId as string).sort();
    const listed = await vi.waitFor(
      async () => {
        const rows = (await getJson(`${daemon.url}/markets`)) as Array<{ market_id: string; state: string | null; fair_source: string; station_id: string | null; match_id: string | null }>;
        expect(rows.map((r) => r.market_id).sort()).toEqual(ids);
        expect(rows.every((r) => r.state !== null)).toBe(true);
        return rows;
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(listed.filter((r) => r.fair_source === 'nowcast' && r.station_id === 'KLGA')).toHaveLength(11);
    expect(listed.filter((r) => r.fair_source === 'truth' && r.match_id === 'pm:cs2-faze-ill-2026-06-12')).toHaveLength(1);
    await vi.waitFor(() => expect(daemon.summary()).toMatchObject({ markets: 12, tokens_synced: 24 }), { timeout: 20_000, interval: 200 });
    const yes = tokensOf(moneyline)[0];
    const book = await getJson(`${daemon.url}/books?token_id=${yes}`);
    expect(JSON.stringify(book)).toContain(yes);
    const catalog = await vi.waitFor(async () => {
      const c = (await readMarketCatalog(dataDir)) ?? [];
      expect(c.map((m) => m.spec.market_id).sort()).toEqual(ids);
      return c;
    });
    expect(catalog.find((m) => m.spec.market_id === moneyline.conditionId)).toMatchObject({ match_id: 'pm:cs2-faze-ill-2026-06-12', spec: { fee: { rate: 0.03 }, tick_size: 0.001 } });
  });

  it('refuses a malformed event with a reason and a metric, and keeps running', async () => {
    malformed.markets[0]!.groupItemTitle = 'sweltering';
    for (const m of malformed.markets) m.conditionId = `${m.conditionId as string}ff`;
    gamma.events.push(malformed);
    const refused = await vi.waitFor(
      async () => {
        const text = await daemon.metrics.registry.getSingleMetricAsString('discovery_refused_total');
        expect(text).toContain('reason="unknown_bucket_grammar"');
        return text;
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(refused).toMatch(/discovery_refused_total\{reason="unknown_bucket_grammar"\} 1/);
    expect((await getJson(`${daemon.url}/markets`)).length).toBe(12);
  });

  it('settles a bucket Gamma reports resolved: FINALIZING → RESOLVED, its tokens dropped, and retires it after the retention', { timeout: 40_000 }, async () => {
    const bucket = nyc.markets.find((m) => m.groupItemTitle === '90-91°F')!;
    Object.assign(bucket, { closed: true, acceptingOrders: false, outcomePrices: '["1", "0"]' });
    await vi.waitFor(
      async () => {
        const rows = (await getJson(`${daemon.url}/markets`)) as Array<{ market_id: string; state: string }>;
        expect(rows.find((r) => r.market_id === bucket.conditionId)?.state).toBe('RESOLVED');
      },
      { timeout: 15_000, interval: 200 },
    );
    // Its two tokens are no longer carried; the other 22 still are.
    await vi.waitFor(() => expect(daemon.summary().tokens_synced).toBe(22), { timeout: 10_000, interval: 200 });
    // trading.resolved_market_retention_ms later (node clock) the trading side lets it go: no longer a live market.
    await vi.waitFor(
      async () => {
        const rows = (await getJson(`${daemon.url}/markets`)) as Array<{ market_id: string }>;
        expect(rows.map((r) => r.market_id)).not.toContain(bucket.conditionId);
        expect(rows).toHaveLength(11);
      },
      { timeout: 15_000, interval: 200 },
    );
    const retired = await vi.waitFor(
      () => {
        const alerts = journalRecords(dataDir).filter((e) => e.type === 'ALERT' && e.payload.code === 'MARKET_RETIRED');
        expect(alerts).toHaveLength(1);
        return alerts[0]!;
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(retired.market_id).toBe(bucket.conditionId);
  });

  it('halts a bucket Gamma reports closed before its resolution is known', { timeout: 30_000 }, async () => {
    const bucket = nyc.markets.find((m) => m.groupItemTitle === '88-89°F')!;
    Object.assign(bucket, { closed: true, acceptingOrders: false, outcomePrices: '["0.5", "0.5"]' });
    await vi.waitFor(
      async () => {
        const rows = (await getJson(`${daemon.url}/markets`)) as Array<{ market_id: string; state: string; halt_causes: string[] }>;
        expect(rows.find((r) => r.market_id === bucket.conditionId)?.state).toBe('HALT');
      },
      { timeout: 15_000, interval: 200 },
    );
  });

  it('reports Gamma unreachable as a source error on /health and in the summary, and keeps running', { timeout: 20_000 }, async () => {
    const errorsBefore = daemon.summary().errors;
    gamma.failWith = 503;
    try {
      const health = await vi.waitFor(
        async () => {
          const h = await getJson(`${daemon.url}/health`);
          expect(h.source_errors?.discovery?.last_error).toContain('503');
          return h;
        },
        { timeout: 10_000, interval: 200 },
      );
      expect(health.source_errors.discovery.errors).toBeGreaterThan(0);
      expect(daemon.summary().errors).toBeGreaterThan(errorsBefore);
      // One bucket resolved and left (above).
      expect((await getJson(`${daemon.url}/markets`)).length).toBe(11);
    } finally {
      gamma.failWith = null;
    }
  });

  it('a tick and minimum size Gamma changes reach the market actor through its control topic (journaled for replay)', { timeout: 20_000 }, async () => {
    Object.assign(moneyline, { orderPriceMinTickSize: 0.01, orderMinSize: 10 });
    const id = moneyline.conditionId as string;
    const changed = await vi.waitFor(
      () => {
        const dir = path.join(dataDir, 'dispatch');
        const lines = readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.ndjson'))
          .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n'))
          .filter((l) => l.includes('"MARKET_SPEC_CHANGED"'));
        expect(lines).toHaveLength(1);
        return (JSON.parse(lines[0]!) as { event: { market_id: string; payload: unknown } }).event;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(changed).toMatchObject({ market_id: id, payload: { tick_size: 0.01, min_order_size: 10 } });
  });

  it('stops cleanly; a replay of its dispatch log adds the discovered markets at the same points and decides the same, byte for byte', { timeout: 60_000 }, async () => {
    expect(await daemon.stop()).toBe(0);
    const live = readFileSync(path.join(dataDir, 'live-decisions.ndjson'), 'utf8');
    // The actors' first states: one per discovered market, started from MARKET_DISCOVERED on the bus.
    expect(new Set(live.split('\n').filter((l) => l.includes('MARKET_STATE')).map((l) => (JSON.parse(l) as { market_id?: string }).market_id)).size).toBe(12);
    const out = path.join(dataDir, 'replayed.ndjson');
    // The same trading config (retention included): the retirement's ALERT takes an id from the node's stream.
    const r = await runCli(['replay', '--data-dir', dataDir, '--decisions-out', out], { HELIOS_TRADING__RESOLVED_MARKET_RETENTION_MS: String(RETENTION_MS) });
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(live);
  });
});
