import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listParquetFiles, parquetRoot } from '../../src/adapters/storage/layout.ts';
import { compactJournal } from '../../src/adapters/storage/parquet/compactor.ts';
import { queryLake } from '../../src/adapters/storage/parquet/query.ts';
import { JournalReplaySource } from '../../src/adapters/storage/replay/journal-source.ts';
import { ParquetReplaySource } from '../../src/adapters/storage/replay/parquet-source.ts';
import { applyRetention } from '../../src/adapters/storage/retention.ts';
import type { ReplaySource } from '../../src/domain/replay/source.ts';
import { serializeEnvelope } from '../../src/domain/util/stable-json.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { rewriteAsLegacyLake } from './support/legacy-lake.ts';
import { MARKET, STATION, syntheticEvents, T0 } from './support/synthetic.ts';

/**
 * A lake written by the previous version (one part per market or station, channel and hour under
 * `market=ID/…`) is read as it is, and `helios compact` rewrites each hour of it whose journal is
 * still there into the channel-hour layout.
 */
const DUCK = { threads: 1, memory_limit: '512MB' };
const FROM = T0 - 60_000;
const TO = T0 + 120_000;

let dir: string;
let cleanup: () => void;
let journalLines = 0;

beforeAll(async () => {
  ({ dir, cleanup } = tempDataDir('helios-legacy-lake-'));
  const { recorder } = makeRecorder(dir);
  for (const e of syntheticEvents({ start: FROM, durationMs: TO - FROM, metarAtMs: [40_000], deltaEveryMs: 1000 })) recorder.emit(e);
  await recorder.close();
  journalLines = recorder.stats().written;
  await compactJournal({ dataDir: dir, now: T0 + 86_400_000, duckdb: DUCK });
});
afterAll(() => cleanup());

async function replayed(source: ReplaySource): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of source.read({ from: FROM, to: TO + 60_000 })) for (const r of chunk) out.push(`${r.ts}/${r.seq} ${serializeEnvelope(r.event)}`);
  return out;
}

async function perEntity(): Promise<unknown[]> {
  const r = await queryLake(dir, 'SELECT ch, market_id, station_id, count(*) AS n, count(DISTINCT event_id) AS ids FROM events GROUP BY ALL ORDER BY ALL', DUCK);
  return r.rows;
}

describe('a lake in the legacy per-market layout', () => {
  let current: unknown[];
  let fromJournal: string[];

  it('is read as it is by the views, replay and retention', async () => {
    current = await perEntity();
    fromJournal = await replayed(new JournalReplaySource(dir));
    expect(fromJournal.length).toBe(journalLines);

    await rewriteAsLegacyLake(dir, DUCK, new Set(['16']));
    const files = await listParquetFiles(dir);
    // A lake of both layouts: hour 16 per market, hour 17 per channel.
    expect(new Set(files.map((f) => `${f.hour} ${f.legacyPartition === null ? 'current' : 'legacy'}`))).toEqual(new Set(['16 legacy', '17 current']));
    await rewriteAsLegacyLake(dir, DUCK);
    const legacy = await listParquetFiles(dir);
    expect(legacy.every((f) => f.legacyPartition !== null)).toBe(true);
    expect(new Set(legacy.map((f) => f.legacyPartition))).toEqual(new Set([`market=${MARKET}`, `station=${STATION}`, 'market=_global']));

    expect(await perEntity()).toEqual(current);
    expect((await queryLake(dir, 'SELECT count(*) AS n FROM l2', DUCK)).rows[0]!.n).toBeGreaterThan(0);
    expect(await replayed(new ParquetReplaySource(dir, DUCK, 30_000))).toEqual(fromJournal);

    // Retention sees its partitions (dry run: the journal dates are not expired, the Parquet ones are).
    const plan = await applyRetention({
      dataDir: dir,
      policy: { ndjson_days: 10_000, parquet_months: 1, window_channels: ['window'], windows_months: 1_000, require_compacted: true },
      today: '2026-06-01',
      dryRun: true,
    });
    expect(plan.removed).toContain(path.join(parquetRoot(dir), `market=${MARKET}`, 'date=2026-01-29', 'ch=l2'));
    expect(plan.removed).not.toContain(path.join(parquetRoot(dir), `station=${STATION}`, 'date=2026-01-29', 'ch=window'));
  });

  it('is rewritten in the channel-hour layout by the next compaction while its journal is there, nothing lost or doubled', async () => {
    const r = await compactJournal({ dataDir: dir, now: T0 + 86_400_000, duckdb: DUCK });
    expect(r).toMatchObject({ hours_compacted: 2, hours_unchanged: 0, rows: journalLines });
    const files = await listParquetFiles(dir);
    expect(files.every((f) => f.legacyPartition === null)).toBe(true);
    expect(existsSync(path.join(parquetRoot(dir), `market=${MARKET}`, 'date=2026-01-29', 'ch=l2'))).toBe(false);
    expect(await perEntity()).toEqual(current);
    expect(await replayed(new ParquetReplaySource(dir, DUCK, 30_000))).toEqual(fromJournal);
    // Then it is an ordinary lake: unchanged hours are skipped.
    expect(await compactJournal({ dataDir: dir, now: T0 + 86_400_000, duckdb: DUCK })).toMatchObject({ hours_compacted: 0, hours_unchanged: 2 });
  });
});
