import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readCapture } from '../../src/adapters/capture/reader.ts';
import { CaptureRecorder } from '../../src/adapters/capture/recorder.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { playbackOverlay } from '../../src/apps/playback/overlay.ts';
import { PlaybackServer } from '../../src/apps/playback/playback-server.ts';
import { runCli } from '../support/cli.ts';
import { cleanupsPerTest } from './support/cleanups.ts';

const EVENT_SLUG = 'highest-temperature-in-nyc-on-june-12-2026';
const nycEvent = () => (JSON.parse(readFileSync(new URL('../fixtures/market/gamma-event-nyc-highest-2026-06-12.json', import.meta.url), 'utf8')) as unknown[])[0];
const { cleanups, tempDir } = cleanupsPerTest('helios-hc-live-');

/** A capture the test writes itself: Gamma's event, AWC's METARs and PandaScore's running matches, as answered now. */
async function syntheticCapture(dir: string, withGamma: boolean): Promise<void> {
  const clock = new SystemClock();
  const sources = { gamma: 'https://gamma.example', clob: 'https://clob.example', awc: 'https://awc.example', pandascore: 'https://ps.example', market: 'wss://ws.example/ws/market' };
  const rec = new CaptureRecorder({ dir, clock, sources, heliosVersion: 'test', note: 'healthcheck --live' });
  const answer = (url: string, body: unknown) => rec.http({ method: 'GET', url, requestBody: null, status: 200, contentType: 'application/json', text: JSON.stringify(body) });
  if (withGamma) answer(`https://gamma.example/events?slug=${EVENT_SLUG}`, [nycEvent()]);
  const obs = Math.floor(clock.now() / 1000) - 600;
  answer('https://awc.example/api/data/metar?ids=KLGA&format=json&hours=3', [{ icaoId: 'KLGA', obsTime: obs, metarType: 'METAR', rawOb: 'METAR KLGA 041351Z 21010KT 10SM FEW047 11/02 A2992 RMK AO2 T01110022' }]);
  // The token travels in a header; a capture never holds it (nor a key in a query).
  answer('https://ps.example/matches/running?per_page=1&token=sekrit', []);
  await rec.close();
}

async function overlayFor(dir: string, cfgDir: string, slugs: string[] = [EVENT_SLUG]): Promise<string> {
  const server = new PlaybackServer({ capture: readCapture(dir), clock: new SystemClock(), speed: 1, host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 16, logger: createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }) });
  await server.listen();
  cleanups.push(() => server.close());
  const overlay = parse(playbackOverlay(server.urls())) as { discovery: Record<string, unknown> };
  // The fixture's event is a past judge day: named explicitly, as an operator pins an event.
  overlay.discovery = { ...overlay.discovery, event_slugs: slugs, temperature: { cities: [], judge_days_ahead: 1, metrics: ['highest'] } };
  const file = join(cfgDir, 'live.yaml');
  writeFileSync(file, stringify(overlay));
  return file;
}

describe('helios healthcheck --live against a playback', () => {
  it('passes discovery (a market selected), venue /time skew, AWC and PandaScore; WU is skipped without a key', async () => {
    const dir = tempDir();
    await syntheticCapture(dir, true);
    expect(readFileSync(join(dir, 'http.ndjson'), 'utf8')).not.toContain('sekrit');
    const file = await overlayFor(dir, tempDir());
    const r = await runCli(['healthcheck', '--live', '--config', file, '--json'], { HELIOS_PANDASCORE_TOKEN: 'ps-token' });
    const report = JSON.parse(r.out) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string }> };
    const by = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(by['discovery: gamma']).toMatchObject({ status: 'pass' });
    expect(by['discovery: gamma']!.detail).toMatch(/11 market\(s\) selected/);
    expect(by['clock: venue /time']).toMatchObject({ status: 'pass' });
    expect(by['weather: aviationweather.gov']).toMatchObject({ status: 'pass', detail: expect.stringContaining('1 report(s)') });
    expect(by['weather: WU PWS']).toMatchObject({ status: 'skip' });
    expect(by['esports: PandaScore']).toMatchObject({ status: 'pass' });
    expect(by['esports: Polymarket sports']).toMatchObject({ status: 'pass' });
    expect(by['feeds connect']).toMatchObject({ status: 'pass' });
    expect(report.ok).toBe(true);
    expect(r.code).toBe(0);
  });

  it('names the Gamma requests that failed when discovery passes without them', async () => {
    const dir = tempDir();
    await syntheticCapture(dir, true);
    const file = await overlayFor(dir, tempDir(), [EVENT_SLUG, 'highest-temperature-in-nyc-on-june-13-2026']);
    const r = await runCli(['healthcheck', '--live', '--config', file, '--json'], {});
    const report = JSON.parse(r.out) as { checks: Array<{ name: string; status: string; detail: string }> };
    const gamma = report.checks.find((c) => c.name === 'discovery: gamma')!;
    expect(gamma.status).toBe('pass');
    expect(gamma.detail).toMatch(/1 request\(s\) failed \(.*june-13-2026.*not captured.*\)$/);
  });

  it('fails discovery, and exits 1, when Gamma does not answer the scanner', async () => {
    const dir = tempDir();
    await syntheticCapture(dir, false);
    const file = await overlayFor(dir, tempDir());
    const r = await runCli(['healthcheck', '--live', '--config', file, '--json'], {});
    const report = JSON.parse(r.out) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string }> };
    const gamma = report.checks.find((c) => c.name === 'discovery: gamma')!;
    expect(gamma.status).toBe('fail');
    expect(gamma.detail).toContain('not captured');
    expect(report.checks.find((c) => c.name === 'esports: PandaScore')).toMatchObject({ status: 'skip', detail: 'HELIOS_PANDASCORE_TOKEN is not set' });
    expect(r.code).toBe(1);
  });
});
