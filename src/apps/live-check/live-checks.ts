import { WebSocket } from 'ws';
import type { HeliosConfig } from '../../config/schema.ts';
import type { Secrets } from '../../config/secrets.ts';
import { requestJson, type FetchLike } from '../../adapters/http/request-json.ts';
import { GammaClient, gammaClientOptions } from '../../adapters/polymarket/gamma-client.ts';
import { AwcMetarClient } from '../../adapters/weather/awc-client.ts';
import { WuPwsClient } from '../../adapters/weather/wu-pws-client.ts';
import { selectOperatingSet } from '../../domain/discovery/operating-set.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { gatherGammaAnswers, scannerPolicy } from '../../runtime/discovery/scanner.ts';
import type { CheckResult } from '../daemon/startup-checklist.ts';

/** The names of `helios healthcheck --live`'s own items, in the order they run. */
export const LIVE_CHECK_NAMES = ['discovery: gamma', 'clock: venue /time', 'weather: aviationweather.gov', 'weather: WU PWS', 'esports: PandaScore', 'esports: Polymarket sports'] as const;

export interface LiveCheckOptions {
  config: HeliosConfig;
  secrets: Secrets;
  /** The wall clock (skew is measured against it). */
  clock: Clock;
  fetch?: FetchLike;
}

/**
 * What live mode depends on beyond the venue's sockets: discovery (Gamma answers and the scanner
 * policy selects at least one market, asked exactly as the daemon's scanner asks), the CLOB's
 * `/time` against our clock, METAR from AWC for the configured stations, PWS when WU is the source
 * and a key is set, PandaScore when a token is set, and Polymarket's public sports socket accepting a
 * connection. Sources without credentials are skipped, not failed.
 */
export async function runLiveChecks(o: LiveCheckOptions): Promise<CheckResult[]> {
  const f: FetchLike = o.fetch ?? ((url, init) => fetch(url, init));
  return [await checkDiscovery(o, f), await checkVenueTime(o, f), await checkAwc(o, f), await checkWu(o, f), await checkPandascore(o, f), await checkSportsSocket(o)];
}

/** Failed Gamma requests named in the discovery check's detail; the rest are counted. */
const SHOWN_FAILURES = 3;

async function checkDiscovery(o: LiveCheckOptions, f: FetchLike): Promise<CheckResult> {
  const name = 'discovery: gamma';
  const gamma = new GammaClient({ ...gammaClientOptions(o.config.discovery, o.clock), fetch: f });
  const errors: string[] = [];
  try {
    const policy = scannerPolicy(o.config);
    const now = o.clock.now();
    const { answers, failed } = await gatherGammaAnswers(gamma, o.config.discovery, policy, now, [], (what, err) => errors.push(`${what}: ${(err as Error).message}`));
    const asked = answers.events.length + answers.markets.length + failed;
    if (asked === 0) return { name, status: 'fail', detail: 'the scanner policy asks Gamma for nothing (discovery.temperature.cities, esports.games, event_slugs, condition_ids are all empty)' };
    if (failed > 0 && answers.events.length + answers.markets.length === 0) return { name, status: 'fail', detail: `${o.config.discovery.gamma_url} did not answer: ${errors[0]}` };
    const set = selectOperatingSet(answers, policy, now);
    const tradable = set.markets.filter((m) => m.tradable).length;
    // A pass with failed requests names them: which slugs or pages did not answer is what to look at.
    const named = errors.length > SHOWN_FAILURES ? [...errors.slice(0, SHOWN_FAILURES), `${errors.length - SHOWN_FAILURES} more`] : errors;
    const detail = `${o.config.discovery.gamma_url} answered; ${set.markets.length} market(s) selected (${tradable} tradable), ${set.refused.length} refused, ${failed} request(s) failed${named.length ? ` (${named.join('; ')})` : ''}`;
    return { name, status: set.markets.length > 0 ? 'pass' : 'fail', detail: set.markets.length > 0 ? detail : `${detail}: nothing to trade` };
  } finally {
    gamma.close();
  }
}

/**
 * Our clock against the CLOB's `/time` (whole seconds): the venue's time at the answer lies in
 * [t, t + 1 s), so the skew is how far our request interval lies outside that second.
 */
async function checkVenueTime(o: LiveCheckOptions, f: FetchLike): Promise<CheckResult> {
  const name = 'clock: venue /time';
  const url = `${o.config.market_tape.rest_url.replace(/\/+$/, '')}/time`;
  const t0 = o.clock.now();
  let body: unknown;
  try {
    body = (await requestJson(f, url, {}, { clock: o.clock, ms: o.config.healthcheck.venue_timeout_ms })).body;
  } catch (err) {
    return { name, status: 'fail', detail: `${url}: ${(err as Error).message}` };
  }
  const t1 = o.clock.now();
  const seconds = typeof body === 'number' ? body : typeof body === 'string' ? Number(body) : Number.NaN;
  if (!Number.isFinite(seconds)) return { name, status: 'fail', detail: `${url} answered ${JSON.stringify(body)?.slice(0, 60)}, not epoch seconds` };
  const venueMs = seconds * 1000;
  const skew = t1 < venueMs ? venueMs - t1 : t0 >= venueMs + 1000 ? t0 - (venueMs + 999) : 0;
  const max = o.config.healthcheck.max_venue_skew_ms;
  return { name, status: skew <= max ? 'pass' : 'fail', detail: `venue time ${new Date(venueMs).toISOString()}; our clock is ${skew} ms outside its second (max ${max})` };
}

async function checkAwc(o: LiveCheckOptions, f: FetchLike): Promise<CheckResult> {
  const name = 'weather: aviationweather.gov';
  const m = o.config.weather.metar;
  const stations = o.config.weather.stations.map((s) => s.id).sort();
  if (stations.length === 0) return { name, status: 'skip', detail: 'no weather.stations configured' };
  const client = new AwcMetarClient({ baseUrl: m.awc_base_url, fetch: f, clock: o.clock, cacheTtlMs: 0, minRequestIntervalMs: 0, timeoutMs: m.request_timeout_ms });
  try {
    const reports = await client.recent(stations, m.lookback_hours);
    const silent = stations.filter((s) => !reports.some((r) => r.station === s));
    const detail = `${reports.length} report(s) in the last ${m.lookback_hours} h for ${stations.join(', ')}`;
    return silent.length === 0 ? { name, status: 'pass', detail } : { name, status: 'fail', detail: `${detail}; none for ${silent.join(', ')}` };
  } catch (err) {
    return { name, status: 'fail', detail: `${m.awc_base_url}: ${(err as Error).message}` };
  }
}

async function checkWu(o: LiveCheckOptions, f: FetchLike): Promise<CheckResult> {
  const name = 'weather: WU PWS';
  const p = o.config.weather.pws;
  if (p.source !== 'wu') return { name, status: 'skip', detail: 'weather.pws.source is not wu' };
  const key = o.secrets.wu_api_key;
  if (!key) return { name, status: 'skip', detail: 'HELIOS_WU_API_KEY is not set' };
  const id = o.config.weather.stations.flatMap((s) => s.pws).sort()[0];
  if (id === undefined) return { name, status: 'skip', detail: 'no PWS ids listed under weather.stations' };
  const client = new WuPwsClient({ baseUrl: p.wu_base_url, apiKey: key, fetch: f, clock: o.clock, cacheTtlMs: 0, minRequestIntervalMs: 0, maxRequestsPerMinute: p.max_requests_per_minute, timeoutMs: p.request_timeout_ms });
  try {
    const obs = await client.current(id);
    return obs ? { name, status: 'pass', detail: `${id}: ${obs.tempF ?? 'no'} °F at ${new Date(obs.obsMs).toISOString()}` } : { name, status: 'fail', detail: `${id}: no observation within the hour` };
  } catch (err) {
    return { name, status: 'fail', detail: (err as Error).message };
  }
}

async function checkPandascore(o: LiveCheckOptions, f: FetchLike): Promise<CheckResult> {
  const name = 'esports: PandaScore';
  const token = o.secrets.pandascore_token?.reveal();
  if (!token) return { name, status: 'skip', detail: 'HELIOS_PANDASCORE_TOKEN is not set' };
  const ps = o.config.truth_engine.sources.pandascore;
  const url = `${ps.rest_url.replace(/\/+$/, '')}/matches/running?per_page=1`;
  try {
    const { body } = await requestJson(f, url, { headers: { authorization: `Bearer ${token}` } }, { clock: o.clock, ms: ps.timeout_ms });
    if (!Array.isArray(body)) return { name, status: 'fail', detail: `${url} answered something other than a list of matches` };
    return { name, status: 'pass', detail: `${ps.rest_url} answered; ${body.length === 0 ? 'no match' : 'a match'} running` };
  } catch (err) {
    return { name, status: 'fail', detail: (err as Error).message };
  }
}

/** The sports socket (no credentials): it runs in every live process, so it must at least accept a connection. */
async function checkSportsSocket(o: LiveCheckOptions): Promise<CheckResult> {
  const name = 'esports: Polymarket sports';
  const url = o.config.truth_engine.sources.polymarket_sports.ws_url;
  const failure = await new Promise<string | null>((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: o.config.healthcheck.feed_timeout_ms });
    ws.once('open', () => {
      ws.close();
      resolve(null);
    });
    ws.once('error', (err) => resolve(err.message));
  });
  return failure === null ? { name, status: 'pass', detail: `${url} accepted a connection` } : { name, status: 'fail', detail: `${url}: ${failure}` };
}
