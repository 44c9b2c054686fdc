import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { nextSession, sessionFile } from '../../src/adapters/storage/session-counter.ts';
import { SEQ_PER_SESSION, sessionSeqBase, TradingNode } from '../../src/runtime/trading/trading-node.ts';
import type { UniverseMarket } from '../../src/sim/sim-universe.ts';
import type { L2Book } from '../../src/domain/book/l2-book.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { book, bookSignal, defaultSections, flush, offerLockablePair, spec } from '../trading/support.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'helios-session-'));
  dirs.push(d);
  return d;
}

function capturing() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  return { logger: createLogger({ destination: stream, format: 'json', level: 'info' }), lines };
}

describe('session counter', () => {
  it('counts sessions of a data directory from 1, written atomically', async () => {
    const dir = dataDir();
    const { logger, lines } = capturing();
    expect(nextSession(dir, logger)).toBe(1);
    expect(nextSession(dir, logger)).toBe(2);
    expect(nextSession(dir, logger)).toBe(3);
    expect(JSON.parse(readFileSync(sessionFile(dir), 'utf8'))).toEqual({ session: 3 });
    // No temp file left behind next to it.
    expect(readdirSync(path.dirname(sessionFile(dir)))).toEqual(['session.json']);
    await flush();
    expect(lines.filter((l) => l.includes('no session counter yet'))).toHaveLength(1);
  });

  it('starts again at 1 with a warning when the file is unreadable, and never throws', async () => {
    for (const content of ['{oops', '{"session":"7"}', '{"session":-3}', '']) {
      const dir = dataDir();
      mkdirSync(path.dirname(sessionFile(dir)), { recursive: true });
      writeFileSync(sessionFile(dir), content);
      const { logger, lines } = capturing();
      expect(nextSession(dir, logger), content).toBe(1);
      expect(nextSession(dir, logger), content).toBe(2);
      await flush();
      expect(lines.some((l) => l.includes('session counter unreadable')), content).toBe(true);
    }
    // A data directory that cannot hold the file: the session is still handed out.
    const blocked = dataDir();
    writeFileSync(path.join(blocked, 'state'), 'a file where the directory should be');
    const { logger, lines } = capturing();
    expect(nextSession(blocked, logger)).toBe(1);
    await flush();
    expect(lines.some((l) => l.includes('could not write the session counter'))).toBe(true);
  });
});

/** A trading node on the paper venue deciding on the same books as any other built the same way. */
function tradingRun(seqBase: number) {
  const clock = new VirtualClock(1_700_000_000_000);
  const cfg = defaultSections();
  cfg.execution.paper.fail_probability = 0;
  const books = new Map<string, L2Book>();
  const sink = new CollectingSink();
  const market: UniverseMarket = { spec: spec({ strategies: { pair_arb: true, temporal: false } }), venue: null as never, match_id: null, station_id: null };
  const node = new TradingNode({
    config: cfg,
    clock,
    sink,
    events: new EventFactory(clock, ulidGenerator(seededRng(1))),
    markets: [market],
    feedBook: (t) => books.get(t) ?? null,
    seqBase,
    onError: (err) => {
      throw err;
    },
  });
  const setBook = (token: string, b: L2Book) => {
    books.set(token, b);
    node.paper!.onBookUpdated(token);
    node.runtime.onBook(bookSignal(token, b, clock.now()));
  };
  return { clock, sink, node, setBook };
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
