/**
 * Journal lines as bytes, per file, until the flush writes them. The bytes live in Buffers the
 * recorder reuses: their memory is outside the JS heap, so a line waiting for its flush costs the
 * garbage collector nothing, and neither the event nor its line string outlives `emit`.
 */
export class ByteChunk {
  buf: Buffer;
  len = 0;
  lines = 0;
  /** The file this chunk last held lines of: the pool hands it back to that file first (it grew to its size). */
  owner = '';

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  /**
   * Appends one line (UTF-8) given as its envelope's JSON and the tail that takes the place of the
   * envelope's closing brace; returns the bytes added. Two writes instead of one joined string:
   * the envelope is written as it is, not copied into a flattened line first.
   */
  appendLine(envelope: string, tail: string): number {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: with that much room no write is cut short.
    const room = 3 * (envelope.length + tail.length);
    if (this.buf.length - this.len < room) this.grow(room);
    const start = this.len;
    const end = start + this.buf.write(envelope, start, 'utf8') - 1;
    this.len = end + this.buf.write(tail, end, 'utf8');
    this.lines++;
    return this.len - start;
  }

  /** Appends bytes holding `lines` whole lines (a retried write). */
  appendBytes(bytes: Buffer, lines: number): void {
    if (this.buf.length - this.len < bytes.length) this.grow(bytes.length);
    bytes.copy(this.buf, this.len);
    this.len += bytes.length;
    this.lines += lines;
  }

  private grow(need: number): void {
    let capacity = this.buf.length * 2;
    while (capacity - this.len < need) capacity *= 2;
    const next = Buffer.allocUnsafeSlow(capacity);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
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
    chunk.len = 0;
    chunk.lines = 0;
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
