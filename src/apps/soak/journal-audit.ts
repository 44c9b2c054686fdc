import { createClient } from 'redis';
import { eventIdsOf } from '../../adapters/bus/stream-entry.ts';
import { readJournalFile } from '../../adapters/storage/journal/reader.ts';
import { eventFromRecord, type JournalRecord } from '../../adapters/storage/journal/record.ts';
import { listJournalFiles } from '../../adapters/storage/layout.ts';
import type { RefereeRecord } from '../../domain/soak/referee.ts';
import type { TappedEvent } from './event-tap.ts';

/** One daemon process of the soak, by wall time (at speed 1 the daemon's clock is wall time). */
export interface InstanceSpan {
  index: number;
  start_ms: number;
  end_ms: number;
  /** Stopped with SIGTERM (everything flushed) rather than killed. */
  graceful: boolean;
  tapped: TappedEvent[];
}

export interface JournalAudit {
  records: RefereeRecord[];
  /** Lines the reader had to skip (a torn tail after a SIGKILL). */
  skipped_lines: number;
  lost: Array<{ event_id: string; type: string; instance: number; where: 'journal' | 'redis' }>;
  checked_against_journal: number;
  checked_against_redis: number;
}

/** Channels the recorder keeps only inside event windows: absence from the journal is by design. */
const WINDOWED_CHANNELS = new Set(['l2_delta']);
/** Channels whose bus queues halt rather than drop: every event on them must reach Redis. */
const NEVER_DROPPED_CHANNELS = ['order', 'fill', 'control'];

/**
 * Reads the whole journal back, assigns each record to the process that wrote it, and finds every
 * event the tap saw published (older than the durability horizon at its process's end) that the
 * journal does not hold — and, on a Redis bus, every journaled order/fill/control event that the
 * streams do not hold.
 */
export async function auditJournal(dataDir: string, spans: readonly InstanceSpan[], horizonMs: number, redis?: { url: string; prefix: string }): Promise<JournalAudit> {
  const byInstance = new Map<number, JournalRecord[]>();
  let skipped = 0;
  for (const f of await listJournalFiles(dataDir)) {
    const { records, issues } = await readJournalFile(f.path);
    skipped += issues.length;
    for (const r of records) {
      const span = spanOf(spans, r.ts_ingest);
      let list = byInstance.get(span);
      if (!list) byInstance.set(span, (list = []));
      list.push(r);
    }
  }
  const records: RefereeRecord[] = [];
  const journalIds = new Set<string>();
  for (const instance of [...byInstance.keys()].sort((a, b) => a - b)) {
    const list = byInstance.get(instance)!.sort((a, b) => a.seq - b.seq);
    for (const r of list) {
      journalIds.add(r.event_id);
      records.push({ instance, seq: r.seq, event: eventFromRecord(r) });
    }
  }

  const lost: JournalAudit['lost'] = [];
  let checkedJournal = 0;
  for (const span of spans) {
    const cutoff = span.graceful ? Infinity : span.end_ms - horizonMs;
    for (const t of span.tapped) {
      if (WINDOWED_CHANNELS.has(t.ch) || t.received_ms > cutoff) continue;
      checkedJournal++;
      if (!journalIds.has(t.event_id)) lost.push({ event_id: t.event_id, type: t.type, instance: span.index, where: 'journal' });
    }
  }

  let checkedRedis = 0;
  if (redis) {
    const inRedis = await streamEventIds(redis.url, redis.prefix, NEVER_DROPPED_CHANNELS);
    for (const r of records) {
      if (!NEVER_DROPPED_CHANNELS.includes(r.event.ch)) continue;
      const span = spans.find((s) => s.index === r.instance);
      const cutoff = !span || span.graceful ? Infinity : span.end_ms - horizonMs;
      if (r.event.ts_ingest > cutoff) continue;
      checkedRedis++;
      if (!inRedis.has(r.event.event_id)) lost.push({ event_id: r.event.event_id, type: r.event.type, instance: r.instance, where: 'redis' });
    }
  }
  return { records, skipped_lines: skipped, lost, checked_against_journal: checkedJournal, checked_against_redis: checkedRedis };
}

function spanOf(spans: readonly InstanceSpan[], ts: number): number {
  let index = spans[0]?.index ?? 0;
  for (const s of spans) if (s.start_ms <= ts) index = s.index;
  return index;
}

/** Event ids held in the Redis streams of these channels. */
async function streamEventIds(url: string, prefix: string, channels: readonly string[]): Promise<Set<string>> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  const ids = new Set<string>();
  try {
    for (const ch of channels) {
      let cursor = '0';
      do {
        const [next, keys] = (await client.sendCommand(['SCAN', cursor, 'MATCH', `${prefix}:${ch}*`, 'TYPE', 'stream', 'COUNT', '1000'])) as [string, string[]];
        cursor = next;
        for (const key of keys) {
          const entries = (await client.sendCommand(['XRANGE', key, '-', '+'])) as Array<[string, string[]]>;
          for (const [, fields] of entries) for (const id of eventIdsOf(fields)) ids.add(id);
        }
      } while (cursor !== '0');
    }
  } finally {
    await client.quit().catch(() => {});
  }
  return ids;
}
