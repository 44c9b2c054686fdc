import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { offerAtRate } from './offered-rate.ts';

/**
 * The floor under the Redis bus's latency figure: the bus bench's latency loop (one event per
 * publish at a fixed rate, 1 ms producer ticks, one XADD in flight holding what waited, XREADGROUP
 * BLOCK on a second connection with the next read sent as soon as one returns, XACK awaited before
 * the next hand-over) done with a bare RESP client over two sockets and `JSON.stringify` /
 * `JSON.parse` of the same events. No queues, no settlers, no client library: what this machine's
 * loopback, redis-server and scheduler give at best, so the bus's p99 can be judged against it.
 */

type Reply = string | number | null | Error | Reply[];

/** One RESP2 connection: commands are written at once, replies answered in order. */
class RespConnection {
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<(reply: Reply) => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      for (;;) {
        const parsed = parseReply(this.pending, 0);
        if (!parsed) return;
        this.pending = this.pending.subarray(parsed.end);
        this.waiting.shift()?.(parsed.reply);
      }
    });
  }

  static open(port: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RespConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(args: readonly string[]): Promise<Reply> {
    let out = `*${args.length}\r\n`;
    for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
    this.socket.write(out);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A complete reply starting at `at`, or null when more bytes are needed. */
function parseReply(buf: Buffer, at: number): { reply: Reply; end: number } | null {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return null;
  const line = buf.toString('latin1', at + 1, eol);
  const next = eol + 2;
  switch (buf[at]) {
    case 0x2b: // +
      return { reply: line, end: next };
    case 0x2d: // -
      return { reply: new Error(line), end: next };
    case 0x3a: // :
      return { reply: Number(line), end: next };
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return { reply: null, end: next };
      if (buf.length < next + len + 2) return null;
      return { reply: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case 0x2a: {
      // *
      const len = Number(line);
      if (len < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < len; i++) {
        const item = parseReply(buf, end);
        if (!item) return null;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`unexpected RESP type byte ${buf[at]}`);
  }
}

type StreamsReply = Array<[key: string, entries: Array<[id: string, fields: string[]]>]> | null;

/** Publish → hand-over latencies (ms) of the bare loop at `rate` events/s over `events`. */
export async function rawRedisLatency(port: number, events: readonly HeliosEvent[], rate: number, key = 'floor:lat'): Promise<number[]> {
  const writer = await RespConnection.open(port);
  const reader = await RespConnection.open(port);
  await writer.send(['XGROUP', 'CREATE', key, 'floor', '$', 'MKSTREAM']);
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  let waiting: HeliosEvent[] = [];
  let sending = false;
  let flushScheduled = false;
  const flush = async () => {
    if (sending) return;
    sending = true;
    while (waiting.length) {
      const batch = waiting;
      waiting = [];
      await writer.send(['XADD', key, 'MAXLEN', '~', '200000', '*', 'n', String(batch.length), 'b', JSON.stringify(batch)]);
    }
    sending = false;
  };
  const readArgs = ['XREADGROUP', 'GROUP', 'floor', 'c', 'COUNT', '2000', 'BLOCK', '100', 'STREAMS', key, '>'];
  let done = false;
  const consuming = (async () => {
    let reading = reader.send(readArgs);
    for (;;) {
      const reply = (await reading) as StreamsReply;
      reading = reader.send(readArgs);
      if (!reply) {
        if (done) return;
        continue;
      }
      const now = performance.now();
      const ids: string[] = [];
      for (const [, entries] of reply) {
        for (const [id, fields] of entries) {
          ids.push(id);
          for (const e of JSON.parse(fields[3]!) as HeliosEvent[]) {
            const s = sentAt.get(e.event_id);
            if (s !== undefined) lat.push(now - s);
          }
        }
      }
      await writer.send(['XACK', key, 'floor', ...ids]);
      if (done && lat.length >= sentAt.size) return;
    }
  })();
  await offerAtRate(events, rate, sentAt, (e) => {
    waiting.push(e);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        void flush();
      });
    }
  });
  done = true;
  await Promise.race([consuming, new Promise((r) => setTimeout(r, 5_000))]);
  writer.close();
  reader.close();
  return lat;
}
