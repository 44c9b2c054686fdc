import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { readPaperState } from '../../src/adapters/storage/paper-state-file.ts';
import { processScope, runningDaemon } from './support/helios-process.ts';

/**
 * The carried paper ledger keeps no fill awaiting its answer: one still waiting for its
 * CONFIRMED/FAILED when the session ends is carried as matched and the next session cannot hear
 * its answer. The rule stays, but the operator is told: a warning at the final save naming each
 * such fill (market, fill, order) and their count in the run summary.
 */

const scope = processScope('helios-paper-unconfirmed-');

interface WarnedFill {
  market_id: string;
  fill_id: string;
  client_order_id: string | null;
}

describe('a paper session ending with fills still awaiting their answer', () => {
  it('SIGTERM: a warning names each fill the saved state carries as matched, and the run summary counts them', { timeout: 180_000 }, async () => {
    const dir = scope.tempDir();
    const dataDir = path.join(dir, 'data');
    const decisionsFile = path.join(dir, 'decisions.ndjson');
    // The paper venue answers an hour after the match: every fill of this short session still waits at its end.
    const { daemon } = await runningDaemon(scope, dataDir, ['--decisions-out', decisionsFile], { HELIOS_EXECUTION__PAPER__CONFIRM_DELAY_MS: '3600000' });
    await vi.waitFor(() => expect(readPaperState(dataDir)?.venue.length ?? 0).toBeGreaterThan(0), { timeout: 60_000, interval: 250 });
    daemon.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);

    const warnings = daemon.lines.flatMap((l) => {
      if (!l.startsWith('{')) return [];
      const entry = JSON.parse(l) as { msg?: string; fills?: WarnedFill[] };
      return entry.msg?.startsWith('paper state:') && entry.fills ? [entry] : [];
    });
    expect(warnings).toHaveLength(1);
    const warned = warnings[0]!.fills!;
    expect(warned.length).toBeGreaterThan(0);
    const [summary] = daemon.jsonOfKind('run_summary');
    expect(summary).toMatchObject({ unconfirmed_fills_carried: warned.length });
    // Every fill the session recorded as MATCHED without an answer is named, with its market and order.
    const recorded = readFileSync(decisionsFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; market_id: string; payload: Record<string, unknown> });
    const matched = recorded.filter((e) => e.type === 'FILL' && e.payload.status === 'MATCHED');
    expect(matched.length).toBeGreaterThan(0);
    expect(recorded.filter((e) => e.type === 'FILL' && e.payload.status !== 'MATCHED')).toEqual([]);
    for (const f of matched) expect(warned).toContainEqual({ market_id: f.market_id, fill_id: f.payload.fill_id, client_order_id: f.payload.client_order_id });
    // The rule itself stays: the saved ledgers hold no pending fills, their shares are carried.
    const saved = readPaperState(dataDir)!;
    for (const m of Object.values(saved.markets)) expect(m.ledger).not.toHaveProperty('pending');
  });
});
