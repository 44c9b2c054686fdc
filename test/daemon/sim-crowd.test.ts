import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { readMarketCatalog } from '../../src/adapters/storage/market-catalog.ts';
import { Daemon } from '../../src/apps/daemon/daemon.ts';
import { loadConfig } from '../../src/config/load.ts';
import { getJson, journalRecords } from './support/daemon-io.ts';

/**
 * The embedded venue's crowd hears the daemon's model: late in a station's day, when the nowcast
 * already puts the day's high in one bucket, that bucket's YES price climbs from where it was
 * listed toward the nowcast (as a venue's crowd learns from the same observations); with
 * `daemon.sim.crowd_follows_model: false` it stays around its listing price.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DAY = '2026-12-08';

/**
 * An evening of the station's day with the crowd following the model or not: `until` holds the
 * run while it returns false (polled each 250 ms, at most `maxMs`). Returns the day's bucket
 * markets' YES mids at the end, by label, and the last nowcast's p of each.
 */
async function runEvening(crowdFollows: boolean, until: (mids: number[]) => boolean, maxMs: number) {
  const { config } = loadConfig({
    env: {},
    // The venue's order flow runs in real time, not on the simulated clock: raised, so the books
    // can follow their crowd within seconds at 60×.
    overrides: { 'daemon.sim.start_at': `${DAY}T20:00:00-05:00`, 'daemon.sim.crowd_follows_model': crowdFollows, 'daemon.sim.venue_events_per_s': 1000 },
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-sim-crowd-'));
  dirs.push(dataDir);
  const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
  const daemon = new Daemon({ config, secrets: {}, logger, mode: 'sim', speed: 60, dataDir, inspect: false, apiPort: 0 });
  await daemon.start();
  const buckets = (await readMarketCatalog(dataDir))!.filter((m) => m.bucket?.judge_day === DAY);
  const midOf = async (token: string) => {
    const [b] = (await getJson(`${daemon.url}/books?token_id=${token}`)).books as Array<{ best_bid: number | null; best_ask: number | null }>;
    return b && b.best_bid !== null && b.best_ask !== null ? (b.best_bid + b.best_ask) / 2 : 0;
  };
  const mids = () => Promise.all(buckets.map((m) => midOf(m.spec.yes_token)));
  const deadline = Date.now() + maxMs;
  let last = await mids();
  try {
    while (!until(last) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      last = await mids();
    }
  } finally {
    expect(await daemon.stop()).toBe(0);
  }
  const nowcast = journalRecords(dataDir, 'nowcast').filter((e) => e.type === 'NOWCAST' && e.payload.judge_day === DAY).at(-1)!;
  const p = (label: string) => (nowcast.payload.buckets as Array<{ label: string; p: number }>).find((b) => b.label === label)?.p ?? 0;
  return buckets.map((m, i) => ({ label: m.spec.fair_source.kind === 'nowcast' ? m.spec.fair_source.bucket_label : '', mid: last[i]!, p: p(m.spec.fair_source.kind === 'nowcast' ? m.spec.fair_source.bucket_label : '') }));
}

describe('the embedded venue’s crowd', () => {
  it('prices the bucket the nowcast is sure of toward the nowcast, and stays put when it does not follow the model', { timeout: 120_000 }, async () => {
    // Listed around the likely maximum, no bucket opens above about 0.2; that evening (seed 42)
    // the nowcast puts the day's high in one bucket.
    const risen = (mids: number[]) => mids.some((m) => m > 0.75);
    const follows = await runEvening(true, risen, 60_000);
    const top = follows.reduce((a, b) => (b.p > a.p ? b : a));
    expect(top.p).toBeGreaterThan(0.9);
    // Within the crowd's bias (±0.15) and the book's spread of the model.
    expect(top.mid, top.label).toBeGreaterThan(0.75);
    expect(follows.filter((b) => b.mid > 0.75).map((b) => b.label)).toEqual([top.label]);
    const frozen = await runEvening(false, () => false, 10_000);
    // Its order flow alone moves a listed price a little (0.36 at most seen), nowhere near the model's 0.99.
    expect(Math.max(...frozen.map((b) => b.mid))).toBeLessThan(0.6);
  });
});
