import { StableJsonWriter } from '../../../domain/util/stable-json.ts';

/**
 * Journal lines as bytes, per file, until the flush writes them. The bytes live in Buffers the
 * recorder reuses: their memory is outside the JS heap, so a line waiting for its flush costs the
 * garbage collector nothing, and neither the event nor its line string outlives `emit`.
 */
export class ByteChunk {
  /** Lines are serialized straight into these bytes (see `writeRecord`). */
  readonly out: StableJsonWriter;
  lines = 0;
  /** The file this chunk last held lines of: the pool hands it back to that file first (it grew to its size). */
  owner = '';

  constructor(capacity: number) {
    this.out = new StableJsonWriter(capacity, (size) => Buffer.allocUnsafeSlow(size));
  }

  get buf(): Buffer {
    return this.out.bytes as Buffer;
  }

  get len(): number {
    return this.out.pos;
  }

  /** Appends bytes holding `lines` whole lines (a retried write). */
  appendBytes(bytes: Buffer, lines: number): void {
    this.out.room(bytes.length);
    this.out.bytes.set(bytes, this.out.pos);
    this.out.pos += bytes.length;
    this.lines += lines;
  }

  reset(): void {
    this.out.pos = 0;
    this.lines = 0;
  }
}

/**
 * Written chunks wait here for their next lines. The pool keeps at most `maxPooledBytes` of them
 * (chunks that grew while the disk stalled are let go rather than held for good).
 */
export class ByteChunkPool {
  private readonly free: ByteChunk[] = [];
  private pooledBytes = 0;

  constructor(
    private readonly initialBytes: number,
    private readonly maxPooledBytes: number,
  ) {}

  take(file: string): ByteChunk {
    let chunk: ByteChunk | undefined;
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i]!.owner === file) {
        chunk = this.free[i]!;
        this.free[i] = this.free[this.free.length - 1]!;
        this.free.pop();
        break;
      }
    }
    chunk ??= this.free.pop();
    if (!chunk) chunk = new ByteChunk(this.initialBytes);
    else this.pooledBytes -= chunk.buf.length;
    chunk.owner = file;
    return chunk;
  }

  give(chunk: ByteChunk): void {
    chunk.reset();
    if (this.pooledBytes + chunk.buf.length > this.maxPooledBytes) return;
    this.pooledBytes += chunk.buf.length;
    this.free.push(chunk);
  }
}

/** Whole lines in `bytes` (each ends with a newline). */
export function countLines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}
