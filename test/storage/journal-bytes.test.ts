import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { readJournalFile } from '../../src/adapters/storage/journal/reader.ts';
import { HumanTimeCache, recordLine } from '../../src/adapters/storage/journal/record.ts';
import { journalFile } from '../../src/adapters/storage/layout.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { humanTimes } from '../../src/domain/time/zones.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { dataDirsRemovedAfterEach } from './support/data-dirs.ts';
import { makeRecorder } from './support/recorder.ts';
import { l2Snapshot, T0 } from './support/synthetic.ts';

const dataDir = dataDirsRemovedAfterEach();

const HOUR = 3_600_000;
const clock = new VirtualClock(T0);
const factory = new EventFactory(clock, ulidGenerator(seededRng(17)));

function snapshotAt(ts: number, mid: number): HeliosEvent {
  clock.advanceTo(Math.max(clock.now(), ts));
  return { ...factory.make('L2_SNAPSHOT', l2Snapshot(mid, 0.01, 20), { market_id: 'm', token_id: 't' }), ts_ingest: ts };
}
function alertAt(ts: number, message: string): HeliosEvent {
  return { ...factory.make('ALERT', { severity: 'warn', code: 'c', message }, {}), ts_ingest: ts };
}

/** What the journal must hold for these events, in this order, numbered from `firstSeq`. */
function expectedLines(events: HeliosEvent[], firstSeq: number): string[] {
  const times = new HumanTimeCache();
  return events.map((e, i) => recordLine(e, firstSeq + i, undefined, times));
}

describe('journal recorder: lines are serialized at emit into per-file bytes', () => {
  it('lines are serialized after the turn: an immediate the emitting turn registered (the tape\'s end-of-turn flush and the decisions it leads to) runs first', async () => {
    const dir = dataDir();
    const { recorder } = makeRecorder(dir, { windows: null });
    const event = snapshotAt(T0 + 1_000, 0.42);
    recorder.emit(event);
    let ranFirst = false;
    setImmediate(() => {
      // Had emit serialized the line, this change would not reach the journal.
      (event.payload as { best_bid: number }).best_bid = 0.41;
      ranFirst = true;
    });
    expect(recorder.stats().pending).toBe(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(ranFirst).toBe(true);
    await recorder.close();
    const changed = { ...event, payload: { ...event.payload, best_bid: 0.41 } } as HeliosEvent;
    expect(readFileSync(journalFile(dir, '2026-01-29', 'l2', '17'), 'utf8')).toBe(expectedLines([changed], 1)[0]!);
  });

  it('interleaved channels and hours land in their files byte for byte, in sequence order, across chunk growth and multi-byte text', async () => {
    const dir = dataDir();
    const { recorder } = makeRecorder(dir, { windows: null });
    // One flush of ~1,200 lines: the l2 chunk grows several times past its first 64 KiB; the alert
    // text is 1-, 2-, 3- and 4-byte UTF-8, so bytes ≠ characters.
    const events: HeliosEvent[] = [];
    for (let i = 0; i < 1_200; i++) {
      const ts = T0 + (i % 3 === 2 ? HOUR : 0) + i;
      events.push(i % 4 === 3 ? alertAt(ts, `señal ${i} → 温度 🌡️ "q" \\ \u2028`) : snapshotAt(ts, 0.3 + (i % 40) / 100));
    }
    // A line of more UTF-8 bytes than a fresh chunk holds, though fewer UTF-16 units.
    events.splice(3, 0, alertAt(T0 + 3, '温'.repeat(25_000)));
    for (const e of events) recorder.emit(e);
    expect(recorder.stats().pending).toBe(events.length);
    await recorder.close();

    const lines = expectedLines(events, 1);
    let bytes = 0;
    for (const [ch, hour] of [['l2', '17'], ['l2', '18'], ['control', '17'], ['control', '18']] as const) {
      const file = journalFile(dir, '2026-01-29', ch, hour);
      const want = lines.filter((_, i) => events[i]!.ch === ch && (events[i]!.ts_ingest >= T0 + HOUR) === (hour === '18')).join('');
      expect(want.length, `${ch} ${hour}`).toBeGreaterThan(0);
      expect(readFileSync(file, 'utf8'), `${ch} ${hour}`).toBe(want);
      bytes += statSync(file).size;
    }
    expect(recorder.stats()).toMatchObject({ written: events.length, bytes_written: bytes, pending: 0, write_errors: 0 });
  });

  it('a failed write is retried first on the next flush: the file keeps sequence order and nothing is lost or doubled', async () => {
    const dir = dataDir();
    const errors: string[] = [];
    const { recorder } = makeRecorder(dir, { windows: null, logger: { warn: () => {}, error: (_o, msg) => errors.push(msg) } });
    const l2File = journalFile(dir, '2026-01-29', 'l2', '17');
    // A regular file where the channel's directory belongs: opening the l2 hour file fails.
    mkdirSync(path.dirname(path.dirname(l2File)), { recursive: true });
    writeFileSync(path.dirname(l2File), 'in the way');

    const first = [snapshotAt(T0 + 1, 0.4), alertAt(T0 + 2, 'a'), snapshotAt(T0 + 3, 0.41)];
    for (const e of first) recorder.emit(e);
    await recorder.flush();
    expect(recorder.stats()).toMatchObject({ write_errors: 1, written: 1 });
    expect(errors).toEqual(['journal: write failed; retrying on the next flush']);

    // Emitted while the l2 bytes wait for their retry: written after them.
    const second = [snapshotAt(T0 + 4, 0.42), alertAt(T0 + 5, 'b'), snapshotAt(T0 + 6, 0.43)];
    for (const e of second) recorder.emit(e);
    rmSync(path.dirname(l2File));
    await recorder.close();

    const all = [...first, ...second];
    const lines = expectedLines(all, 1);
    expect(readFileSync(l2File, 'utf8')).toBe(lines.filter((_, i) => all[i]!.ch === 'l2').join(''));
    expect((await readJournalFile(l2File)).records.map((r) => r.seq)).toEqual([1, 3, 4, 6]);
    expect(readFileSync(journalFile(dir, '2026-01-29', 'control', '17'), 'utf8')).toBe(lines.filter((_, i) => all[i]!.ch === 'control').join(''));
    expect(recorder.stats()).toMatchObject({ written: 6, write_errors: 1, pending: 0 });
    // Written completely in the end, so the clean stop seals it.
    expect(existsSync(l2File.replace(/\.ndjson$/, '.sealed'))).toBe(true);
  });

  it('an event that cannot be serialized is reported and counted, leaves no partial line, and the next one takes its sequence number', async () => {
    const dir = dataDir();
    const errors: string[] = [];
    const logger = { warn: () => undefined, error: (_o: object, msg: string) => errors.push(msg) };
    const { recorder } = makeRecorder(dir, { windows: null, logger });
    const good = snapshotAt(T0 + 1_000, 0.42);
    const bad = { ...snapshotAt(T0 + 1_001, 0.43), payload: { ...good.payload, bids: { toJSON: () => { throw new Error('no JSON'); } } } } as unknown as HeliosEvent;
    const next = snapshotAt(T0 + 1_002, 0.44);
    recorder.emit(good);
    // The producer (the market feed) is not the one to hear about it.
    expect(() => recorder.emit(bad)).not.toThrow();
    recorder.emit(next);
    await recorder.close();
    expect(readFileSync(journalFile(dir, '2026-01-29', 'l2', '17'), 'utf8')).toBe(expectedLines([good, next], 1).join(''));
    expect(recorder.stats()).toMatchObject({ written: 2, pending: 0, unserializable: 1 });
    expect(errors).toEqual(['journal: an event could not be serialized; not recorded']);
  });

  it('max_pending_events bounds lines waiting for a flush, and counts from zero again after each flush; closing says how many were dropped', async () => {
    const dir = dataDir();
    const logged: string[] = [];
    const logger = { warn: (_o: object, msg: string) => logged.push(msg), error: (_o: object, msg: string) => logged.push(msg) };
    const { recorder } = makeRecorder(dir, { windows: null, logger, journal: { max_pending_events: 3 } });
    for (let i = 0; i < 5; i++) recorder.emit(snapshotAt(T0 + i, 0.4));
    expect(recorder.stats()).toMatchObject({ pending: 3, dropped_overflow: 2 });
    await recorder.flush();
    for (let i = 0; i < 2; i++) recorder.emit(snapshotAt(T0 + 10 + i, 0.4));
    await recorder.close();
    const records = (await readJournalFile(journalFile(dir, '2026-01-29', 'l2', '17'))).records;
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records.map((r) => r.ts_ingest)).toEqual([T0, T0 + 1, T0 + 2, T0 + 10, T0 + 11]);
    expect(recorder.stats()).toMatchObject({ written: 5, dropped_overflow: 2 });
    // The warning comes at the first drop, before anyone knows how many will follow.
    expect(logged).toEqual(['journal: writer behind, dropping events', 'journal: 2 events were dropped because the writer was behind; the record is incomplete']);
  });
});

describe('journal line times', () => {
  it('the per-minute time cache writes exactly what humanTimes does, across DST changes, minutes, days and a zone offset in seconds', () => {
    const instants: number[] = [];
    // New York and Madrid change offsets at these instants (2026); 1880 New York ran on local mean time (-4:56:02).
    for (const t of [Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6), Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1), Date.UTC(2026, 11, 31, 23, 59), Date.UTC(1880, 5, 1, 12)]) {
      for (let ms = t - 65_000; ms <= t + 65_000; ms += 997) instants.push(ms);
    }
    const rng = seededRng(3);
    for (let i = 0; i < 2_000; i++) instants.push(Math.floor(Date.UTC(2020, 0, 1) + rng() * 10 * 365 * 86_400_000));
    const cache = new HumanTimeCache();
    for (const ms of instants) expect(cache.get(ms), new Date(ms).toISOString()).toEqual(humanTimes(ms));
  });
});
