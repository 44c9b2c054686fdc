import type { RedisClient } from './redis-client.ts';
import { eventCountOf } from './stream-entry.ts';

/**
 * Counting a backlog in events when an entry holds several: the count field of each entry is read
 * (the server only counts entries). Reading is bounded: past `ENTRIES_READ` entries of one part the
 * rest are estimated at the average of those read, so a health probe on a far-behind consumer never
 * pulls the whole stream.
 */
const ENTRIES_READ = 1_000;

type RangeReply = Array<[string, string[] | null]>;

/** Events retained in a stream. */
export async function retainedEvents(client: RedisClient, key: string): Promise<number> {
  const entries = Number(await client.sendCommand(['XLEN', key]));
  return entries === 0 ? 0 : eventsFrom(client, key, '-', entries);
}

/**
 * Events a group has not acknowledged: those of its pending entries and of the entries after its
 * last delivered one. `settledHere` is what this process's consumers already acknowledged of
 * pending entries that still wait on other events of theirs (the server knows only whole entries).
 */
export async function groupBacklogEvents(client: RedisClient, key: string, info: Record<string, unknown>, settledHere: number): Promise<number> {
  const pendingEntries = Number(info.pending ?? 0);
  const lastDelivered = String(info['last-delivered-id'] ?? '0-0');
  let lagEntries = info.lag === null || info.lag === undefined ? null : Number(info.lag);
  if (lagEntries === null) lagEntries = await entriesAfter(client, key, lastDelivered);
  let events = 0;
  if (pendingEntries > 0) events += await pendingEvents(client, key, String(info.name), pendingEntries);
  if (lagEntries > 0) events += await eventsFrom(client, key, `(${lastDelivered}`, lagEntries);
  return Math.max(0, events - settledHere);
}

async function pendingEvents(client: RedisClient, key: string, group: string, pendingEntries: number): Promise<number> {
  const pending = (await client.sendCommand(['XPENDING', key, group, '-', '+', String(ENTRIES_READ)])) as Array<[string, ...unknown[]]>;
  const entries = await Promise.all(pending.map(([id]) => client.sendCommand(['XRANGE', key, id, id]) as Promise<RangeReply>));
  return extrapolated(entries.map((e) => e[0]?.[1] ?? null), pendingEntries);
}

async function eventsFrom(client: RedisClient, key: string, start: string, entries: number): Promise<number> {
  const read = (await client.sendCommand(['XRANGE', key, start, '+', 'COUNT', String(Math.min(entries, ENTRIES_READ))])) as RangeReply;
  return extrapolated(read.map(([, fields]) => fields), entries);
}

function extrapolated(fieldsRead: ReadonlyArray<string[] | null>, entries: number): number {
  if (fieldsRead.length === 0) return 0;
  let events = 0;
  for (const fields of fieldsRead) events += eventCountOf(fields);
  if (fieldsRead.length >= entries) return events;
  return Math.round((events / fieldsRead.length) * entries);
}

/** Entries after an id (up to ENTRIES_READ), when the server does not say: its lag is unknown after some trims. */
async function entriesAfter(client: RedisClient, key: string, id: string): Promise<number> {
  const after = (await client.sendCommand(['XRANGE', key, `(${id}`, '+', 'COUNT', String(ENTRIES_READ)])) as RangeReply;
  return after.length;
}
