import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { readCapture } from '../../src/adapters/capture/reader.ts';
import { CaptureRecorder } from '../../src/adapters/capture/recorder.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { PandascoreSource } from '../../src/adapters/esports/pandascore.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { PlaybackServer } from '../../src/apps/playback/playback-server.ts';
import type { SourceReport } from '../../src/domain/truth/report.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { defaultTruthConfig } from '../truth/support.ts';

const present = requireSharedFixtures('polymarket/nautilus_trader/crates_test_data') && requireSharedFixtures('real/match_de.json');
const nt = (f: string) => readFileSync(sharedFixture('polymarket', 'nautilus_trader', 'crates_test_data', f), 'utf8');
const T0 = Date.UTC(2026, 7, 20, 14);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!present)('playback of a capture built from real messages (shared fixtures)', () => {
  it('replays real market-channel frames in order, serves the real REST book and the real PandaScore match to the real adapter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helios-real-capture-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const clock = new VirtualClock(T0);
    const sources = { clob: 'https://clob.polymarket.com', market: 'wss://ws-subscriptions-clob.polymarket.com/ws/market', pandascore: 'https://api.pandascore.co' };
    const rec = new CaptureRecorder({ dir, clock, sources, heliosVersion: 'test', note: 'real messages' });
    const frames = [nt('ws_market_book_msg.json'), nt('ws_market_price_change_msg.json'), nt('ws_market_last_trade_msg.json'), nt('ws_market_tick_size_msg.json')];
    const socket = {};
    frames.forEach((text, i) => {
      clock.advanceTo(T0 + 1000 * (i + 1));
      rec.frame(sources.market, socket, text);
    });
    const restBook = nt('clob_book_response.json');
    rec.http({ method: 'GET', url: `${sources.clob}/book?token_id=12345678901234567890`, requestBody: null, status: 200, contentType: 'application/json', text: restBook });
    const match = readFileSync(sharedFixture('real', 'match_de.json'), 'utf8');
    rec.http({ method: 'GET', url: `${sources.pandascore}/matches/1000450`, requestBody: null, status: 200, contentType: 'application/json', text: match });
    await rec.close();

    const pbClock = new VirtualClock(0);
    const server = new PlaybackServer({ capture: readCapture(dir), clock: pbClock, speed: 1, host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 16, logger: createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }) });
    await server.listen();
    cleanups.push(() => server.close());
    const urls = server.urls();

    // REST: byte for byte what was captured.
    expect(await (await fetch(`${urls.clob}/book?token_id=12345678901234567890`)).text()).toBe(restBook);

    // Market channel: a subscriber to the real asset gets the four real frames, in order, as sent.
    const asset = (JSON.parse(frames[0]!) as { asset_id: string }).asset_id;
    const ws = new WebSocket(urls.market!);
    cleanups.push(() => ws.terminate());
    const got: string[] = [];
    ws.on('message', (d: Buffer) => got.push(d.toString('utf8')));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ assets_ids: [asset], type: 'market' }));
    await vi.waitFor(() => expect(server.stats.market.subscribe_messages).toBe(1));
    pbClock.advanceBy(4000);
    await vi.waitFor(() => expect(got).toHaveLength(4));
    expect(got).toEqual(frames);

    // PandaScore REST: the adapter, pointed at the stand-in, reads the real final.
    const reports: SourceReport[] = [];
    const ps = new PandascoreSource({
      config: { ...defaultTruthConfig().sources.pandascore, rest_url: urls.pandascore!, ws_url: 'ws://127.0.0.1:9/none', reconnect_min_ms: 3_600_000, reconnect_max_ms: 3_600_000 },
      token: 't', tier: 'B', staleMs: 60_000, clock: new VirtualClock(0), emit: (r) => reports.push(r), rng: seededRng(1),
    });
    cleanups.push(() => ps.stop());
    ps.watch({ match_id: 'm', outcomes: ['Gen.G', 'HLE'], external_id: '1000450' });
    ps.start();
    await vi.waitFor(() => expect(reports.length).toBeGreaterThan(0));
    expect(reports[0]).toMatchObject({ status: 'finished', winner: 'HLE', score: [2, 3] });
  });
});
