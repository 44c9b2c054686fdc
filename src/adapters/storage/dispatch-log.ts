import { close as fsClose, createReadStream, mkdirSync, openSync, readdirSync, write as fsWrite } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { CarriedTrading } from '../../domain/trading/carried-state.ts';
import type { MarketSpec } from '../../domain/trading/market-spec.ts';
import { plainData, StableJsonWriter } from '../../domain/util/stable-json.ts';

/** Everything a replay needs to rebuild one trading-node life before its first input. */
export interface DispatchHeader {
  kind: 'dispatch_header';
  version: 1;
  session: number;
  /** The node's virtual time when it was built. */
  start_ms: number;
  /** Seed of the node's event ids. */
  ids_seed: number;
  /** First client-order sequence number of every market. */
  seq_base: number;
  markets: Array<{ spec: MarketSpec; match_id: string | null; station_id: string | null }>;
  /** What a previous paper session left this one (absent: it started flat). */
  carried?: CarriedTrading;
}

/** One consumed input in dispatch order: a bus event, or a tick of the node's clock. */
export type DispatchRecord = { seq: number; event: HeliosEvent } | { seq: number; tick: number };

export function dispatchDir(dataDir: string): string {
  return path.join(dataDir, 'dispatch');
}

/** One file per trading session, named so that lexical order is session order. */
export function dispatchFile(dataDir: string, session: number): string {
  return path.join(dispatchDir(dataDir), `session-${String(session).padStart(9, '0')}.ndjson`);
}

/** The dispatch logs of a data directory, oldest session first (none: []). */
export function listDispatchLogs(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dispatchDir(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => /^session-\d+\.ndjson$/.test(n))
    .sort()
    .map((n) => path.join(dispatchDir(dataDir), n));
}

/**
 * Appends a trading node's inputs as NDJSON: the header first, then one line per input, the same
 * bytes `stableStringify` gives. The node logs every input before applying it (~2.4 per market
 * frame); `write` only notes it in order, and the lines are serialized straight into a byte buffer
 * outside the JS heap when they are handed to the file, once per event-loop turn, after the
 * turn's decisions (serializing at `write` put ~2 µs per input between a frame and its decision;
 * inputs are immutable). The buffer goes to the file every `flushIntervalMs` (the journal's
 * cadence) or once `flushMaxBytes` wait: a write per turn cost ~14 µs each, ~4 % of the process at
 * 5,000 frames/s. A process killed meanwhile loses at most that interval's lines, as the journal
 * does, and may tear the last one (readers pass over a torn last line).
 */
export class DispatchLogWriter {
  private readonly fd: number;
  private filling = newChunk();
  private spare = newChunk();
  /** Inputs noted and not serialized yet, in order: an event, or a tick (event null). */
  private queuedSeqs: number[] = [];
  private queuedEvents: Array<HeliosEvent | null> = [];
  private queuedTicks: number[] = [];
  private writing: Promise<void> | null = null;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private closed: Promise<void> | null = null;
  private failure: Error | null = null;

  /** `onError` hears the first failure, a write or an input that cannot be serialized (the log then misses lines; close rejects with it). */
  constructor(
    file: string,
    header: DispatchHeader,
    private readonly onError?: (err: Error) => void,
    private readonly cadence: DispatchLogCadence = { flushIntervalMs: 0, flushMaxBytes: 1 << 20 },
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'w');
    // A plain copy: the live market objects, serialized first, slow the writer for good (see plainData).
    this.filling.value(plainData(header));
    this.filling.byte(NEWLINE);
    this.schedule();
  }

  write(record: DispatchRecord): void {
    if ('event' in record) this.writeEvent(record.seq, record.event);
    else this.writeTick(record.seq, record.tick);
  }

  writeEvent(seq: number, event: HeliosEvent): void {
    this.queuedSeqs.push(seq);
    this.queuedEvents.push(event);
    this.queuedTicks.push(0);
    this.schedule();
  }

  writeTick(seq: number, tick: number): void {
    this.queuedSeqs.push(seq);
    this.queuedEvents.push(null);
    this.queuedTicks.push(tick);
    this.schedule();
  }

  /** The noted inputs as lines in the buffer; the first that cannot be serialized ends the log there. */
  private serializeQueued(): void {
    const seqs = this.queuedSeqs;
    if (seqs.length === 0) return;
    const events = this.queuedEvents;
    const ticks = this.queuedTicks;
    this.queuedSeqs = [];
    this.queuedEvents = [];
    this.queuedTicks = [];
    // After a failure the log already misses lines: a replay of it stops there.
    if (this.failure) return;
    const w = this.filling;
    for (let i = 0; i < seqs.length; i++) {
      const event = events[i];
      if (event) {
        // `{"event":…,"seq":N}`: the record's keys in sorted order, as `stableStringify` writes them.
        const start = w.pos;
        try {
          w.ascii('{"event":');
          w.value(event);
        } catch (err) {
          // No partial line, and no later one: a gap in the sequence would be read as a broken log.
          w.pos = start;
          this.fail(new DispatchLogError(`dispatch input ${seqs[i]} cannot be serialized: ${(err as Error).message}`));
          return;
        }
        w.ascii(',"seq":');
        w.number(seqs[i]!);
        w.ascii('}\n');
      } else {
        w.ascii('{"seq":');
        w.number(seqs[i]!);
        w.ascii(',"tick":');
        w.number(ticks[i]!);
        w.ascii('}\n');
      }
    }
  }

  private fail(err: Error): void {
    if (!this.failure) this.onError?.(err);
    this.failure ??= err;
  }

  /** Writes what is buffered and closes the file; rejects with the first write error, if any. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      while (this.writing || this.filling.pos > 0 || this.queuedSeqs.length > 0) await (this.writing ?? this.flush());
      await new Promise<void>((resolve, reject) => fsClose(this.fd, (err) => (err ? reject(err) : resolve())));
      if (this.failure) throw this.failure;
    })();
    return this.closed;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(this.onTurn);
  }

  /** Once a turn: the noted inputs into the buffer (off the heap, even behind a slow write); to the file when due. */
  private readonly onTurn = (): void => {
    this.scheduled = false;
    this.serializeQueued();
    if (this.writing || this.filling.pos === 0) return;
    if (this.cadence.flushIntervalMs === 0 || this.filling.pos >= this.cadence.flushMaxBytes) void this.flush();
    else this.timer ??= setTimeout(this.onInterval, this.cadence.flushIntervalMs).unref();
  };

  private readonly onInterval = (): void => {
    this.timer = null;
    // A running write hands on what is left when it ends.
    if (!this.writing && !this.closed) void this.flush();
  };

  /** Hands the buffered lines to the file; lines written meanwhile go out when it is done. */
  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.serializeQueued();
    const chunk = this.filling;
    if (chunk.pos === 0) return Promise.resolve();
    this.filling = this.spare;
    this.spare = chunk;
    const run = writeAll(this.fd, chunk.bytes as Buffer, chunk.pos)
      // The log is a replay aid: a failed write is reported, it does not stop trading.
      .catch((err: Error) => this.fail(err))
      .finally(() => {
        chunk.pos = 0;
        // A buffer that grew behind a slow disk is not kept at that size.
        if (chunk.bytes.length > MAX_KEPT_BYTES && chunk === this.spare) this.spare = newChunk();
        this.writing = null;
        if ((this.filling.pos > 0 || this.queuedSeqs.length > 0) && !this.closed) this.schedule();
      });
    this.writing = run;
    return run;
  }
}

const NEWLINE = 0x0a;
const MAX_KEPT_BYTES = 4 * 1024 * 1024;

function newChunk(): StableJsonWriter {
  return new StableJsonWriter(64 * 1024, (size) => Buffer.allocUnsafeSlow(size));
}

function writeAll(fd: number, buf: Buffer, length: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number): void => {
      if (offset >= length) return resolve();
      fsWrite(fd, buf, offset, length - offset, null, (err, written) => (err ? reject(err) : step(offset + written)));
    };
    step(0);
  });
}

export class DispatchLogError extends Error {}

/** When buffered lines go to the file: every `flushIntervalMs` (0: every turn), or once `flushMaxBytes` wait. */
export interface DispatchLogCadence {
  flushIntervalMs: number;
  flushMaxBytes: number;
}

/** The journal's cadence (storage.journal): a run's two records age alike. */
export function dispatchLogCadence(journal: { flush_interval_ms: number; flush_max_bytes: number }): DispatchLogCadence {
  return { flushIntervalMs: journal.flush_interval_ms, flushMaxBytes: journal.flush_max_bytes };
}

/**
 * Reads one dispatch log: its header, then its records in sequence order. A process killed
 * mid-write leaves a torn last line, which is passed over (`tornLastLine` says which); an
 * unparsable line with lines after it is damage, as are a gap or disorder: errors naming file and line.
 */
export async function readDispatchLog(file: string): Promise<{ header: DispatchHeader; records: DispatchRecord[]; tornLastLine: number | null }> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let header: DispatchHeader | null = null;
  const records: DispatchRecord[] = [];
  let n = 0;
  // An unparsable line is a torn tail only if nothing follows it: decided at the next line or the end.
  let unparsable: number | null = null;
  for await (const line of lines) {
    n++;
    if (line === '') continue;
    if (unparsable !== null) throw new DispatchLogError(`${file}:${unparsable}: damaged line (not a JSON record) with more lines after it`);
    const value = parseRecordLine(line);
    if (value === null) {
      unparsable = n;
      continue;
    }
    if (!header) {
      if ((value as DispatchHeader).kind !== 'dispatch_header') throw new DispatchLogError(`${file}:${n}: no dispatch header`);
      header = value as DispatchHeader;
      continue;
    }
    const r = value as DispatchRecord;
    if (r.seq !== records.length + 1) throw new DispatchLogError(`${file}:${n}: sequence ${r.seq} where ${records.length + 1} was expected`);
    records.push(r);
  }
  if (!header) throw new DispatchLogError(`${file}: empty dispatch log`);
  return { header, records, tornLastLine: unparsable };
}

function parseRecordLine(line: string): object | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

const TAIL_CHUNK_BYTES = 64 * 1024;

/**
 * The time of a dispatch log's last input (an event's ts_ingest or a tick), else its header's
 * start: the age retention judges it by, on the clock the journal dates its files by. Reads the
 * file from its end; a torn last line (a killed writer) is passed over. Null: nothing to date it
 * by yet (a writer that has not flushed its header).
 */
export async function dispatchLogLastMs(file: string): Promise<number | null> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    for (let want = Math.min(size, TAIL_CHUNK_BYTES); want > 0; want = Math.min(size, want * 4)) {
      const buf = Buffer.alloc(want);
      await fh.read(buf, 0, want, size - want);
      // Unless the chunk starts the file, its first line may be cut: only the lines after it count.
      const lines = buf.toString('utf8').split('\n');
      const whole = want === size ? lines : lines.slice(1);
      for (let i = whole.length - 1; i >= 0; i--) {
        const ms = lineMs(whole[i]!);
        if (ms !== null) return ms;
      }
      if (want === size) break;
    }
  } finally {
    await fh.close();
  }
  return null;
}

function lineMs(line: string): number | null {
  if (line === '') return null;
  let v: { kind?: unknown; start_ms?: unknown; tick?: unknown; event?: { ts_ingest?: unknown } };
  try {
    v = JSON.parse(line) as typeof v;
  } catch {
    return null;
  }
  const ms = v.kind === 'dispatch_header' ? v.start_ms : v.event !== undefined ? v.event.ts_ingest : v.tick;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : null;
}
