import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { readJournalFile, type JournalReadIssue } from '../../src/adapters/storage/journal/reader.ts';
import { eventFromRecord } from '../../src/adapters/storage/journal/record.ts';
import { journalFile, listJournalFiles } from '../../src/adapters/storage/layout.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { createStorageSinks } from '../../src/adapters/storage/storage-sinks.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { dataDirsRemovedAfterEach } from './support/data-dirs.ts';
import { makeRecorder } from './support/recorder.ts';
import { syntheticEvents, T0 } from './support/synthetic.ts';

const dataDir = dataDirsRemovedAfterEach();

async function readAll(dir: string): Promise<{ records: Array<Record<string, unknown>>; issues: JournalReadIssue[] }> {
  const records: Array<Record<string, unknown>> = [];
  const issues: JournalReadIssue[] = [];
  for (const f of await listJournalFiles(dir)) {
    const r = await readJournalFile(f.path);
    records.push(...(r.records as unknown as Array<Record<string, unknown>>));
    issues.push(...r.issues);
  }
  return { records, issues };
}

describe('journal recorder', () => {
  it('writes NDJSON per channel and UTC hour with edge-derived times, and gives every event back unchanged', async () => {
    const dir = dataDir();
    const published = new CollectingSink();
    const { recorder } = makeRecorder(dir, { publish: published });
    const events = syntheticEvents({ durationMs: 60_000, metarAtMs: [30_000] });
    for (const e of events) recorder.emit(e);
    await recorder.close();

    const files = (await listJournalFiles(dir)).map((f) => path.relative(dir, f.path)).sort();
    expect(files).toEqual(
      ['fill', 'health', 'l2', 'nowcast', 'order', 'tape', 'truth', 'window', 'world'].map((ch) => path.join('journal', 'date=2026-01-29', `ch=${ch}`, '17.ndjson')),
    );
    const { records, issues } = await readAll(dir);
    expect(issues).toEqual([]);
    for (const r of records) {
      for (const k of ['schema_version', 'event_id', 'correlation_id', 'ts_ingest_utc', 'ts_nyc', 'ts_es', 'seq']) expect(r[k], k).toBeDefined();
    }
    const metar = records.find((r) => r.type === 'METAR_OBS')!;
    expect(metar).toMatchObject({ ts_ingest_utc: '2026-01-29T17:00:30.000Z', ts_nyc: '2026-01-29T12:00:30.000-05:00', ts_es: '2026-01-29T18:00:30.000+01:00', station_id: 'KLGA' });
    expect(metar.ts_source_utc).toBe('2026-01-29T16:59:30.000Z');

    // The METAR at +30 s opened a window: records from then on carry its id, earlier ones do not.
    const open = records.find((r) => r.type === 'WINDOW_OPEN')!;
    const windowId = (open.payload as { window_id: string }).window_id;
    expect(open).toMatchObject({ ch: 'window', window_id: windowId, payload: { trigger: 'metar', until_ms: T0 + 150_000 } });
    const close = records.find((r) => r.type === 'WINDOW_CLOSE')!;
    expect(close).toMatchObject({ window_id: windowId, causation_id: open.event_id, payload: { opened_ms: T0 + 30_000 } });
    const metarIndex = events.findIndex((e) => e.type === 'METAR_OBS');
    const order = new Map(events.map((e, i) => [e.event_id, i]));
    for (const r of records.filter((x) => x.ch !== 'window')) {
      expect(r.window_id, String(r.type)).toBe(order.get(r.event_id as string)! >= metarIndex ? windowId : undefined);
    }
    expect(published.events.map((e) => e.type)).toEqual(['WINDOW_OPEN', 'WINDOW_CLOSE']);
    expect(published.events.map((e) => e.event_id).sort()).toEqual([open.event_id, close.event_id].sort());

    // Emitted events come back exactly (recorder fields and stamped window ids removed).
    const byId = new Map(records.map((r) => [r.event_id as string, eventFromRecord(r)]));
    for (const e of events) expect(byId.get(e.event_id)).toEqual(e);
    expect(recorder.stats()).toMatchObject({ emitted: events.length, written: events.length + 2, dropped_overflow: 0 });
  });

  it('does not record twice the window events it published when the bus echoes them back', async () => {
    const dir = dataDir();
    const echoed: HeliosEvent[] = [];
    const { recorder } = makeRecorder(dir, { publish: { emit: (e) => echoed.push(e) } });
    for (const e of syntheticEvents({ durationMs: 40_000, metarAtMs: [10_000] })) {
      recorder.emit(e);
      // A bus delivers the recorder's own WINDOW_OPEN back to it, as to every subscriber.
      for (const w of echoed.splice(0)) recorder.emit(w);
    }
    await recorder.close();
    const windows = (await readJournalFile(journalFile(dir, '2026-01-29', 'window', '17'))).records;
    expect(windows.map((r) => r.type)).toEqual(['WINDOW_OPEN', 'WINDOW_CLOSE']);
  });

  it('orders lines by the recorder sequence and rolls files over at the UTC hour and date', async () => {
    const dir = dataDir();
    const { recorder } = makeRecorder(dir);
    const lastHour = Date.UTC(2026, 0, 29, 23, 59, 58);
    const events = syntheticEvents({ start: lastHour, durationMs: 4_000, metarAtMs: [] });
    for (const e of events) recorder.emit(e);
    await recorder.close();
    expect(existsSync(journalFile(dir, '2026-01-29', 'l2', '23'))).toBe(true);
    expect(existsSync(journalFile(dir, '2026-01-30', 'l2', '00'))).toBe(true);
    const a = await readJournalFile(journalFile(dir, '2026-01-29', 'l2', '23'));
    const b = await readJournalFile(journalFile(dir, '2026-01-30', 'l2', '00'));
    expect(a.records.every((r) => r.ts_ingest < Date.UTC(2026, 0, 30))).toBe(true);
    expect(b.records.every((r) => r.ts_ingest >= Date.UTC(2026, 0, 30))).toBe(true);
    const seqs = [...a.records, ...b.records].map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  it('records l2_delta only inside event windows', async () => {
    const dir = dataDir();
    const { recorder } = makeRecorder(dir);
    const events = syntheticEvents({ durationMs: 40_000, metarAtMs: [20_000], deltaEveryMs: 500 });
    for (const e of events) recorder.emit(e);
    await recorder.close();
    const deltas = (await readJournalFile(journalFile(dir, '2026-01-29', 'l2_delta', '17'))).records;
    const emitted = events.filter((e) => e.ch === 'l2_delta');
    const metarIndex = events.findIndex((e) => e.type === 'METAR_OBS');
    const inside = emitted.filter((e) => events.indexOf(e) > metarIndex);
    expect(deltas.map((d) => d.event_id)).toEqual(inside.map((e) => e.event_id));
    expect(deltas.every((d) => typeof d.window_id === 'string' && d.window_stamped === true)).toBe(true);
    expect(recorder.stats().deltas_outside_window).toBe(emitted.length - inside.length);
  });

  it('emit only buffers: nothing touches the disk until the flush, which fires by size without an explicit call', async () => {
    const dir = dataDir();
    const { recorder } = makeRecorder(dir, { journal: { flush_max_bytes: 4096 } });
    const events = syntheticEvents({ durationMs: 20_000, metarAtMs: [] });
    for (const e of events.slice(0, 3)) recorder.emit(e);
    expect(existsSync(path.join(dir, 'journal'))).toBe(false);
    for (const e of events.slice(3)) recorder.emit(e);
    // The size trigger schedules a flush on the next turn of the event loop (the virtual clock's
    // periodic timer never fires here); wait for the file to appear.
    await vi.waitFor(() => expect(recorder.stats().flushes).toBeGreaterThan(0), { timeout: 10_000 });
    await recorder.flush();
    expect(readFileSync(journalFile(dir, '2026-01-29', 'l2', '17'), 'utf8').split('\n').filter(Boolean).length).toBe(events.filter((e) => e.ch === 'l2').length);
    await recorder.close();
  });

  it('the periodic flush runs on the injected clock, every flush_interval_ms', async () => {
    const dir = dataDir();
    const { recorder, clock } = makeRecorder(dir, { journal: { flush_interval_ms: 100, fsync: 'interval', fsync_interval_ms: 250 } });
    const events = syntheticEvents({ durationMs: 5_000, metarAtMs: [] });
    for (const e of events) recorder.emit(e);
    clock.advanceBy(99);
    await tick();
    expect(recorder.stats()).toMatchObject({ flushes: 0, pending: events.length });
    clock.advanceBy(1);
    await vi.waitFor(() => expect(recorder.stats()).toMatchObject({ flushes: 1, written: events.length, pending: 0 }), { timeout: 10_000 });
    clock.advanceBy(300);
    await recorder.close();
  });

  it('per_flush fsync, channel exclusion and the pending bound are honoured', async () => {
    const dir = dataDir();
    const { recorder } = makeRecorder(dir, { journal: { fsync: 'per_flush', exclude_channels: ['health'], max_pending_events: 50 } });
    const events = syntheticEvents({ durationMs: 60_000, metarAtMs: [] });
    for (const e of events) recorder.emit(e);
    await recorder.close();
    const s = recorder.stats();
    expect(s.excluded).toBe(events.filter((e) => e.ch === 'health').length);
    expect(s.written).toBe(50);
    expect(s.dropped_overflow).toBe(events.length - s.excluded - 50);
    expect(existsSync(path.join(dir, 'journal', 'date=2026-01-29', 'ch=health'))).toBe(false);
    recorder.emit(events[0]!);
    expect(recorder.stats().dropped_after_close).toBe(1);
  });
});

describe('journal reader and crash repair', () => {
  function writeSome(dir: string, events: HeliosEvent[]) {
    const { recorder } = makeRecorder(dir, { windows: null });
    for (const e of events) recorder.emit(e);
    return recorder.close();
  }

  it('skips a torn last line with a warning and loses nothing before it; keeps a whole record that only lost its newline', async () => {
    const dir = dataDir();
    const events = syntheticEvents({ durationMs: 10_000, metarAtMs: [] }).filter((e) => e.ch === 'l2');
    await writeSome(dir, events);
    const file = journalFile(dir, '2026-01-29', 'l2', '17');
    const full = readFileSync(file, 'utf8');
    const lines = full.split('\n').filter(Boolean);

    appendFileSync(file, lines[0]!.slice(0, 37));
    const warned: JournalReadIssue[] = [];
    const torn = await readJournalFile(file, { onIssue: (i) => warned.push(i) });
    expect(torn.records.map((r) => r.event_id)).toEqual(events.map((e) => e.event_id));
    expect(warned).toEqual([{ kind: 'torn_tail', file, line: lines.length + 1, bytes: 37 }]);

    writeFileSync(file, full.slice(0, -1)); // the last record without its newline
    const kept = await readJournalFile(file);
    expect(kept.records).toHaveLength(events.length);
    expect(kept.issues).toEqual([]);

    writeFileSync(file, lines[0] + '\n{"broken":\n' + lines.slice(1).join('\n') + '\n');
    const bad = await readJournalFile(file);
    expect(bad.records).toHaveLength(events.length);
    expect(bad.issues).toEqual([{ kind: 'malformed', file, line: 2, bytes: 10 }]);
  });

  it('a recorder restarted after a crash cuts the torn tail before appending, so no line is glued to it', async () => {
    const dir = dataDir();
    const events = syntheticEvents({ durationMs: 20_000, metarAtMs: [] }).filter((e) => e.ch === 'l2');
    const half = events.length / 2;
    await writeSome(dir, events.slice(0, half));
    const file = journalFile(dir, '2026-01-29', 'l2', '17');
    appendFileSync(file, '{"schema_version":1,"event_id":"01KG');
    const { recorder } = makeRecorder(dir, { windows: null });
    for (const e of events.slice(half)) recorder.emit(e);
    await recorder.close();
    expect(recorder.stats().torn_tails_repaired).toBe(1);
    const after = await readJournalFile(file);
    expect(after.issues).toEqual([]);
    expect(after.records.map((r) => r.event_id)).toEqual(events.map((e) => e.event_id));
    // No temp file beside it; the seal of the clean stop that followed the repair.
    expect(readdirSync(path.dirname(file))).toEqual(['17.ndjson', '17.sealed']);
  });
});

describe('storage sinks from the configuration', () => {
  it('default config: the journal recorder on, ClickHouse off', async () => {
    const { config } = loadConfig({ env: {} });
    const dir = dataDir();
    const sinks = createStorageSinks({ config: config.storage, dataDir: dir, clock: new VirtualClock(T0), ids: ulidGenerator(seededRng(1)) });
    expect(sinks.clickhouse).toBeNull();
    const events = syntheticEvents({ durationMs: 5_000, metarAtMs: [] });
    for (const e of events) sinks.emit(e);
    await sinks.close();
    expect(sinks.recorder!.stats()).toMatchObject({ written: events.length, pending: 0 });
    expect((await listJournalFiles(dir)).length).toBeGreaterThan(0);
  });
});
