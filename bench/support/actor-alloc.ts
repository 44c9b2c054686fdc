/**
 * Bytes allocated per event by a market actor deciding on book signals, beside a bare XState actor
 * doing one assign per event (the trading benchmark's reference), from V8's sampling heap profiler
 * counting what young collections free too: allocation is what sets how often they run. Prints
 * each total and, with `TOP=N`, the N largest allocation sites.
 *
 * `node --import tsx bench/support/actor-alloc.ts [EVENTS]`
 */
import { Session } from 'node:inspector/promises';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { bareAssignActor, bookEvent, books, marketSpec, startMarketActor, tradingConfig } from './market-actor-fixtures.ts';

interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}

const events = Number(process.argv[2] ?? 100_000);
const top = Number(process.env.TOP ?? 0);
const session = new Session();
session.connect();

async function bytesPerEvent(label: string, send: (i: number) => void): Promise<void> {
  for (let i = 0; i < 20_000; i++) send(i);
  await session.post('HeapProfiler.startSampling', { samplingInterval: 32, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true } as never);
  for (let i = 0; i < events; i++) send(i);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SampleNode } };
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: SampleNode) => {
    if (node.selfSize) {
      const site = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/.*\/(src|node_modules)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  console.log(`${label}: ${Math.round(total / events)} B per event`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${String(Math.round(bytes / events)).padStart(6)} B  ${site}`);
}

const bare = bareAssignActor();
const tick = { type: 'BOOK' as const };
await bytesPerEvent('bare XState actor, one assign', () => bare.send(tick));

const clock = new VirtualClock(1_000_000);
const spec = marketSpec('m0');
const actor = startMarketActor(spec, tradingConfig(), clock);
const bs = books(16);
const signals = Array.from({ length: 64 }, (_, i) => bookEvent(i % 2 ? spec.no_token : spec.yes_token, bs[i % 16]!, clock.now()));
await bytesPerEvent('market actor, BOOK signals (deciding, never trading)', (i) => actor.send(signals[i % 64]!));
if (actor.getSnapshot().value !== 'IDLE') throw new Error(`unexpected state ${String(actor.getSnapshot().value)}`);
session.disconnect();
