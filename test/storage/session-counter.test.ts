import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../replay/support.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { journalFile } from '../../src/adapters/storage/layout.ts';
import { assertSessionCounterUsable, nextSession, SEQ_PER_SESSION, SessionCounterError, sessionFile, type SessionLogger } from '../../src/adapters/storage/session-counter.ts';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

function dataDir(): string {
  const { dir, cleanup } = tempDir('helios-session-');
  cleanups.push(cleanup);
  return dir;
}

function capturing(): { logger: SessionLogger; warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { logger: { warn: (_o: object, msg?: string) => void warnings.push(String(msg)), info: (_o: object, msg?: string) => void infos.push(String(msg)) } as SessionLogger, warnings, infos };
}

/** A journal as a run of `session` leaves it: ORDER_UPDATE and FILL records with that session's ids. */
function journalOrders(dir: string, session: number, date = '2026-01-29', hour = '16'): void {
  const seq = session * SEQ_PER_SESSION + 7;
  for (const ch of ['order', 'fill']) {
    const file = journalFile(dir, date, ch, hour);
    mkdirSync(path.dirname(file), { recursive: true });
    const payload = ch === 'order' ? { client_order_id: `h1abc-pa-${seq}`, status: 'filled' } : { client_order_id: `h1abc-pa-${seq}`, fill_id: 'f1' };
    writeFileSync(file, JSON.stringify({ schema_version: 1, event_id: `e-${ch}-${session}`, ch, type: ch === 'order' ? 'ORDER_UPDATE' : 'FILL', ts_ingest: 1, payload, seq: 1 }) + '\n', { flag: 'a' });
  }
}

describe('session counter', () => {
  it('counts sessions of a data directory from 1, written atomically; a first run is not a warning', () => {
    const dir = dataDir();
    const { logger, warnings, infos } = capturing();
    expect(nextSession(dir, logger)).toBe(1);
    expect(nextSession(dir, logger)).toBe(2);
    expect(nextSession(dir, logger)).toBe(3);
    expect(JSON.parse(readFileSync(sessionFile(dir), 'utf8'))).toEqual({ session: 3 });
    expect(readdirSync(path.dirname(sessionFile(dir)))).toEqual(['session.json']);
    expect(warnings).toEqual([]);
    expect(infos).toHaveLength(1);
  });

  it('a corrupt counter is recovered from the journal: no client order id of an earlier session is reused', () => {
    for (const content of ['garbage{', '{oops', '{"session":"7"}', '{"session":-3}', '']) {
      const dir = dataDir();
      journalOrders(dir, 3);
      journalOrders(dir, 5, '2026-01-30', '02');
      writeFileSync(path.join(dir, 'unused'), '');
      mkdirSync(path.dirname(sessionFile(dir)), { recursive: true });
      writeFileSync(sessionFile(dir), content);
      const { logger, warnings } = capturing();
      expect(nextSession(dir, logger), content).toBe(6);
      expect(nextSession(dir, logger), content).toBe(7);
      expect(warnings, content).toHaveLength(1);
      expect(warnings[0]).toMatch(/unreadable: recovered from the journal, continuing after session 5/);
    }
  });

  it('a deleted counter is recovered from the journal too; with no orders journaled it is a first run', () => {
    const dir = dataDir();
    journalOrders(dir, 4);
    const { logger, warnings } = capturing();
    expect(nextSession(dir, logger)).toBe(5);
    expect(warnings[0]).toMatch(/missing: recovered from the journal, continuing after session 4/);
    const empty = dataDir();
    mkdirSync(path.join(empty, 'journal', 'date=2026-01-29', 'ch=tape'), { recursive: true });
    expect(nextSession(empty, logger)).toBe(1);
  });

  it('refuses (SessionCounterError) when the counter cannot be read or written, instead of risking reused ids', () => {
    const fresh = dataDir();
    expect(() => assertSessionCounterUsable(fresh)).not.toThrow();
    expect(() => assertSessionCounterUsable(path.join(fresh, 'not', 'yet', 'created'))).not.toThrow();
    const blocked = dataDir();
    writeFileSync(path.join(blocked, 'state'), 'a file where the directory should be');
    expect(() => assertSessionCounterUsable(blocked)).toThrow(SessionCounterError);
    expect(() => nextSession(blocked)).toThrow(SessionCounterError);
    expect(() => nextSession(blocked)).toThrow(/cannot (read|write) the session counter/);
    const isDir = dataDir();
    mkdirSync(sessionFile(isDir), { recursive: true });
    expect(() => nextSession(isDir)).toThrow(/cannot read the session counter/);
    expect(() => assertSessionCounterUsable(isDir)).toThrow(/cannot read the session counter/);
  });
});
