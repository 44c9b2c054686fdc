import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger.ts';
import { writeAtomically } from './atomic-file.ts';
import { journalRoot } from './layout.ts';

/** Where the session counter of a data directory lives. */
export function sessionFile(dataDir: string): string {
  return path.join(dataDir, 'state', 'session.json');
}

/** The counter cannot be read nor recovered: starting would risk reusing client order ids. */
export class SessionCounterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionCounterError';
  }
}

/**
 * Order sequence numbers one session may use per market: a session's client order ids end in
 * `-seq` with seq in [session × this, (session + 1) × this), far beyond what a session can place
 * (the risk rate limit allows ~10 orders/s in all; 10^9 of them would take years), and well inside
 * Number.MAX_SAFE_INTEGER for millions of sessions. It is also how a lost counter is recovered.
 */
export const SEQ_PER_SESSION = 1_000_000_000;

export type SessionLogger = Pick<Logger, 'warn' | 'info'>;

/**
 * The next trading session of this data directory (1, 2, …), written back before it is returned so
 * that a process killed right after still never hands out the same session twice. When the file is
 * missing or unreadable, the journal's order and fill records tell the highest session that
 * placed orders, and counting resumes after it: client order ids are never reused. A missing file
 * with no orders in the journal is a first run. A counter that cannot be written, or a file that
 * cannot be read for another reason than its content, is refused (SessionCounterError).
 */
export function nextSession(dataDir: string, logger?: SessionLogger): number {
  const file = sessionFile(dataDir);
  let previous: number;
  try {
    previous = readCounter(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && code !== 'ENOENT') throw new SessionCounterError(`cannot read the session counter ${file}: ${(err as Error).message}`);
    const recovered = highestJournalSession(dataDir);
    previous = recovered;
    if (code === 'ENOENT' && recovered === 0) {
      logger?.info({ file }, 'first run on this data directory: session 1');
    } else {
      logger?.warn(
        { file, err: (err as Error).message, recovered_session: recovered },
        `session counter ${code === 'ENOENT' ? 'missing' : 'unreadable'}: recovered from the journal, continuing after session ${recovered}`,
      );
    }
  }
  const session = previous + 1;
  try {
    writeAtomically(file, JSON.stringify({ session }) + '\n');
  } catch (err) {
    throw new SessionCounterError(`cannot write the session counter ${file}: ${(err as Error).message}`);
  }
  return session;
}

/**
 * Throws SessionCounterError when the counter could be neither read nor written (permissions, a
 * file where its directory should be): checked before anything starts, so the process refuses to
 * run (exit 2) instead of failing later. Changes nothing.
 */
export function assertSessionCounterUsable(dataDir: string): void {
  const file = sessionFile(dataDir);
  try {
    readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new SessionCounterError(`cannot read the session counter ${file}: ${(err as Error).message}`);
  }
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      accessSync(dir, constants.W_OK);
      if (!statSync(dir).isDirectory()) throw new SessionCounterError(`cannot write the session counter ${file}: ${dir} is not a directory`);
      return;
    } catch (err) {
      if (err instanceof SessionCounterError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new SessionCounterError(`cannot write the session counter ${file}: ${(err as Error).message}`);
      if (code !== 'ENOENT') throw new SessionCounterError(`cannot write the session counter ${file}: ${(err as Error).message}`);
      if (path.dirname(dir) === dir) return;
    }
  }
}

function readCounter(file: string): number {
  const text = readFileSync(file, 'utf8');
  let parsed: { session?: unknown };
  try {
    parsed = JSON.parse(text) as { session?: unknown };
  } catch (err) {
    throw new Error(`invalid JSON in ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed?.session !== 'number' || !Number.isSafeInteger(parsed.session) || parsed.session < 0) throw new Error(`no session number in ${file}`);
  return parsed.session;
}

/** Channels whose records carry client order ids. */
const ORDER_CHANNELS = ['order', 'fill'];
const CLIENT_ORDER_SEQ = /"client_order_id":"[^"]*-(\d+)"/g;

/** The highest session whose client order ids appear in the journal (0 when none do). */
export function highestJournalSession(dataDir: string): number {
  const root = journalRoot(dataDir);
  let highest = 0;
  for (const day of listDir(root)) {
    for (const ch of ORDER_CHANNELS) {
      const dir = path.join(root, day, `ch=${ch}`);
      for (const f of listDir(dir)) {
        if (!f.endsWith('.ndjson')) continue;
        const text = readFileSync(path.join(dir, f), 'utf8');
        for (const m of text.matchAll(CLIENT_ORDER_SEQ)) {
          const session = Math.floor(Number(m[1]) / SEQ_PER_SESSION);
          if (Number.isSafeInteger(session) && session > highest) highest = session;
        }
      }
    }
  }
  return highest;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
