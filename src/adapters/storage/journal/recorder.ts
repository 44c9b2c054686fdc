import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { HeliosEvent } from '../../../domain/events/catalog.ts';
import { EventFactory } from '../../../domain/events/factory.ts';
import type { IdGenerator } from '../../../domain/events/ids.ts';
import type { EventSink } from '../../../domain/events/sink.ts';
import { EventWindowManager, type EventWindow, type WindowRules, type WindowTransition } from '../../../domain/storage/windows.ts';
import type { Clock, TimerHandle } from '../../../domain/time/clock.ts';
import { Ring } from '../../../domain/util/ring.ts';
import { journalFile, utcDateHour } from '../layout.ts';
import { ByteChunk, ByteChunkPool, countLines } from './byte-chunks.ts';
import { HumanTimeCache, writeRecord, type Provenance } from './record.ts';
import { sealJournalFile, unsealJournalFile } from './seal.ts';
import { repairTornTail } from './tail-repair.ts';

export interface JournalOptions {
  flush_interval_ms: number;
  flush_max_bytes: number;
  fsync: 'none' | 'per_flush' | 'interval';
  fsync_interval_ms: number;
  max_pending_events: number;
  max_open_files: number;
  exclude_channels: readonly string[];
}

export interface RecorderLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface JournalRecorderDeps {
  dataDir: string;
  journal: JournalOptions;
  /** Event-window rules; null records no windows (and therefore no l2_delta). */
  windows: WindowRules | null;
  /** Timers (flush cadence, fsync interval, closing idle windows) and the time of shutdown. */
  clock: Clock;
  /** Ids for the WINDOW_OPEN / WINDOW_CLOSE events the recorder creates. */
  ids: IdGenerator;
  logger?: RecorderLogger;
  /** Window events are also published here (e.g. the bus) so live clients see them; do not loop them back. */
  publish?: EventSink;
  /** Written on every line (`provenance`) so simulated data can never pass for live data. */
  provenance?: Provenance;
}

export interface RecorderStats {
  emitted: number;
  /** Lines handed to the file system. */
  written: number;
  bytes_written: number;
  pending: number;
  flushes: number;
  dropped_overflow: number;
  dropped_after_close: number;
  deltas_outside_window: number;
  excluded: number;
  windows_opened: number;
  write_errors: number;
  /** Events that could not be serialized (a throwing toJSON, a time no Date holds): reported, not written. */
  unserializable: number;
  torn_tails_repaired: number;
}

/** A file's first chunk; chunks double as they fill and are reused once written. */
const INITIAL_CHUNK_BYTES = 64 * 1024;

interface OpenFile {
  fh: FileHandle;
  lastUse: number;
}

/**
 * The journal recorder: an EventSink whose `emit` notes the event (and its window) in order and
 * serializes the turn's events into their files' byte chunks (outside the JS heap) once the turn's
 * decisions are made: serializing inside `emit` put ~7 µs per event between a market frame and the
 * next frame of the same socket read, and between a frame and its decision. Events are immutable
 * once emitted (the bus holds the same objects). The flush hands the finished chunks to the file
 * system (libuv's thread pool), every flush_interval_ms or as soon as flush_max_bytes are waiting.
 *
 * One recorder per data directory: it repairs torn tails left by a crash before appending.
 */
export class JournalRecorder implements EventSink {
  private readonly windows: EventWindowManager | null;
  private readonly excluded: ReadonlySet<string>;
  private readonly times = new HumanTimeCache();
  private readonly handles = new Map<string, OpenFile>();
  private readonly dirty = new Set<string>();
  /** Files this recorder appended to: sealed when it closes cleanly. */
  private readonly touched = new Set<string>();
  /** Bytes whose write failed, retried first on the next flush (the reopened file's torn tail is repaired). */
  private retry = new Map<string, ByteChunk>();
  /** Lines serialized since the last flush began, per file. */
  private filling = new Map<string, ByteChunk>();
  /**
   * Emitted events not serialized yet, in order, with the window each belongs to. Rings: arrays
   * handed off every turn and pushed from empty again built their storage anew each turn.
   */
  private readonly queuedEvents = new Ring<HeliosEvent>();
  private readonly queuedWindows = new Ring<string | undefined>();
  private serializeScheduled = false;
  private readonly chunks: ByteChunkPool;
  private readonly openWindowEvents = new Map<string, HeliosEvent>();
  /** Ids of window events this recorder published, so their echo from the bus is not recorded twice. */
  private readonly published = new Set<string>();
  private readonly windowFactory: EventFactory;
  private stampAt = 0;
  private pendingLines = 0;
  private pendingBytes = 0;
  private seq = 0;
  private useCounter = 0;
  private sizeFlushScheduled = false;
  private flushTimer: TimerHandle | undefined;
  private fsyncTimer: TimerHandle | undefined;
  private tail: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly counters: Omit<RecorderStats, 'pending'> = {
    emitted: 0,
    written: 0,
    bytes_written: 0,
    flushes: 0,
    dropped_overflow: 0,
    dropped_after_close: 0,
    deltas_outside_window: 0,
    excluded: 0,
    windows_opened: 0,
    write_errors: 0,
    unserializable: 0,
    torn_tails_repaired: 0,
  };
  private overflowWarned = false;
  private hourCache = { key: Number.NaN, date: '', hour: '', files: new Map<string, string>() };

  constructor(private readonly deps: JournalRecorderDeps) {
    this.windows = deps.windows ? new EventWindowManager(deps.windows) : null;
    this.excluded = new Set(deps.journal.exclude_channels);
    const stampClock: Clock = {
      now: () => this.stampAt,
      monotonicNow: () => this.stampAt,
      setTimeout: (fn, ms) => deps.clock.setTimeout(fn, ms),
      clearTimeout: (h) => deps.clock.clearTimeout(h),
    };
    this.windowFactory = new EventFactory(stampClock, deps.ids);
    // Enough for the chunks of the busiest files to be reused from flush to flush.
    this.chunks = new ByteChunkPool(INITIAL_CHUNK_BYTES, Math.max(16 * INITIAL_CHUNK_BYTES, 4 * deps.journal.flush_max_bytes));
    this.armFlushTimer();
    if (deps.journal.fsync === 'interval') this.armFsyncTimer();
  }

  emit(event: HeliosEvent): void {
    this.counters.emitted++;
    if (event.ch === 'window' && this.published.delete(event.event_id)) return;
    if (this.closing) {
      this.counters.dropped_after_close++;
      return;
    }
    // The cause is recorded before the window events it triggers (same timestamp, earlier
    // sequence), as live clients see it: replay then emits them in that order. Closes carry their
    // own earlier end time, so they still replay before the cause.
    const transitions = this.windows?.observe(event, event.ts_ingest);
    this.record(event);
    if (transitions?.length) this.applyTransitions(transitions);
  }

  private record(event: HeliosEvent): void {
    if (this.excluded.has(event.ch)) {
      this.counters.excluded++;
      return;
    }
    const window = this.windows?.windowFor(event);
    if (event.ch === 'l2_delta' && !window && event.window_id === undefined) {
      this.counters.deltas_outside_window++;
      return;
    }
    this.enqueue(event, window?.window_id);
  }

  /** Resolves when every event emitted before the call is written (and fsynced under per_flush). */
  flush(): Promise<void> {
    this.serializeQueued();
    if (this.waiting) return this.waiting;
    const run = this.tail.then(() => {
      this.waiting = null;
      return this.flushOnce();
    });
    this.waiting = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Closes open windows, writes everything, fsyncs (unless fsync is none), closes the files and seals
   * every file it wrote completely (compaction then takes their hours at once).
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const closeAt = this.deps.clock.now();
    const transitions = this.windows?.closeAll(closeAt) ?? [];
    this.closing = (async () => {
      if (this.flushTimer !== undefined) this.deps.clock.clearTimeout(this.flushTimer);
      if (this.fsyncTimer !== undefined) this.deps.clock.clearTimeout(this.fsyncTimer);
      this.applyTransitions(transitions);
      await this.flush();
      // One more attempt for a batch whose write failed during the final flush.
      if (this.retry.size) await this.flush().catch(() => undefined);
      this.tail = this.tail.then(async () => {
        if (this.deps.journal.fsync !== 'none') await this.syncDirty();
        const all = [...this.handles.values()];
        this.handles.clear();
        await Promise.all(all.map((h) => h.fh.close().catch(() => undefined)));
        // A file whose last batch could not be written is not complete: left unsealed.
        const complete = [...this.touched].filter((f) => !this.retry.has(f)).sort();
        for (const f of complete) {
          await sealJournalFile(f).catch((err: Error) => this.deps.logger?.error({ file: f, err: err.message }, 'journal: could not seal the file'));
        }
      });
      await this.tail;
      // The first drop was a warning; the record's owner needs to know how much is missing.
      const dropped = this.counters.dropped_overflow;
      if (dropped > 0) this.deps.logger?.error({ dropped_overflow: dropped }, `journal: ${dropped} events were dropped because the writer was behind; the record is incomplete`);
    })();
    return this.closing;
  }

  stats(): RecorderStats {
    return { ...this.counters, pending: this.backlog() };
  }

  /** Events accepted and not yet handed to the file system: at max_pending_events new ones are dropped. */
  backlog(): number {
    return this.pendingLines + this.queuedEvents.length;
  }

  activeWindows(): EventWindow[] {
    return this.windows?.active() ?? [];
  }

  private enqueue(event: HeliosEvent, windowId: string | undefined): void {
    if (this.backlog() >= this.deps.journal.max_pending_events) {
      this.counters.dropped_overflow++;
      if (!this.overflowWarned) {
        this.overflowWarned = true;
        this.deps.logger?.warn({ max_pending_events: this.deps.journal.max_pending_events }, 'journal: writer behind, dropping events');
      }
      return;
    }
    this.queuedEvents.push(event);
    this.queuedWindows.push(windowId);
    if (this.serializeScheduled) return;
    this.serializeScheduled = true;
    // Registered from a microtask, the serializing immediate runs after the ones the turn's own
    // callbacks registered (the market tape's end-of-turn BEST_PRICE) and after the decisions the
    // microtasks they leave take: the journal is written behind the trading path, not in it.
    queueMicrotask(this.scheduleSerialize);
  }

  private readonly scheduleSerialize = (): void => {
    setImmediate(this.serializeQueued);
  };

  /** Serializes the queued events in order; an event that cannot be serialized is reported and skipped. */
  private readonly serializeQueued = (): void => {
    this.serializeScheduled = false;
    const events = this.queuedEvents;
    if (events.length === 0) return;
    // Those queued now: one emitted meanwhile waits for the serialize it scheduled.
    for (let n = events.length; n > 0; n--) this.serialize(events.shift()!, this.queuedWindows.shift());
    if (this.pendingBytes >= this.deps.journal.flush_max_bytes && !this.sizeFlushScheduled) {
      this.sizeFlushScheduled = true;
      setImmediate(() => {
        this.sizeFlushScheduled = false;
        void this.flush();
      });
    }
  };

  private serialize(event: HeliosEvent, windowId: string | undefined): void {
    const file = this.fileFor(event);
    let chunk = this.filling.get(file);
    if (!chunk) this.filling.set(file, (chunk = this.chunks.take(file)));
    const start = chunk.len;
    try {
      writeRecord(chunk.out, event, this.seq + 1, windowId, this.times, this.deps.provenance);
    } catch (err) {
      // Leaves no partial line; the next event takes the sequence number.
      chunk.out.pos = start;
      this.counters.unserializable++;
      this.deps.logger?.error({ event_id: event.event_id, type: event.type, err: (err as Error).message }, 'journal: an event could not be serialized; not recorded');
      return;
    }
    this.seq++;
    chunk.lines++;
    this.pendingBytes += chunk.len - start;
    this.pendingLines++;
  }

  private applyTransitions(transitions: readonly WindowTransition[]): void {
    for (const t of transitions) {
      const w = t.window;
      const ids = { market_id: w.market_id, token_id: w.token_id, station_id: w.station_id, window_id: w.window_id };
      this.stampAt = t.at;
      let event: HeliosEvent;
      if (t.kind === 'open') {
        this.counters.windows_opened++;
        event = this.windowFactory.make(
          'WINDOW_OPEN',
          { window_id: w.window_id, trigger: w.trigger, until_ms: w.until_ms },
          { ...ids, correlation_id: w.cause_correlation_id, causation_id: w.cause_event_id },
        );
        this.openWindowEvents.set(w.window_id, event);
      } else {
        const opened = this.openWindowEvents.get(w.window_id);
        this.openWindowEvents.delete(w.window_id);
        event = this.windowFactory.make(
          'WINDOW_CLOSE',
          { window_id: w.window_id, trigger: w.trigger, opened_ms: w.opened_ms },
          { ...ids, correlation_id: opened?.correlation_id ?? w.cause_correlation_id, causation_id: opened?.event_id ?? w.cause_event_id },
        );
      }
      this.enqueue(event, undefined);
      if (this.deps.publish) {
        this.published.add(event.event_id);
        // Bounded: a bus that never echoes them back must not grow this set.
        if (this.published.size > 10_000) this.published.delete(this.published.values().next().value as string);
        this.deps.publish.emit(event);
      }
    }
  }

  private armFlushTimer(): void {
    this.flushTimer = this.deps.clock.setTimeout(() => {
      if (this.closing) return;
      if (this.windows) {
        const t = this.windows.advance(this.deps.clock.now());
        if (t.length) this.applyTransitions(t);
      }
      if (this.pendingLines || this.queuedEvents.length || this.retry.size) void this.flush();
      this.armFlushTimer();
    }, this.deps.journal.flush_interval_ms);
  }

  private armFsyncTimer(): void {
    this.fsyncTimer = this.deps.clock.setTimeout(() => {
      if (this.closing) return;
      if (this.dirty.size) this.tail = this.tail.then(() => this.syncDirty());
      this.armFsyncTimer();
    }, this.deps.journal.fsync_interval_ms);
  }

  private fileFor(event: HeliosEvent): string {
    const key = Math.floor(event.ts_ingest / 3_600_000);
    if (key !== this.hourCache.key) {
      const { date, hour } = utcDateHour(event.ts_ingest);
      this.hourCache = { key, date, hour, files: new Map() };
    }
    const c = this.hourCache;
    let file = c.files.get(event.ch);
    if (file === undefined) c.files.set(event.ch, (file = journalFile(this.deps.dataDir, c.date, event.ch, c.hour)));
    return file;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.filling;
    const retried = this.retry;
    this.filling = new Map();
    this.retry = new Map();
    this.pendingLines = 0;
    this.pendingBytes = 0;
    if (batch.size === 0 && retried.size === 0) return;
    const files = [...new Set([...retried.keys(), ...batch.keys()])].sort();
    await Promise.all(
      files.map((f) => {
        const older = retried.get(f);
        const newer = batch.get(f);
        return this.append(f, older && newer ? [older, newer] : [(older ?? newer)!]);
      }),
    );
    this.counters.flushes++;
    if (this.deps.journal.fsync === 'per_flush') await this.syncDirty();
    this.evictIdle();
  }

  /** Writes the chunks in order; what could not be written is kept whole-line-aligned for the next flush. */
  private async append(file: string, chunks: ByteChunk[]): Promise<void> {
    let h: OpenFile | undefined;
    let i = 0;
    let off = 0;
    try {
      h = await this.handle(file);
      for (; i < chunks.length; i++) {
        const c = chunks[i]!;
        for (off = 0; off < c.len; ) off += (await h.fh.write(c.buf, off, c.len - off)).bytesWritten;
        this.counters.bytes_written += c.len;
        this.counters.written += c.lines;
        this.chunks.give(c);
      }
      this.dirty.add(file);
    } catch (err) {
      this.counters.write_errors++;
      this.deps.logger?.error({ file, err: (err as Error).message }, 'journal: write failed; retrying on the next flush');
      this.retry.set(file, this.unwritten(file, chunks.slice(i), off));
      if (h) {
        this.handles.delete(file);
        await h.fh.close().catch(() => undefined);
      }
    }
  }

  /**
   * The bytes a failed append left: lines the file already holds in full are counted as written;
   * a line cut short is written again whole (its torn start is cut when the file is reopened).
   */
  private unwritten(file: string, chunks: ByteChunk[], writtenOfFirst: number): ByteChunk {
    const first = chunks[0]!;
    const whole = writtenOfFirst > 0 ? first.buf.lastIndexOf(10, writtenOfFirst - 1) + 1 : 0;
    const done = whole > 0 ? countLines(first.buf.subarray(0, whole)) : 0;
    this.counters.bytes_written += whole;
    this.counters.written += done;
    if (chunks.length === 1 && whole === 0) return first;
    const left = this.chunks.take(file);
    left.appendBytes(first.buf.subarray(whole, first.len), first.lines - done);
    for (const c of chunks.slice(1)) left.appendBytes(c.buf.subarray(0, c.len), c.lines);
    for (const c of chunks) this.chunks.give(c);
    return left;
  }

  private async handle(file: string): Promise<OpenFile> {
    const cached = this.handles.get(file);
    if (cached) {
      cached.lastUse = ++this.useCounter;
      return cached;
    }
    await mkdir(path.dirname(file), { recursive: true });
    // Appending makes a sealed file incomplete again until this recorder closes cleanly.
    if (!this.touched.has(file)) {
      await unsealJournalFile(file);
      this.touched.add(file);
    }
    const fh = await open(file, 'a+');
    try {
      const repair = await repairTornTail(fh);
      if (repair.removedBytes || repair.addedNewline) {
        this.counters.torn_tails_repaired++;
        this.deps.logger?.warn({ file, ...repair }, 'journal: repaired the end of a file left by a crash before appending');
      }
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    const h = { fh, lastUse: ++this.useCounter };
    this.handles.set(file, h);
    return h;
  }

  private evictIdle(): void {
    const max = this.deps.journal.max_open_files;
    if (this.handles.size <= max) return;
    const byAge = [...this.handles.entries()].sort((a, b) => a[1].lastUse - b[1].lastUse);
    for (const [file, h] of byAge.slice(0, this.handles.size - max)) {
      this.handles.delete(file);
      const sync = this.deps.journal.fsync !== 'none' && this.dirty.delete(file) ? h.fh.datasync() : Promise.resolve();
      this.tail = this.tail.then(() => sync.catch(() => undefined)).then(() => h.fh.close().catch(() => undefined));
    }
  }

  private async syncDirty(): Promise<void> {
    const files = [...this.dirty];
    this.dirty.clear();
    await Promise.all(
      files.map(async (f) => {
        const h = this.handles.get(f);
        if (!h) return;
        try {
          await h.fh.datasync();
        } catch (err) {
          this.deps.logger?.error({ file: f, err: (err as Error).message }, 'journal: fdatasync failed');
        }
      }),
    );
  }
}
