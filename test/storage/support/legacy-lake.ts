import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listParquetFiles, manifestFile, parquetRoot } from '../../../src/adapters/storage/layout.ts';
import { openDuckDb, sqlString, type DuckDbOptions } from '../../../src/adapters/storage/parquet/duckdb.ts';
import type { DateManifest } from '../../../src/adapters/storage/parquet/manifest.ts';

/**
 * Turns a lake compacted by this version into what the previous version wrote for the same
 * journal: one part per (market | station | market=_global, channel, hour) under
 * `parquet/{market|station}=ID/date=D/ch=C/part-00HH.parquet`, without pkind/pid columns, each
 * part's rows in journal order, and manifests listing those paths. Only `hours` (all when omitted)
 * are converted, so a test can hold a lake of both layouts.
 */
export async function rewriteAsLegacyLake(dataDir: string, duckdb: DuckDbOptions, hours?: ReadonlySet<string>): Promise<void> {
  const root = parquetRoot(dataDir);
  const db = await openDuckDb(duckdb);
  const renamed = new Map<string, string[]>();
  try {
    for (const part of await listParquetFiles(dataDir)) {
      if (part.legacyPartition !== null || (hours && !hours.has(part.hour))) continue;
      const tmp = mkdtempSync(path.join(root, '.legacy-'));
      // The previous version's partition key, as its COPY computed it.
      await db.connection.run(
        `COPY (SELECT *, CASE WHEN market_id IS NULL AND station_id IS NOT NULL THEN 'station' ELSE 'market' END AS pkind,
                  coalesce(market_id, station_id, '_global') AS pid FROM read_parquet(${sqlString(part.path)}))
           TO ${sqlString(tmp)} (FORMAT parquet, PARTITION_BY (pkind, pid), FILENAME_PATTERN 'part-{i}')`,
      );
      const rels: string[] = [];
      for (const k of readdirSync(tmp)) {
        for (const v of readdirSync(path.join(tmp, k))) {
          const rel = path.join(`${k.replace(/^pkind=/, '')}=${v.replace(/^pid=/, '')}`, `date=${part.date}`, `ch=${part.channel}`, path.basename(part.path));
          mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
          renameSync(path.join(tmp, k, v, 'part-0.parquet'), path.join(root, rel));
          rels.push(rel);
        }
      }
      rmSync(tmp, { recursive: true });
      unlinkSync(part.path);
      renamed.set(path.relative(root, part.path), rels);
    }
  } finally {
    db.close();
  }
  for (const date of new Set((await listParquetFiles(dataDir)).map((f) => f.date))) {
    const file = manifestFile(dataDir, date);
    const m = JSON.parse(readFileSync(file, 'utf8')) as DateManifest;
    for (const h of Object.values(m.hours)) h.files = h.files.flatMap((f) => renamed.get(f) ?? [f]).sort();
    writeFileSync(file, JSON.stringify(m, null, 1) + '\n');
  }
}
