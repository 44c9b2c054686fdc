import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { readPaperState } from '../../src/adapters/storage/paper-state-file.ts';
import { processScope, runningDaemon, type HeliosProcess } from './support/helios-process.ts';

/**
 * The carried paper ledger keeps no fill awaiting its answer: one still waiting for its
 * CONFIRMED/FAILED when the session ends is carried as matched and the next session cannot hear
 * its answer. The rule stays, but the operator is told: a warning at the final save naming each
 * such fill (market, fill, order, and its trade: token, side, size, price) and their count in the run summary. A crash has no final save:
 * every save names the fills it carries unanswered, and the next start tells of those of a save no
 * clean stop wrote.
 */

const scope = processScope('helios-paper-unconfirmed-');

interface WarnedFill {
  market_id: string;
  fill_id: string;
  client_order_id: string | null;
  token_id: string;
  side: 'BUY' | 'SELL';
  size: number;
  price: number;
}

/** The paper venue answers an hour after the match: every fill of a short session still waits at its end. */
const ANSWER_IN_AN_HOUR = { HELIOS_EXECUTION__PAPER__CONFIRM_DELAY_MS: '3600000' };

/** The daemon's `paper state:` warnings that name fills. */
function fillWarnings(daemon: HeliosProcess): Array<{ msg: string; fills: WarnedFill[] }> {
  return daemon.lines.flatMap((l) => {
    if (!l.startsWith('{')) return [];
    const entry = JSON.parse(l) as { msg?: string; fills?: WarnedFill[] };
    return entry.msg?.startsWith('paper state:') && entry.fills ? [{ msg: entry.msg, fills: entry.fills }] : [];
  });
}

describe('a paper session ending with fills still awaiting their answer', () => {
  it('SIGTERM: a warning names each fill the saved state carries as matched, and the run summary counts them', { timeout: 180_000 }, async () => {
    const dir = scope.tempDir();
    const dataDir = path.join(dir, 'data');
    const decisionsFile = path.join(dir, 'decisions.ndjson');
    const { daemon } = await runningDaemon(scope, dataDir, ['--decisions-out', decisionsFile], ANSWER_IN_AN_HOUR);
    await vi.waitFor(() => expect(readPaperState(dataDir)?.venue.length ?? 0).toBeGreaterThan(0), { timeout: 60_000, interval: 250 });
    daemon.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);

    const warnings = fillWarnings(daemon);
    expect(warnings).toHaveLength(1);
    const warned = warnings[0]!.fills;
    expect(warned.length).toBeGreaterThan(0);
    const [summary] = daemon.jsonOfKind('run_summary');
    expect(summary).toMatchObject({ unconfirmed_fills_carried: warned.length });
    // Every fill the session recorded as MATCHED without an answer is named, with its market, order and trade.
    const recorded = readFileSync(decisionsFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; market_id: string; token_id?: string; payload: Record<string, unknown> });
    const matched = recorded.filter((e) => e.type === 'FILL' && e.payload.status === 'MATCHED');
    expect(matched.length).toBeGreaterThan(0);
    expect(recorded.filter((e) => e.type === 'FILL' && e.payload.status !== 'MATCHED')).toEqual([]);
    for (const f of matched) {
      const { fill_id, client_order_id, side, size, price } = f.payload;
      expect(warned).toContainEqual({ market_id: f.market_id, fill_id, client_order_id, token_id: f.token_id, side, size, price });
    }
    // The rule itself stays: the saved ledgers hold no pending fills, their shares are carried.
    const saved = readPaperState(dataDir)!;
    for (const m of Object.values(saved.markets)) expect(m.ledger).not.toHaveProperty('pending');
    // The file names them too, as a clean stop's: the next start does not tell of them again.
    expect(saved).toMatchObject({ unanswered_fills: warned, clean_stop: true });
  });

  it('SIGKILL: the next start warns naming each fill the last save carried unanswered, and its run summary counts them', { timeout: 240_000 }, async () => {
    const dataDir = path.join(scope.tempDir(), 'data');
    const first = (await runningDaemon(scope, dataDir, [], ANSWER_IN_AN_HOUR)).daemon;
    await vi.waitFor(() => expect(readPaperState(dataDir)?.venue.length ?? 0).toBeGreaterThan(0), { timeout: 60_000, interval: 250 });
    first.kill('SIGKILL');
    await first.exited;
    // A crash tells nobody.
    expect(fillWarnings(first)).toEqual([]);
    const saved = readPaperState(dataDir)!;

    const second = (await runningDaemon(scope, dataDir, [], ANSWER_IN_AN_HOUR)).daemon;
    await vi.waitFor(() => expect(fillWarnings(second).map((w) => w.msg)).toContainEqual(expect.stringContaining('did not stop cleanly')), { timeout: 15_000 });
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const [atStart, ...atStop] = fillWarnings(second);
    expect(atStart!.msg).toContain('at the last save of the previous session, which did not stop cleanly');
    const warned = atStart!.fills;
    expect(warned.length).toBeGreaterThan(0);
    // Each named by market, fill, order and trade: fills of the markets the crashed session carried.
    for (const f of warned) {
      expect(f).toEqual({ market_id: expect.any(String), fill_id: expect.any(String), client_order_id: expect.any(String), token_id: expect.any(String), side: expect.stringMatching(/^(BUY|SELL)$/), size: expect.any(Number), price: expect.any(Number) });
      expect(Object.keys(saved.markets)).toContain(f.market_id);
    }
    expect(warned).toEqual(saved.unanswered_fills);
    const restored = second.lines.find((l) => l.includes('paper state restored:'));
    expect(JSON.parse(restored!)).toMatchObject({ unconfirmed_fills_carried: warned.length });
    // The stop tells of its own session's fills only (those carried from the crash are matched for good now); the summary counts both.
    expect(atStop.length).toBeLessThanOrEqual(1);
    const toldAtStop = atStop[0]?.fills ?? [];
    for (const f of toldAtStop) expect(warned.map((w) => w.fill_id)).not.toContain(f.fill_id);
    const [summary] = second.jsonOfKind('run_summary');
    expect(summary).toMatchObject({ unconfirmed_fills_carried: warned.length + toldAtStop.length });
  });
});
