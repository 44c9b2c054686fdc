import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readCapture } from '../../src/adapters/capture/reader.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { playbackOverlay } from '../../src/apps/playback/overlay.ts';
import { PlaybackServer } from '../../src/apps/playback/playback-server.ts';
import { runCli } from '../support/cli.ts';
import { writeLiveCapture } from './support/live-capture.ts';
import { cleanupsPerTest } from './support/cleanups.ts';

const { cleanups, tempDir } = cleanupsPerTest('helios-capture-cli-');
const silent = () => createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });

describe('helios capture / helios playback: bad input', () => {
  it('playback: usage errors exit 2, a directory that is not a capture exits 1', async () => {
    const dir = tempDir();
    expect((await runCli(['playback', join(dir, 'missing')])).code).toBe(2);
    expect(await runCli(['playback', dir, '--speed', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--speed expects a positive number') });
    expect(await runCli(['playback', dir, '--port', '70000'])).toMatchObject({ code: 2, err: expect.stringContaining('--port') });
    expect(await runCli(['playback', dir])).toMatchObject({ code: 1, err: expect.stringContaining('manifest.json is missing') });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'something-else/9' }));
    expect(await runCli(['playback', dir])).toMatchObject({ code: 1, err: expect.stringContaining('not a helios capture manifest') });
  });

  it('playback: serves, prints URLs and the overlay, reports malformed lines and exits 1 for them', async () => {
    const dir = join(tempDir(), 'cap');
    await writeLiveCapture(dir, new VirtualClock(Date.now()), 10_000);
    writeFileSync(join(dir, 'frames.ndjson'), readFileSync(join(dir, 'frames.ndjson'), 'utf8') + 'not json\n');
    const overlayFile = join(tempDir(), 'overlay.yaml');
    const r = await runCli(['playback', dir, '--duration', '0.2', '--overlay', overlayFile]);
    expect(r.err).toMatch(/frames\.ndjson:\d+: skipped: not JSON/);
    const first = JSON.parse(r.out.split('\n')[0]!) as { kind: string; urls: Record<string, string> };
    expect(first).toMatchObject({ kind: 'playback', http_answers: 2, frames: readCapture(dir).frames.length });
    expect(readCapture(dir).frames.length).toBeGreaterThan(13);
    expect(first.urls.market).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/market$/);
    expect(parse(readFileSync(overlayFile, 'utf8'))).toMatchObject({ market_tape: { ws_url: first.urls.market, rest_url: first.urls.clob }, discovery: { gamma_url: first.urls.gamma } });
    expect(r.code).toBe(1);
  });

  it('playback: a malformed capture line is reported naming the field at fault, not only what was expected', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'helios-capture/1', helios_version: '0.1.0', node_version: 'v20', started_ms: 0, ended_ms: 1, started_at: 'a', ended_at: 'b', sources: {}, counts: { http: 1, frames: 0 }, note: '' }));
    // A line written by hand from the README's field list, once without its `kind`, once with a status as text.
    const line = { seq: 1, recv_ms: 0, source: 'gamma', method: 'GET', key: '/events', request_body: null, status: 200, content_type: null, body: '[]' };
    writeFileSync(join(dir, 'http.ndjson'), `${JSON.stringify(line)}\n${JSON.stringify({ ...line, kind: 'http', status: '200' })}\n`);
    expect(readCapture(dir).malformed.map((m) => [m.line, m.reason])).toEqual([
      [1, 'kind: Invalid input: expected "http"'],
      [2, 'status: Invalid input: expected number, received string'],
    ]);
  });

  it('capture: --out is required and must be new or empty (exit 2); real execution is refused (exit 4)', async () => {
    expect(await runCli(['capture'])).toMatchObject({ code: 2, err: expect.stringContaining('--out DIR is required') });
    const full = tempDir();
    mkdirSync(join(full, 'x'));
    expect(await runCli(['capture', '--out', full])).toMatchObject({ code: 2, err: expect.stringContaining('is not empty') });
    expect(await runCli(['capture', '--out', join(tempDir(), 'c'), '--duration', '-1'])).toMatchObject({ code: 2 });
    const cfg = join(tempDir(), 'real.yaml');
    writeFileSync(cfg, 'execution:\n  adapter: real\n');
    expect(await runCli(['capture', '--out', join(tempDir(), 'c'), '--config', cfg])).toMatchObject({ code: 4, err: expect.stringContaining('refused') });
  });
});

describe('helios capture of the live daemon against a playback', () => {
  it('records the market frames and the Gamma/AWC answers the daemon received; played back, they answer the same', { timeout: 60_000 }, async () => {
    const source = join(tempDir(), 'source');
    const facts = await writeLiveCapture(source, new VirtualClock(Date.now()), 60_000);
    const playback = new PlaybackServer({ capture: readCapture(source), clock: new SystemClock(), speed: 1, host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, logger: silent() });
    await playback.listen();
    cleanups.push(() => playback.close());
    const cfg = join(tempDir(), 'live.yaml');
    writeFileSync(cfg, stringify({ ...(parse(playbackOverlay(playback.urls())) as object), log: { level: 'warn' } }));

    const out = join(tempDir(), 'recorded');
    const r = await runCli(['capture', '--out', out, '--duration', '6', '--config', cfg, '--port', '0', '--data-dir', tempDir()]);
    expect(r.code, r.err).toBe(0);
    const summary = r.out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o.kind === 'capture');
    expect(summary).toMatchObject({ kind: 'capture', dir: out });
    const cap = readCapture(out);
    expect(cap.malformed).toEqual([]);
    expect(cap.manifest.sources.market).toBe(playback.urls().market);
    // The market channel as the daemon's socket received it: the books of the event's tokens.
    const dump = cap.frames.filter((f) => f.source === 'market').map((f) => JSON.parse(f.text) as unknown).flat() as Array<{ event_type?: string; asset_id?: string }>;
    const tokens = facts.markets.flatMap((m) => [m.yes, m.no]).sort();
    expect([...new Set(dump.filter((e) => e.event_type === 'book').map((e) => e.asset_id))].sort()).toEqual(tokens);
    // Gamma's event and AWC's reports, byte for byte as served.
    const original = readCapture(source).http;
    for (const s of ['gamma', 'awc']) {
      const want = original.find((h) => h.source === s)!;
      const got = cap.http.find((h) => h.source === s && h.key === want.key);
      expect(got?.body, `${s} ${want.key}`).toBe(want.body);
    }
  });
});
