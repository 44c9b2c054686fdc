import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tempDir } from '../replay/support.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { nextSession, sessionFile } from '../../src/adapters/storage/session-counter.ts';
import { SEQ_PER_SESSION, sessionSeqBase } from '../../src/runtime/trading/trading-node.ts';
import { flush, offerLockablePair, paperTradingNode, spec } from '../trading/support.ts';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

function dataDir(): string {
  const { dir, cleanup } = tempDir('helios-session-');
  cleanups.push(cleanup);
  return dir;
}

function capturing() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  return { logger: createLogger({ destination: stream, format: 'json', level: 'info' }), lines };
}

// The counter itself (first run, corruption, recovery from the journal): test/storage/session-counter.test.ts.

/** A trading node on the paper venue deciding on the same books as any other built the same way. */
function tradingRun(seqBase: number) {
  return paperTradingNode(spec({ strategies: { pair_arb: true, temporal: false } }), seqBase);
}

/** The client order ids the same mispriced books make one run place. */
async function orderIds(seqBase: number): Promise<string[]> {
  const r = tradingRun(seqBase);
  await r.node.start();
  await flush();
  await offerLockablePair(r);
  await r.node.stop();
  const ids = r.sink.events.filter((e) => e.type === 'ORDER_UPDATE').map((e) => (e.payload as { client_order_id: string }).client_order_id);
  return [...new Set(ids)];
}

describe('client order ids across sessions', () => {
  it('two runs on the same data directory place the same decisions under disjoint ids', async () => {
    const dir = dataDir();
    const first = await orderIds(sessionSeqBase(nextSession(dir)));
    const second = await orderIds(sessionSeqBase(nextSession(dir)));
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBe(first.length);
    const firstSet = new Set(first);
    expect(second.filter((id) => firstSet.has(id))).toEqual([]);
    // Same decisions: the ids differ only by the session's sequence range.
    const shift = (id: string, by: number) => id.replace(/-(\d+)$/, (_m, n: string) => `-${Number(n) + by}`);
    expect(first.map((id) => shift(id, SEQ_PER_SESSION))).toEqual(second);
    // Deterministic for a given session.
    expect(await orderIds(sessionSeqBase(1))).toEqual(first);
  });
});
