import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { readCapture } from '../../src/adapters/capture/reader.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { playbackOverlay } from '../../src/apps/playback/overlay.ts';
import { PlaybackServer } from '../../src/apps/playback/playback-server.ts';
import { getJson, journalRecords } from '../daemon/support/daemon-io.ts';
import { processScope } from '../daemon/support/helios-process.ts';
import { runCli } from '../support/cli.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { writeLiveCapture } from './support/live-capture.ts';

/**
 * The end to end: the real daemon (`helios run --live`, a child process) with a config
 * overlay pointing every URL at a playback of a capture built from the repo's Gamma event shape
 * (NYC daily high, moved to today). Discovery must select the event's markets, the mirrored books
 * must equal the captured venue's, the nowcast must be published for KLGA over the event's
 * buckets, paper orders must be placed, and the venue's resolution must settle the position.
 * The nowcast model is fitted from the shared KJFK archive and KLGA's daily record (skipped loudly
 * when they are absent).
 */
const present = requireSharedFixtures('weather/iem_asos_KJFK_2019-11_2020-09.csv') && requireSharedFixtures('real/klga_wu_daily_max_1995-05_2026-04.csv');
const { start, tempDir } = processScope('helios-live-e2e-');
// Long enough for a loaded machine to start the daemon, discover, nowcast and fill before the venue resolves.
const RESOLVE_AFTER_MS = 45_000;
const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const s of stops.splice(0)) await s();
});

describe.skipIf(!present)('helios run --live against a playback (issue 15 end to end)', () => {
  it('discovers, mirrors the captured books, nowcasts the event buckets, trades on paper and settles at resolution', { timeout: 240_000 }, async () => {
    const work = tempDir();
    const model = join(work, 'KLGA.json');
    const fit = await runCli(['nowcast', 'fit', '--archive', sharedFixture('weather', 'iem_asos_KJFK_2019-11_2020-09.csv'), '--archive-station', 'KJFK', '--station', 'KLGA', '--tz', 'America/New_York', '--daily', sharedFixture('real', 'klga_wu_daily_max_1995-05_2026-04.csv'), '--out', model]);
    expect(fit.code, fit.err).toBe(0);

    const captureDir = join(work, 'capture');
    const facts = await writeLiveCapture(captureDir, new VirtualClock(Date.now()), RESOLVE_AFTER_MS);
    const playback = new PlaybackServer({ capture: readCapture(captureDir), clock: new SystemClock(), speed: 1, host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, logger: createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }) });
    await playback.listen();
    stops.push(() => playback.close());

    const overlay = parse(playbackOverlay(playback.urls())) as Record<string, Record<string, unknown>>;
    overlay.weather = { ...overlay.weather, stations: [{ id: 'KLGA', tz: 'America/New_York', pws: [], model_path: model }], nowcast: { recompute_interval_ms: 2000 } };
    const configFile = join(work, 'live.yaml');
    writeFileSync(configFile, stringify(overlay));
    const dataDir = tempDir();
    const daemon = start(['run', '--live', '--config', configFile, '--port', '0', '--data-dir', dataDir]);
    const api = await daemon.apiUrl(30_000);

    // Discovery selected the event's eleven bucket markets.
    await vi.waitFor(async () => expect((await getJson(`${api}/markets`)) as unknown[]).toHaveLength(11), { timeout: 20_000, interval: 250 });
    const winner = facts.markets.find((m) => m.title === facts.winner)!;

    // Every token's mirror equals the captured venue's book (the change on the winner's YES included).
    await vi.waitFor(
      async () => {
        const { books } = (await getJson(`${api}/books`)) as { books: Array<{ token_id: string; synced: boolean; bids: Array<[number, number]>; asks: Array<[number, number]> }> };
        const mirrored = Object.fromEntries(books.map((b) => [b.token_id, { bids: b.bids, asks: b.asks }]));
        expect(books.every((b) => b.synced)).toBe(true);
        expect(mirrored).toEqual(facts.books);
      },
      { timeout: 15_000, interval: 250 },
    );

    // The nowcast for KLGA's judge day over exactly the event's buckets, once it has taken in the
    // day's METARs (one issued before them, from the prior alone, may come first under load), most mass on 88-89 °F.
    const eventLabels = facts.markets.map((m) => m.title).sort();
    const nowcast = await vi.waitFor(
      () => {
        const all = journalRecords(dataDir, 'nowcast').filter((e) => e.type === 'NOWCAST' && e.station_id === 'KLGA');
        const n = all.filter((e) => JSON.stringify(e.payload.buckets.map((b: { label: string }) => b.label).sort()) === JSON.stringify(eventLabels) && e.payload.max_so_far_f !== null).at(-1);
        expect(n, `a NOWCAST over the event's buckets after the METARs (last: ${JSON.stringify(all.at(-1)?.payload.buckets.map((b: { label: string }) => b.label))}, max so far ${all.at(-1)?.payload.max_so_far_f})`).toBeDefined();
        // The three reports come in one answer but reach the nowcast as events: under load a
        // recompute may fall between them (84 °F from the first alone); the latest must reach 88.
        expect(n!.payload.max_so_far_f).toBe(88);
        return n!;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(nowcast.payload.judge_day).toBe(facts.judgeDate);
    // KLGA's layout comes from discovery: no NOWCAST of the run is over self-centred buckets.
    const klga = journalRecords(dataDir, 'nowcast').filter((e) => e.type === 'NOWCAST' && e.station_id === 'KLGA');
    expect(klga.filter((e) => JSON.stringify(e.payload.buckets.map((b: { label: string }) => b.label).sort()) !== JSON.stringify(eventLabels))).toEqual([]);
    const best = [...nowcast.payload.buckets].sort((a: { p: number }, b: { p: number }) => b.p - a.p)[0];
    expect(best.label).toBe(facts.winner);

    // Paper orders, and at least one fill.
    await vi.waitFor(() => expect(journalRecords(dataDir).some((e) => e.type === 'FILL')).toBe(true), { timeout: RESOLVE_AFTER_MS, interval: 250 });
    const filledTokens = new Set(journalRecords(dataDir).filter((e) => e.type === 'FILL').map((e) => e.token_id as string));
    expect(journalRecords(dataDir).some((e) => e.type === 'ORDER_UPDATE')).toBe(true);

    // The venue resolves the event: every held market settles (RESOLVED) and its positions pay out.
    await vi.waitFor(
      () => {
        const resolvedStates = journalRecords(dataDir).filter((e) => e.type === 'MARKET_STATE' && e.payload.state === 'RESOLVED').map((e) => e.market_id as string);
        const held = facts.markets.filter((m) => filledTokens.has(m.yes) || filledTokens.has(m.no)).map((m) => m.condition_id);
        expect(held.length).toBeGreaterThan(0);
        expect(held.filter((id) => !resolvedStates.includes(id))).toEqual([]);
      },
      { timeout: RESOLVE_AFTER_MS + 30_000, interval: 500 },
    );
    const resolved = journalRecords(dataDir).filter((e) => e.type === 'MARKET_RESOLVED');
    expect(resolved.find((e) => e.market_id === winner.condition_id)?.payload.winning_token_id).toBe(winner.yes);
    const positions = journalRecords(dataDir).filter((e) => e.type === 'POSITION');
    for (const token of filledTokens) expect(positions.filter((p) => p.token_id === token).at(-1)?.payload.shares, `position of ${token} after resolution`).toBe(0);

    daemon.kill('SIGTERM');
    const exit = await daemon.exited;
    expect(exit.code).toBe(0);
  });
});
