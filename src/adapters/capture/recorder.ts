import { createWriteStream, existsSync, readdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../domain/time/clock.ts';
import { CAPTURE_FORMAT, FRAMES_FILE, HTTP_FILE, MANIFEST_FILE, requestKey, type CaptureManifest, type FrameRecord, type HttpRecord } from './records.ts';
import { classifyUrl } from './sources.ts';
import { makeDirectories } from '../storage/make-directories.ts';
import type { CaptureTap, HttpExchange } from './tap.ts';

export class CaptureDirNotEmpty extends Error {}

export interface CaptureRecorderOptions {
  dir: string;
  clock: Clock;
  /** Base URL per source name (`sourceBases(config)`). */
  sources: Readonly<Record<string, string>>;
  heliosVersion: string;
  note: string;
}

/**
 * Writes a capture directory: every HTTP answer and socket frame the process receives, in arrival
 * order with its receive time, as NDJSON, and a manifest (format, versions, sources, counts) that
 * is written at open and rewritten at close. It is the process's `CaptureTap` while installed.
 */
export class CaptureRecorder implements CaptureTap {
  private readonly httpOut: WriteStream;
  private readonly framesOut: WriteStream;
  private readonly sockets = new WeakMap<object, number>();
  private readonly socketsPerSource = new Map<string, number>();
  private readonly manifest: CaptureManifest;
  private seq = 0;
  private closed = false;
  /** The first write that failed (disk full, directory gone): recording stopped there. */
  private failure: Error | null = null;

  constructor(private readonly o: CaptureRecorderOptions) {
    if (existsSync(o.dir) && readdirSync(o.dir).length > 0) throw new CaptureDirNotEmpty(`capture directory ${o.dir} is not empty (a capture never overwrites one)`);
    makeDirectories(o.dir);
    const now = o.clock.now();
    this.manifest = {
      format: CAPTURE_FORMAT,
      helios_version: o.heliosVersion,
      node_version: process.version,
      started_ms: now,
      ended_ms: null,
      started_at: new Date(now).toISOString(),
      ended_at: null,
      sources: { ...o.sources },
      counts: { http: 0, frames: 0 },
      note: o.note,
    };
    this.writeManifest();
    this.httpOut = createWriteStream(join(o.dir, HTTP_FILE), { flags: 'wx' });
    this.framesOut = createWriteStream(join(o.dir, FRAMES_FILE), { flags: 'wx' });
    // A failed write must not take the daemon down: recording stops and close() reports it.
    for (const s of [this.httpOut, this.framesOut]) {
      s.on('error', (err: Error) => {
        this.failure ??= err;
        this.closed = true;
      });
    }
  }

  http(x: HttpExchange): void {
    if (this.closed) return;
    const { source, rest } = classifyUrl(x.url, this.o.sources);
    const rec: HttpRecord = {
      kind: 'http',
      seq: this.seq++,
      recv_ms: this.o.clock.now(),
      source,
      method: x.method,
      key: requestKey(rest, x.method === 'GET' ? null : x.requestBody),
      request_body: x.requestBody,
      status: x.status,
      content_type: x.contentType,
      body: x.text,
    };
    this.manifest.counts.http++;
    this.httpOut.write(JSON.stringify(rec) + '\n');
  }

  frame(url: string, socket: object, text: string): void {
    if (this.closed) return;
    const { source, rest } = classifyUrl(url, this.o.sources);
    let conn = this.sockets.get(socket);
    if (conn === undefined) {
      conn = this.socketsPerSource.get(source) ?? 0;
      this.socketsPerSource.set(source, conn + 1);
      this.sockets.set(socket, conn);
    }
    const rec: FrameRecord = { kind: 'frame', seq: this.seq++, recv_ms: this.o.clock.now(), source, conn, key: requestKey(rest), text };
    this.manifest.counts.frames++;
    this.framesOut.write(JSON.stringify(rec) + '\n');
  }

  get counts(): { http: number; frames: number } {
    return { ...this.manifest.counts };
  }

  /**
   * Flushes both files and completes the manifest; later answers and frames are dropped. Throws
   * the write error that stopped the recording, if one did.
   */
  async close(): Promise<CaptureManifest> {
    if (this.failure) throw this.failure;
    if (!this.closed) {
      this.closed = true;
      await Promise.all([this.httpOut, this.framesOut].map((s) => new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())))));
      if (this.failure) throw this.failure;
      const now = this.o.clock.now();
      this.manifest.ended_ms = now;
      this.manifest.ended_at = new Date(now).toISOString();
      this.writeManifest();
    }
    return { ...this.manifest, counts: { ...this.manifest.counts } };
  }

  private writeManifest(): void {
    writeFileSync(join(this.o.dir, MANIFEST_FILE), JSON.stringify(this.manifest, null, 2) + '\n');
  }
}
