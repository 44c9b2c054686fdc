import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { BucketMarketRef } from '../../domain/replay/bucket-resolution.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { marketSpecSchema } from '../../domain/events/payloads/market.ts';
import { plainData, stableStringify } from '../../domain/util/stable-json.ts';

/**
 * A market as replay trades it: its spec plus what feeds its fair value (the station whose
 * NOWCAST prices a bucket market, the match whose TRUTH_STATE prices an esports market), and for
 * a bucket market what it settles on, so that a backtest can score its recorded resolution.
 */
export interface ReplayMarket {
  spec: MarketSpec;
  station_id: string | null;
  match_id: string | null;
  /** A bucket market's judge day and bounds (°F, null: open); absent in catalogs written before it was recorded. */
  bucket?: MarketBucket | null;
}

export interface MarketBucket {
  judge_day: string;
  lo_f: number | null;
  hi_f: number | null;
}

/**
 * The market catalog lives beside the journal (`<data_dir>/markets.json`): the recorded tapes name
 * markets and tokens but not which token is YES, which bucket a market is, or which match it
 * follows, and decisions need all three. Whoever records a day writes it.
 */
export const MARKET_CATALOG_FILE = 'markets.json';

const specSchema = marketSpecSchema;
const catalogSchema = z.strictObject({
  version: z.literal(1),
  markets: z.array(
    z.strictObject({
      spec: specSchema,
      station_id: z.string().nullable(),
      match_id: z.string().nullable(),
      bucket: z.strictObject({ judge_day: z.iso.date(), lo_f: z.number().nullable(), hi_f: z.number().nullable() }).nullable().optional(),
    }),
  ),
});

export function catalogPath(dataDir: string): string {
  return path.join(dataDir, MARKET_CATALOG_FILE);
}

/** The catalog of `dataDir`, or null when there is none; a malformed one throws (naming the field). */
export async function readMarketCatalog(dataDir: string): Promise<ReplayMarket[] | null> {
  let text: string;
  try {
    text = await readFile(catalogPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = catalogSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${catalogPath(dataDir)}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return sortMarkets(parsed.data.markets);
}

/** Writes the catalog atomically (aside, then rename), markets sorted by id. */
export async function writeMarketCatalog(dataDir: string, markets: readonly ReplayMarket[]): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = catalogPath(dataDir);
  await writeFile(`${file}.tmp`, stableStringify(plainData({ version: 1, markets: sortMarkets(markets) })) + '\n');
  await rename(`${file}.tmp`, file);
}

/**
 * `earlier` with `mine` merged in: a market in both takes `mine`'s record, except the bucket it
 * settles on when `mine` no longer knows it (its day's layout left once the day was over, before the
 * market retired), which stays as recorded.
 */
export function mergeMarketCatalog(earlier: readonly ReplayMarket[], mine: readonly ReplayMarket[]): ReplayMarket[] {
  const byId = new Map(earlier.map((m) => [m.spec.market_id, m]));
  for (const m of mine) byId.set(m.spec.market_id, { ...m, bucket: m.bucket ?? byId.get(m.spec.market_id)?.bucket ?? null });
  return sortMarkets([...byId.values()]);
}

export function sortMarkets(markets: readonly ReplayMarket[]): ReplayMarket[] {
  return [...markets].sort((a, b) => (a.spec.market_id < b.spec.market_id ? -1 : a.spec.market_id > b.spec.market_id ? 1 : 0));
}

/** The catalog's bucket markets with what each settles on (those recorded with station and bucket). */
export function bucketMarketRefs(markets: readonly ReplayMarket[] | null): BucketMarketRef[] {
  const out: BucketMarketRef[] = [];
  for (const m of markets ?? []) {
    if (m.spec.fair_source.kind !== 'nowcast' || m.station_id === null || !m.bucket) continue;
    const { yes_token, no_token } = m.spec.fair_source;
    out.push({ market_id: m.spec.market_id, yes_token, no_token, station_id: m.station_id, ...m.bucket });
  }
  return out;
}
