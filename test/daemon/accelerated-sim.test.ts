import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalRecords } from './support/daemon-io.ts';
import { processScope } from './support/helios-process.ts';

/**
 * `helios run --speed 60`: a tenth of a real second is six simulated ones, so any stall of the
 * process (start-up, a collection, a loaded machine) leaves the trading node a backlog spanning
 * tens of simulated seconds. The node keeps time by its inputs: the backlog must reach it in
 * publish order, and no tick may move its time past inputs still unread on the bus, or it judges
 * fresh books stale and halts their markets (72 `stale_book` halts in 45 s before this was so).
 */

const { start, tempDir } = processScope('helios-speed-');
const BOOK_STALE_MS = 10_000;

describe('helios run --speed 60', () => {
  it('keeps the trading node on its inputs’ time: no market halts for books that were fresh, no reconnects', { timeout: 120_000 }, async () => {
    const dataDir = tempDir();
    const daemon = start(['run', '--port', '0', '--data-dir', dataDir, '--speed', '60', '--duration', '20']);
    const { code } = await daemon.exited;
    expect(code, daemon.stderr.slice(-2000)).toBe(0);
    const [summary] = daemon.jsonOfKind('run_summary');
    expect(summary).toMatchObject({ reconnects: 0, errors: 0 });

    const dispatchDir = path.join(dataDir, 'dispatch');
    const [file] = readdirSync(dispatchDir).filter((f) => f.endsWith('.ndjson'));
    const inputs = readFileSync(path.join(dispatchDir, file!), 'utf8').split('\n').filter(Boolean).slice(1).map((l) => JSON.parse(l) as { tick?: number; event?: { ts_ingest: number } });
    expect(inputs.length).toBeGreaterThan(5_000);
    // How far an input's time lies behind the latest time the node had already been given.
    let latest = 0;
    let worstBehind = 0;
    for (const input of inputs) {
      const t = input.tick ?? input.event!.ts_ingest;
      worstBehind = Math.max(worstBehind, latest - t);
      latest = Math.max(latest, t);
    }
    expect(worstBehind).toBeLessThan(BOOK_STALE_MS / 2);

    const staleHalts = journalRecords(dataDir, 'risk').filter((e) => e.type === 'MARKET_STATE' && e.payload.reason === 'stale_book');
    expect(staleHalts).toEqual([]);
  });
});
