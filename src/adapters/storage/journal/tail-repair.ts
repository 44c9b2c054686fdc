import type { FileHandle } from 'node:fs/promises';
import { isCompleteRecordLine } from './reader.ts';

export interface TailRepair {
  /** Bytes of a torn last line cut off (0 when the file ended cleanly). */
  removedBytes: number;
  /** The last line was a whole record that only lost its newline: the newline was added back. */
  addedNewline: boolean;
}

/**
 * Before appending to a journal file left by a crashed process, make its end a line boundary, so
 * the next record is not glued onto a torn fragment. Consistent with the reader: a tail the reader
 * would keep (a complete record) gets its newline; a tail it would skip (torn) is cut off.
 * The handle must be open for reading and appending ('a+').
 */
export async function repairTornTail(fh: FileHandle): Promise<TailRepair> {
  const { size } = await fh.stat();
  if (size === 0) return { removedBytes: 0, addedNewline: false };
  const last = Buffer.alloc(1);
  await fh.read(last, 0, 1, size - 1);
  if (last[0] === 0x0a) return { removedBytes: 0, addedNewline: false };

  // Scan back for the previous newline, in blocks.
  const block = Buffer.allocUnsafe(64 * 1024);
  let end = size;
  let lineStart = 0;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const { bytesRead } = await fh.read(block, 0, end - start, start);
    const nl = block.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl >= 0) {
      lineStart = start + nl + 1;
      break;
    }
    end = start;
  }
  const tail = Buffer.alloc(size - lineStart);
  await fh.read(tail, 0, tail.length, lineStart);
  if (isCompleteRecordLine(tail.toString('utf8'))) {
    await fh.write('\n');
    return { removedBytes: 0, addedNewline: true };
  }
  await fh.truncate(lineStart);
  return { removedBytes: size - lineStart, addedNewline: false };
}
