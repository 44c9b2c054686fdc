import { open } from 'node:fs/promises';
import { looksLikeRecord, type JournalRecord } from './record.ts';

/**
 * Reads journal hour files. A crash can leave the last line of a file torn (no trailing newline,
 * not valid JSON): it is skipped with a warning and nothing before it is lost. A complete line that
 * is not a record is corruption, reported separately as `malformed`.
 */
export interface JournalReadIssue {
  kind: 'torn_tail' | 'malformed';
  file: string;
  /** 1-based line number. */
  line: number;
  bytes: number;
}

export interface ReadOptions {
  onIssue?: (issue: JournalReadIssue) => void;
  chunkBytes?: number;
}

export interface JournalFileContents {
  records: JournalRecord[];
  issues: JournalReadIssue[];
}

const NL = 0x0a;

/** Records of one file in file order (which is the recorder's order), streamed in chunks. */
export async function* streamJournalFile(file: string, opts: ReadOptions = {}): AsyncGenerator<JournalRecord> {
  const fh = await open(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(opts.chunkBytes ?? 1 << 20);
    let carry: Buffer = Buffer.alloc(0);
    let lineNo = 0;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = buf.indexOf(NL, start); nl >= 0; nl = buf.indexOf(NL, start)) {
        lineNo++;
        const rec = parseLine(buf, start, nl);
        if (rec === 'blank') {
          // nothing
        } else if (rec) {
          yield rec;
        } else {
          opts.onIssue?.({ kind: 'malformed', file, line: lineNo, bytes: nl - start });
        }
        start = nl + 1;
      }
      // Copy: `chunk` is reused by the next read.
      carry = Buffer.from(buf.subarray(start));
    }
    if (carry.length) {
      lineNo++;
      const rec = parseLine(carry, 0, carry.length);
      if (rec && rec !== 'blank') yield rec;
      else if (rec !== 'blank') opts.onIssue?.({ kind: 'torn_tail', file, line: lineNo, bytes: carry.length });
    }
  } finally {
    await fh.close();
  }
}

export async function readJournalFile(file: string, opts: ReadOptions = {}): Promise<JournalFileContents> {
  const records: JournalRecord[] = [];
  const issues: JournalReadIssue[] = [];
  const onIssue = (i: JournalReadIssue): void => {
    issues.push(i);
    opts.onIssue?.(i);
  };
  for await (const r of streamJournalFile(file, { ...opts, onIssue })) records.push(r);
  return { records, issues };
}

function parseLine(buf: Buffer, start: number, end: number): JournalRecord | 'blank' | null {
  let e = end;
  if (e > start && buf[e - 1] === 0x0d) e--;
  if (e === start) return 'blank';
  try {
    const v: unknown = JSON.parse(buf.toString('utf8', start, e));
    return looksLikeRecord(v) ? v : null;
  } catch {
    return null;
  }
}

/** Is this text one complete record (used to tell a torn tail from a record that only lost its newline)? */
export function isCompleteRecordLine(text: string): boolean {
  try {
    return looksLikeRecord(JSON.parse(text));
  } catch {
    return false;
  }
}

export interface LineScan {
  /** Non-blank newline-terminated lines. */
  lines: number;
  /** Bytes after the last newline: none, a whole record that lost its newline, or a torn line. */
  tail: 'none' | 'complete' | 'torn';
  tailBytes: number;
  size: number;
}

/** Counts lines without parsing them (a compaction that met unreadable lines checks DuckDB's row count against it). */
export async function scanJournalLines(file: string): Promise<LineScan> {
  const fh = await open(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let lines = 0;
    let size = 0;
    let lineLen = 0;
    let lastByteWasCr = false;
    let tailParts: Buffer[] = [];
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      let start = 0;
      for (let nl = chunk.indexOf(NL, start); nl >= 0 && nl < bytesRead; nl = chunk.indexOf(NL, start)) {
        const len = lineLen + (nl - start);
        const crOnly = len === 1 && (nl > start ? chunk[nl - 1] === 0x0d : lastByteWasCr);
        if (len > 0 && !crOnly) lines++;
        lineLen = 0;
        tailParts = [];
        start = nl + 1;
      }
      if (start < bytesRead) {
        lineLen += bytesRead - start;
        tailParts.push(Buffer.from(chunk.subarray(start, bytesRead)));
        lastByteWasCr = chunk[bytesRead - 1] === 0x0d;
      }
    }
    return { lines, ...classifyTail(Buffer.concat(tailParts)), size };
  } finally {
    await fh.close();
  }
}

export type JournalTail = Pick<LineScan, 'tail' | 'tailBytes' | 'size'>;

/**
 * The bytes after a file's last newline, read backwards from its end: what a torn write leaves.
 * Compaction needs no more of a file unless the tail is torn (then `scanJournalLines` numbers it).
 */
export async function readJournalTail(file: string): Promise<JournalTail> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const chunk = Buffer.allocUnsafe(TAIL_CHUNK_BYTES);
    const parts: Buffer[] = [];
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await fh.read(chunk, 0, end - start, start);
      const read = chunk.subarray(0, bytesRead);
      const nl = read.lastIndexOf(NL);
      parts.unshift(Buffer.from(read.subarray(nl + 1)));
      if (nl >= 0 || bytesRead < end - start) break;
      end = start;
    }
    return { ...classifyTail(Buffer.concat(parts)), size };
  } finally {
    await fh.close();
  }
}

const TAIL_CHUNK_BYTES = 64 * 1024;

function classifyTail(tail: Buffer): Pick<LineScan, 'tail' | 'tailBytes'> {
  if (tail.length === 0) return { tail: 'none', tailBytes: 0 };
  return { tail: isCompleteRecordLine(tail.toString('utf8')) ? 'complete' : 'torn', tailBytes: tail.length };
}
