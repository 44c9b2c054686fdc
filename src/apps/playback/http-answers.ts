import type { HttpRecord } from '../../adapters/capture/records.ts';
import { requestKey } from '../../adapters/capture/records.ts';

export interface ServedAnswer {
  status: number;
  contentType: string;
  body: string;
  /** The capture's record, or null when the answer was put together or refused. */
  from: HttpRecord | null;
}

/**
 * The captured HTTP answers, by source, method and request key. A request captured several times
 * gets the answer that was current at the playback's capture time (the latest one received by
 * then, or the first one before that), so a polled endpoint changes as it did. CLOB `POST /books`
 * not captured with the same body is put together from the current book of each token.
 */
export class HttpAnswers {
  private readonly byKey = new Map<string, HttpRecord[]>();
  private readonly books = new Map<string, Array<{ recv_ms: number; book: unknown }>>();

  constructor(records: readonly HttpRecord[]) {
    for (const r of records) {
      const k = `${r.source} ${r.method} ${r.key}`;
      const list = this.byKey.get(k) ?? [];
      list.push(r);
      this.byKey.set(k, list);
      if (r.source === 'clob' && r.status === 200 && (r.key.startsWith('/book?') || r.key.startsWith('/books'))) this.indexBooks(r);
    }
    for (const list of this.byKey.values()) list.sort((a, b) => a.recv_ms - b.recv_ms || a.seq - b.seq);
    for (const list of this.books.values()) list.sort((a, b) => a.recv_ms - b.recv_ms);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byKey.values()) n += l.length;
    return n;
  }

  answer(source: string, method: string, rest: string, body: string | null, captureNow: number): ServedAnswer | null {
    const key = requestKey(rest, method === 'GET' ? null : body);
    const list = this.byKey.get(`${source} ${method} ${key}`);
    if (list) {
      const r = pick(list, captureNow, (x) => x.recv_ms);
      return { status: r.status, contentType: r.content_type ?? 'application/json', body: r.body, from: r };
    }
    if (source === 'clob' && method === 'POST' && key.startsWith('/books')) return this.composeBooks(body, captureNow);
    return null;
  }

  private composeBooks(body: string | null, captureNow: number): ServedAnswer | null {
    let tokens: string[];
    try {
      const parsed = JSON.parse(body ?? '') as unknown;
      if (!Array.isArray(parsed)) return null;
      tokens = parsed.map((x) => (typeof x === 'object' && x !== null ? String((x as { token_id?: unknown }).token_id ?? '') : ''));
    } catch {
      return null;
    }
    const found = tokens.flatMap((t) => {
      const list = this.books.get(t);
      return list ? [pick(list, captureNow, (x) => x.recv_ms).book] : [];
    });
    if (found.length === 0) return null;
    return { status: 200, contentType: 'application/json', body: JSON.stringify(found), from: null };
  }

  private indexBooks(r: HttpRecord): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      return;
    }
    for (const b of Array.isArray(parsed) ? parsed : [parsed]) {
      const asset = typeof b === 'object' && b !== null ? (b as { asset_id?: unknown }).asset_id : undefined;
      if (typeof asset !== 'string') continue;
      const list = this.books.get(asset) ?? [];
      list.push({ recv_ms: r.recv_ms, book: b });
      this.books.set(asset, list);
    }
  }
}

/** The last item received by `t`, or the first when none was yet (lists are sorted and non-empty). */
function pick<T extends object>(list: readonly T[], t: number, at: (x: T) => number): T {
  let chosen = list[0]!;
  for (const x of list) {
    if (at(x) <= t) chosen = x;
    else break;
  }
  return chosen;
}
