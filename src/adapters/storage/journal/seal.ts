import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';

/**
 * A seal says "this journal file is complete": its writer stopped cleanly after writing exactly
 * `size` bytes. Compaction takes a sealed hour at once, whatever the wall clock says (a simulated
 * run's hours can lie ahead of it). A writer that appends again removes the seal first, and a
 * size that no longer matches voids it.
 */
export function sealPath(journalFile: string): string {
  return journalFile.replace(/\.ndjson$/, '.sealed');
}

export async function sealJournalFile(journalFile: string): Promise<void> {
  const { size } = await stat(journalFile);
  const seal = sealPath(journalFile);
  const tmp = `${seal}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ size }) + '\n');
  await rename(tmp, seal);
}

export async function unsealJournalFile(journalFile: string): Promise<void> {
  try {
    await unlink(sealPath(journalFile));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export async function isJournalFileSealed(journalFile: string): Promise<boolean> {
  try {
    const [text, s] = await Promise.all([readFile(sealPath(journalFile), 'utf8'), stat(journalFile)]);
    const seal = JSON.parse(text) as { size?: unknown };
    return seal.size === s.size;
  } catch {
    return false;
  }
}
