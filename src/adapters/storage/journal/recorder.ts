import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { HeliosEvent } from '../../../domain/events/catalog.ts';
import { EventFactory } from '../../../domain/events/factory.ts';
import type { IdGenerator } from '../../../domain/events/ids.ts';
import type { EventSink } from '../../../domain/events/sink.ts';
import { EventWindowManager, type EventWindow, type WindowRules, type WindowTransition } from '../../../domain/storage/windows.ts';
import type { Clock, TimerHandle } from '../../../domain/time/clock.ts';
import { journalFile, utcDateHour } from '../layout.ts';
import { HumanTimeCache, recordLine, type Provenance } from './record.ts';
import { sealJournalFile, unsealJournalFile } from './seal.ts';
import { repairTornTail } from './tail-repair.ts';

export interface JournalOptions {
  flush_interval_ms: number;
  flush_max_bytes: number;
  fsync: 'none' | 'per_flush' | 'interval';
  fsync_interval_ms: number;
  max_pending_events: number;
  max_open_files: number;
  serialize_slice_events: number;
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
  torn_tails_repaired: number;
}

interface Pending {
  event: HeliosEvent;
  seq: number;
  windowId: string | undefined;
}

interface OpenFile {
  fh: FileHandle;
  lastUse: number;
}

/**
 * The journal recorder: an EventSink whose `emit` only tags the event and appends a reference to
 * an in-memory batch. Serialization (in slices that yield to the event loop) and file writes (on
 * libuv's thread pool) happen in the flush, every flush_interval_ms or as soon as the batch is
 * estimated at flush_max_bytes. Events are treated as immutable once emitted.
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
  /** Data whose write failed, retried first on the next flush (the reopened file's torn tail is repaired). */
  private readonly retry = new Map<string, { data: string; lines: number }>();
  private readonly openWindowEvents = new Map<string, HeliosEvent>();
  /** Ids of window events this recorder published, so their echo from the bus is not recorded twice. */
  private readonly published = new Set<string>();
  private readonly windowFactory: EventFactory;
  private stampAt = 0;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private avgLineBytes = 512;
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
    })();
    return this.closing;
  }

  stats(): RecorderStats {
    return { ...this.counters, pending: this.pending.length };
  }

  activeWindows(): EventWindow[] {
    return this.windows?.active() ?? [];
  }

  private enqueue(event: HeliosEvent, windowId: string | undefined): void {
    if (this.pending.length >= this.deps.journal.max_pending_events) {
      this.counters.dropped_overflow++;
      if (!this.overflowWarned) {
        this.overflowWarned = true;
        this.deps.logger?.warn({ max_pending_events: this.deps.journal.max_pending_events }, 'journal: writer behind, dropping events');
      }
      return;
    }
    this.pending.push({ event, seq: ++this.seq, windowId });
    this.pendingBytes += this.avgLineBytes;
    if (this.pendingBytes >= this.deps.journal.flush_max_bytes && !this.sizeFlushScheduled) {
      this.sizeFlushScheduled = true;
      setImmediate(() => {
        this.sizeFlushScheduled = false;
        void this.flush();
      });
    }
  }

  private applyTransitions(transitions: WindowTransition[]): void {
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
      if (this.pending.length || this.retry.size) void this.flush();
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
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const groups = new Map<string, { parts: string[]; lines: number }>();
    for (const [file, r] of this.retry) groups.set(file, { parts: [r.data], lines: r.lines });
    this.retry.clear();
    if (batch.length === 0 && groups.size === 0) return;

    const slice = this.deps.journal.serialize_slice_events;
    let chars = 0;
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const line = recordLine(p.event, p.seq, p.windowId, this.times, this.deps.provenance);
      chars += line.length;
      const file = this.fileFor(p.event);
      let g = groups.get(file);
      if (!g) groups.set(file, (g = { parts: [], lines: 0 }));
      g.parts.push(line);
      g.lines++;
      if ((i + 1) % slice === 0 && i + 1 < batch.length) await yieldToLoop();
    }
    if (batch.length) this.avgLineBytes = Math.max(64, Math.round(0.7 * this.avgLineBytes + (0.3 * chars) / batch.length));

    const files = [...groups.keys()].sort();
    await Promise.all(files.map((f) => this.append(f, groups.get(f)!)));
    this.counters.flushes++;
    if (this.deps.journal.fsync === 'per_flush') await this.syncDirty();
    this.evictIdle();
  }

  private async append(file: string, group: { parts: string[]; lines: number }): Promise<void> {
    const data = group.parts.join('');
    const buf = Buffer.from(data, 'utf8');
    let h: OpenFile | undefined;
    try {
      h = await this.handle(file);
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await h.fh.write(buf, off, buf.length - off);
        off += bytesWritten;
      }
      this.counters.bytes_written += buf.length;
      this.counters.written += group.lines;
      this.dirty.add(file);
    } catch (err) {
      this.counters.write_errors++;
      this.deps.logger?.error({ file, err: (err as Error).message }, 'journal: write failed; retrying on the next flush');
      const prev = this.retry.get(file);
      this.retry.set(file, { data: (prev?.data ?? '') + data, lines: (prev?.lines ?? 0) + group.lines });
      if (h) {
        this.handles.delete(file);
        await h.fh.close().catch(() => undefined);
      }
    }
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
