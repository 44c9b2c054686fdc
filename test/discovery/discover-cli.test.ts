import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../setup/global-redis.ts';
import { runCli } from '../support/cli.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { GammaStandIn } from './gamma-stand-in.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NYC_FILE = path.join(HERE, '../fixtures/market/gamma-event-nyc-highest-2026-06-12.json');
const MATCH_FILE = path.join(HERE, '../fixtures/discovery/gamma-event-cs2-match.json');
const LONDON_FILE = path.join(HERE, '../fixtures/market/gamma-event-london-highest-2026-06-12.json');
const lines = (out: string) => out.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const MARKET_FIELDS = ['kind', 'event_slug', 'condition_id', 'question', 'yes_token', 'no_token', 'tick_size', 'min_size', 'neg_risk', 'fee_rate', 'closed', 'winner'];

let dir: string;
beforeAll(() => void (dir = mkdtempSync(path.join(tmpdir(), 'helios-discover-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(name: string, body: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

describe('helios discover --event-file', () => {
  it('prints one NDJSON line per bucket with exactly the contract fields, exit 0', async () => {
    const r = await runCli(['discover', '--event-file', NYC_FILE, '--json']);
    expect(r.code).toBe(0);
    const out = lines(r.out);
    expect(out).toHaveLength(11);
    for (const l of out) expect(Object.keys(l)).toEqual([...MARKET_FIELDS, 'station', 'judge_date', 'bucket']);
    expect(out.find((l) => (l.bucket as { low: number }).low === 90)).toEqual({
      kind: 'market',
      event_slug: 'highest-temperature-in-nyc-on-june-12-2026',
      condition_id: '0x9baaf28228efdf7796c141fdb26a3bcd6e398761c494fbb1cad8a20ca23590b4',
      question: 'Will the highest temperature in New York City be between 90-91°F on June 12?',
      yes_token: '20550817357051368097672508385228468778610593995202230613193858252304679380531',
      no_token: '10535078080720782068512062709610114782638103374788983315508696381638632150540',
      tick_size: 0.001,
      min_size: 5,
      neg_risk: true,
      fee_rate: 0.05,
      closed: false,
      winner: null,
      station: 'KLGA',
      judge_date: '2026-06-12',
      bucket: { low: 90, high: 91, unit: 'F' },
    });
    expect(out.filter((l) => (l.bucket as { low: number | null }).low === null)).toHaveLength(1);
  });

  it('prints an esports moneyline with its teams and mapped match; an array of events and a /markets answer are read too', async () => {
    const match = JSON.parse(readFileSync(MATCH_FILE, 'utf8')) as Record<string, unknown> & { markets: unknown[] };
    const r = await runCli(['discover', '--event-file', writeJson('both.json', [match, JSON.parse(readFileSync(NYC_FILE, 'utf8'))[0]]), '--json']);
    expect(r.code).toBe(0);
    const esports = lines(r.out).filter((l) => 'teams' in l);
    expect(esports).toEqual([
      expect.objectContaining({ condition_id: '0x4000000000000000000000000000000000000000000000000000000000000001', yes_token: '1001', no_token: '1002', fee_rate: 0.03, teams: ['FaZe', 'illwill'], match: { match_id: 'pm:cs2-faze-ill-2026-06-12', game: 'cs2', game_id: '9001', start_ms: Date.UTC(2026, 5, 12, 15, 10) } }),
    ]);
    const markets = await runCli(['discover', '--event-file', writeJson('markets.json', match.markets), '--json']);
    expect(markets.code).toBe(0);
    expect(lines(markets.out).map((l) => l.condition_id)).toHaveLength(2);
  });

  it('without --json: one text line per market and the count on stderr, a single market not called markets', async () => {
    const one = await runCli(['discover', '--event-file', MATCH_FILE]);
    expect(one.code).toBe(0);
    expect(one.out.trim().split('\n')).toHaveLength(1);
    expect(one.err).toBe('helios discover: 1 market, 0 refused\n');
    const many = await runCli(['discover', '--event-file', NYC_FILE]);
    expect(many.out.trim().split('\n')).toHaveLength(11);
    expect(many.err).toBe('helios discover: 11 markets, 0 refused\n');
  });

  it('prints a refused event with its reason and exits 1', async () => {
    const ev = JSON.parse(readFileSync(NYC_FILE, 'utf8'))[0];
    ev.markets[4].groupItemTitle = 'hot';
    const r = await runCli(['discover', '--event-file', writeJson('bad.json', ev), '--json']);
    expect(r.code).toBe(1);
    expect(lines(r.out)).toEqual([{ kind: 'refused', event_slug: 'highest-temperature-in-nyc-on-june-12-2026', condition_id: null, reason: 'unknown_bucket_grammar', detail: expect.stringContaining('"hot"') }]);
  });

  it('judges the stations as the live scanner does: a city settling elsewhere and a station not watched are refused, exit 1', async () => {
    const jfk = readFileSync(NYC_FILE, 'utf8').replaceAll('KLGA', 'KJFK');
    const moved = await runCli(['discover', '--event-file', writeJson('kjfk.json', jfk), '--json']);
    expect(moved.code).toBe(1);
    expect(lines(moved.out)).toEqual([{ kind: 'refused', event_slug: 'highest-temperature-in-nyc-on-june-12-2026', condition_id: null, reason: 'station_not_watched', detail: expect.stringContaining('rules settle on KJFK, the configuration trades nyc on KLGA') }]);
    const london = await runCli(['discover', '--event-file', LONDON_FILE, '--json']);
    expect(london.code).toBe(1);
    expect(lines(london.out)).toEqual([{ kind: 'refused', event_slug: 'highest-temperature-in-london-on-june-12-2026', condition_id: null, reason: 'station_not_watched', detail: expect.stringContaining('EGLC is not among weather.stations') }]);
  });

  it('refuses bucket markets of one event that name the same tokens, exit 1', async () => {
    const ev = JSON.parse(readFileSync(NYC_FILE, 'utf8'))[0];
    ev.markets[1].clobTokenIds = ev.markets[0].clobTokenIds;
    const r = await runCli(['discover', '--event-file', writeJson('shared-tokens.json', ev), '--json']);
    expect(r.code).toBe(1);
    expect(lines(r.out)).toEqual([{ kind: 'refused', event_slug: 'highest-temperature-in-nyc-on-june-12-2026', condition_id: null, reason: 'contradictory_market', detail: expect.stringContaining('both name token') }]);
  });

  it('does not filter a file by the scan\'s cities, metrics or judge days: a watched station\'s event of any day is listed', async () => {
    const config = writeJson('watch-eglc.yaml', 'weather:\n  stations:\n    - { id: KLGA, tz: America/New_York, pws: [], model_path: null }\n    - { id: EGLC, tz: Europe/London, pws: [], model_path: null }\n');
    const r = await runCli(['discover', '--event-file', LONDON_FILE, '--json', '--config', config]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.out)).toHaveLength(11);
    expect(lines(r.out).every((l) => l.station === 'EGLC' && l.judge_date === '2026-06-12')).toBe(true);
  });

  it('exits 2 on bad usage and a missing file, 1 on a file that is not JSON', async () => {
    expect((await runCli(['discover', '--event-file', NYC_FILE, '--slug', 'x'])).code).toBe(2);
    expect((await runCli(['discover', '--category', 'politics'])).code).toBe(2);
    const missing = await runCli(['discover', '--event-file', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read: ENOENT');
    const garbage = await runCli(['discover', '--event-file', writeJson('garbage.json', '{"slug": ')]);
    expect(garbage.code).toBe(1);
    expect(garbage.err).toContain('not JSON');
  });
});

describe('helios discover (live Gamma on loopback)', () => {
  const gamma = new GammaStandIn();
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    gamma.events.push(JSON.parse(readFileSync(NYC_FILE, 'utf8'))[0], JSON.parse(readFileSync(MATCH_FILE, 'utf8')));
    env = { HELIOS_DISCOVERY__GAMMA_URL: await gamma.start() };
  });
  afterAll(() => gamma.stop());

  it('--slug asks Gamma for one event', async () => {
    const r = await runCli(['discover', '--slug', 'cs2-faze-ill-2026-06-12', '--json'], env);
    expect(r.code).toBe(0);
    expect(lines(r.out)).toMatchObject([{ kind: 'market', teams: ['FaZe', 'illwill'] }]);
    expect(gamma.requests.at(-1)).toBe('/events?slug=cs2-faze-ill-2026-06-12');
  });

  it('--slug judges the event against the watched stations', async () => {
    gamma.events.push(JSON.parse(readFileSync(LONDON_FILE, 'utf8')));
    try {
      const r = await runCli(['discover', '--slug', 'highest-temperature-in-london-on-june-12-2026', '--json'], env);
      expect(r.code).toBe(1);
      expect(lines(r.out)).toMatchObject([{ kind: 'refused', reason: 'station_not_watched' }]);
    } finally {
      gamma.events.pop();
    }
  });

  it('--category esports lists the configured games from the esports tag', async () => {
    const r = await runCli(['discover', '--category', 'esports', '--json'], { ...env, HELIOS_DISCOVERY__ESPORTS__GAMES: '[cs2]' });
    expect(r.code).toBe(0);
    expect(lines(r.out)).toMatchObject([{ condition_id: '0x4000000000000000000000000000000000000000000000000000000000000001' }]);
    expect(gamma.requests.at(-1)).toBe('/events?active=true&closed=false&limit=100&tag_slug=esports');
  });

  it('exits 3 naming Gamma\'s request, its full URL once, when it does not answer', async () => {
    gamma.failWith = 503;
    try {
      const r = await runCli(['discover', '--slug', 'cs2-faze-ill-2026-06-12'], env);
      expect(r.code).toBe(3);
      expect(r.err).toBe(`helios discover: Gamma GET ${gamma.url}/events?slug=cs2-faze-ill-2026-06-12: HTTP 503 {"error":"unavailable"}\n`);
    } finally {
      gamma.failWith = null;
    }
  });

  it('exits 3 naming each failed request of a scan once, with its full URL, when Gamma answers what is no list', async () => {
    gamma.answerEvery = 'busy';
    try {
      const r = await runCli(['discover', '--category', 'esports'], { ...env, HELIOS_DISCOVERY__ESPORTS__GAMES: '[cs2]' });
      expect(r.code).toBe(3);
      expect(r.err).toBe(`helios discover: Gamma GET ${gamma.url}/events?active=true&closed=false&limit=100&tag_slug=esports: expected a JSON array, got string\n`);
    } finally {
      gamma.answerEvery = undefined;
    }
  });

  it('exits 3 naming the request it could not make, its full URL once, when nothing listens at Gamma\'s address', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const bySlug = await runCli(['discover', '--slug', 'foo'], { HELIOS_DISCOVERY__GAMMA_URL: nobody });
    expect(bySlug.code).toBe(3);
    expect(bySlug.err).toBe(`helios discover: Gamma GET ${nobody}/events?slug=foo: fetch failed (ECONNREFUSED)\n`);
    // A scan: one line per request that failed, each named once.
    const scan = await runCli(['discover', '--category', 'esports'], { HELIOS_DISCOVERY__GAMMA_URL: nobody, HELIOS_DISCOVERY__ESPORTS__GAMES: '[cs2]' });
    expect(scan.code).toBe(3);
    expect(scan.err).toBe(`helios discover: Gamma GET ${nobody}/events?active=true&closed=false&limit=100&tag_slug=esports: fetch failed (ECONNREFUSED)\n`);
  });
});

const present = requireSharedFixtures('polymarket/nautilus_trader');
describe.skipIf(!present)('helios discover on real Gamma captures (../shared/fixtures)', () => {
  const real = (p: string) => sharedFixture('polymarket/nautilus_trader', p);

  it('refuses the real NYC temperature event (trimmed capture: its markets carry no CLOB tokens) with exit 1', async () => {
    const r = await runCli(['discover', '--event-file', real('http_responses/event.json'), '--json']);
    expect(r.code).toBe(1);
    expect(lines(r.out)).toEqual([{ kind: 'refused', event_slug: 'highest-temperature-in-nyc-on-january-26', condition_id: null, reason: 'missing_tokens', detail: expect.stringContaining('25forbelow') }]);
  });

  it('reads a real resolved esports moneyline and a real resolved binary market with their winners', async () => {
    const ml = lines((await runCli(['discover', '--event-file', real('crates_test_data/gamma_market_sports_market_money_line.json'), '--json'])).out);
    expect(ml).toMatchObject([{ kind: 'market', closed: true, winner: true, tick_size: 0.001, fee_rate: 0.03, neg_risk: false }]);
    const closed = await runCli(['discover', '--event-file', real('crates_test_data/gamma_market_closed_binary_accepting_true.json'), '--json']);
    expect(closed.code).toBe(0);
    expect(lines(closed.out)).toMatchObject([{ kind: 'market', closed: true, winner: true, tick_size: 0.01 }]);
  });

  it('maps a real neg-risk event and refuses a real market whose fee schedule is missing', async () => {
    const ev = await runCli(['discover', '--event-file', real('crates_test_data/gamma_event.json'), '--json']);
    expect(ev.code).toBe(0);
    expect(lines(ev.out).every((l) => l.kind === 'market' && l.neg_risk === true)).toBe(true);
    const fee = await runCli(['discover', '--event-file', real('crates_test_data/gamma_market.json'), '--json']);
    expect(fee.code).toBe(1);
    expect(lines(fee.out)).toMatchObject([{ kind: 'refused', reason: 'fee_unknown' }]);
  });
});
