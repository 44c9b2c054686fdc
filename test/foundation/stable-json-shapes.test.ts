import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HumanTimeCache, writeRecord } from '../../src/adapters/storage/journal/record.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { serializeEnvelope, stableStringify, StableJsonWriter } from '../../src/domain/util/stable-json.ts';
import * as reference from '../support/reference/stable-json.ts';

/**
 * The writer's cached-shape paths (each key's `"k":` bytes kept with the shape, an envelope's
 * writing order kept per shape) and the journal's copied zone fields, against the reference string
 * serializer. A file of its own: the shape cache is the module's, so here every shape is cached
 * (other files fill it with thousands of arbitrary shapes first) and each is met again and again.
 */

const T = Date.UTC(2026, 11, 7, 6, 0, 0);
const ulid = fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/);
const conditionId = fc.stringMatching(/^0x[0-9a-f]{64}$/);
const tokenId = fc.stringMatching(/^[1-9][0-9]{76}$/);
const price = fc.oneof(fc.integer({ min: 1, max: 999 }).map((t) => t / 1000), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, -0));
const size = fc.oneof(fc.integer({ min: 0, max: 1e7 }).map((c) => c / 100), fc.integer({ min: 0, max: 1e6 }), fc.double({ noNaN: true }));
const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const level = fc.tuple(price, size);

/** The market tape's payloads, as the publisher builds them (key order included). */
const payload = fc.oneof(
  fc
    .record({
      resync_epoch_id: fc.nat(),
      synced: fc.boolean(),
      best_bid: orNull(price),
      best_bid_size: orNull(size),
      best_ask: orNull(price),
      best_ask_size: orNull(size),
      updates_coalesced: fc.nat(),
      partner: fc.boolean(),
    })
    .map(({ partner, ...p }) => ({ type: 'BEST_PRICE', payload: partner ? { ...p, partner_follows: true } : p })),
  fc
    .record({ resync_epoch_id: fc.nat(), side: fc.constantFrom('BUY', 'SELL'), price, size, best_bid: orNull(price), best_ask: orNull(price) })
    .map((p) => ({ type: 'L2_DELTA', payload: p })),
  fc
    .record({
      resync_epoch_id: fc.nat(),
      synced: fc.boolean(),
      tick_size: fc.constantFrom(0.01, 0.001),
      bids: fc.array(level, { maxLength: 10 }),
      asks: fc.array(level, { maxLength: 10 }),
      best_bid: orNull(price),
      best_ask: orNull(price),
      mid: orNull(price),
      spread: orNull(price),
      microprice: orNull(price),
      imbalance: orNull(fc.double({ min: -1, max: 1, noNaN: true })),
      hash: orNull(fc.stringMatching(/^[0-9a-f]{40}$/)),
    })
    .map((p) => ({ type: 'L2_SNAPSHOT', payload: p })),
  fc
    .record({ price, size, side: orNull(fc.constantFrom('BUY', 'SELL')), fee_rate_bps: orNull(fc.integer({ min: 0, max: 1000 })) })
    .map((p) => ({ type: 'TRADE', payload: p })),
);

/** Envelopes as the event factory builds them: the market tape's literal, or field by field. */
const event = fc
  .record({
    id: ulid,
    cause: fc.option(ulid, { nil: undefined }),
    ts_ingest: fc.integer({ min: T, max: T + 5_000 }),
    ts_source: fc.option(fc.integer({ min: T - 5_000, max: T }), { nil: undefined }),
    market_id: conditionId,
    token_id: tokenId,
    window_id: fc.option(fc.constantFrom('mid_shock:token:7:1764900000000', 'metar:global:1764900000000'), { nil: undefined }),
    body: payload,
  })
  .map(({ id, cause, ts_ingest, ts_source, market_id, token_id, window_id, body }): Record<string, unknown> => {
    const ch = body.type === 'L2_DELTA' ? 'l2_delta' : body.type === 'TRADE' ? 'tape' : 'l2';
    if (cause === undefined && window_id === undefined) {
      return ts_source !== undefined
        ? { schema_version: 1, event_id: id, correlation_id: id, ch, type: body.type, ts_ingest, payload: body.payload, ts_source, market_id, token_id }
        : { schema_version: 1, event_id: id, correlation_id: id, ch, type: body.type, ts_ingest, payload: body.payload, market_id, token_id };
    }
    const e: Record<string, unknown> = { schema_version: 1, event_id: id, correlation_id: cause ?? id, ch, type: body.type, ts_ingest, payload: body.payload };
    if (cause !== undefined) e.causation_id = cause;
    if (ts_source !== undefined) e.ts_source = ts_source;
    e.market_id = market_id;
    e.token_id = token_id;
    if (window_id !== undefined) e.window_id = window_id;
    return e;
  });

describe('stable JSON through cached shapes', () => {
  it('market tape events, journal and dispatch-log forms, met again and again: the same bytes as the reference', () => {
    const times = new HumanTimeCache();
    const journal = new StableJsonWriter(16);
    const dispatch = new StableJsonWriter(16);
    const wantJournal: string[] = [];
    const wantDispatch: string[] = [];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(event, fc.option(fc.constantFrom('w1', 'spread_regime:token:9:1764900000000'), { nil: undefined })), { minLength: 1, maxLength: 30 }),
        (records) => {
          // Each twice: the second write meets the shapes the first one cached.
          for (const [e, windowId] of [...records, ...records]) {
            const seq = wantJournal.length + 1;
            wantJournal.push(reference.referenceRecordLine(e, seq, windowId, 'live'));
            writeRecord(journal, e as unknown as HeliosEvent, seq, windowId, times, 'live');
            wantDispatch.push(`{"event":${reference.stableStringify(e)},"seq":${seq}}\n`);
            dispatch.ascii('{"event":');
            dispatch.value(e);
            dispatch.ascii(',"seq":');
            dispatch.number(seq);
            dispatch.ascii('}\n');
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(Buffer.from(journal.bytes.subarray(0, journal.pos)).toString()).toBe(wantJournal.join(''));
    expect(Buffer.from(dispatch.bytes.subarray(0, dispatch.pos)).toString()).toBe(wantDispatch.join(''));
  });

  it('objects of a few recurring shapes, with any values and keys that need escaping: the same bytes as the reference', () => {
    const keys = fc.shuffledSubarray(['a', 'b', 'price', 'é', 'k"q', '\u0001', '10', '2', 'window_id', 'ch', 'payload', 'z'], { minLength: 1, maxLength: 5 });
    const leaf = fc.oneof(fc.double(), fc.maxSafeInteger(), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const object = fc.tuple(keys, fc.array(fc.oneof(leaf, fc.dictionary(fc.constantFrom('x', 'y', 'é'), leaf, { maxKeys: 3 })), { minLength: 5, maxLength: 5 }));
    fc.assert(
      fc.property(object, fc.option(fc.constantFrom('w', 'é"w'), { nil: undefined }), ([ks, vs], windowId) => {
        const obj: Record<string, unknown> = {};
        ks.forEach((k, i) => (obj[k] = vs[i]));
        for (let round = 0; round < 2; round++) {
          expect(stableStringify(obj)).toBe(reference.stableStringify(obj));
          expect(serializeEnvelope(obj)).toBe(reference.serializeEnvelope(obj));
          const w = new StableJsonWriter(16);
          w.envelopeOpen(obj, windowId);
          w.byte(0x7d);
          const stamped = windowId !== undefined && obj.window_id === undefined ? { ...obj, window_id: windowId } : obj;
          expect(w.text()).toBe(reference.serializeEnvelope(stamped));
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('an envelope key lent by the prototype is written, as the reference reads it', () => {
    const proto = { ch: 'from_proto', type: 'ALERT' };
    const events = [
      Object.assign(Object.create(proto) as Record<string, unknown>, { schema_version: 1, event_id: 'e1', payload: { a: 1 } }),
      Object.assign(Object.create(null) as Record<string, unknown>, { schema_version: 1, event_id: 'e2', ch: 'l2', payload: { a: 1 } }),
    ];
    // Plain objects of the same own keys first, so the shapes are cached.
    const plain = { schema_version: 1, event_id: 'e0', payload: { a: 1 } };
    for (const e of [plain, ...events, ...events]) expect(serializeEnvelope(e)).toBe(reference.serializeEnvelope(e));
  });

  it('long strings (ids written from their cached bytes), escapes and non-ASCII included, more than the cache holds: as JSON.stringify', () => {
    const long = fc.oneof(
      fc.string({ minLength: 55, maxLength: 80 }),
      fc.string({ unit: 'binary', minLength: 55, maxLength: 70 }),
      tokenId,
      conditionId,
      fc.tuple(fc.constantFrom('"', '\\', '\u0000', 'é', '\ud800', '🌡️'), fc.string({ minLength: 60, maxLength: 70 })).map(([a, b]) => b + a),
    );
    fc.assert(
      fc.property(fc.array(long, { minLength: 1, maxLength: 4 }), (texts) => {
        for (const t of [...texts, ...texts]) {
          const w = new StableJsonWriter(16);
          w.string(t);
          expect(w.text()).toBe(JSON.stringify(t));
          expect(stableStringify({ t })).toBe(reference.stableStringify({ t }));
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('journal zone fields copied for events of one millisecond, and written anew for another', () => {
    const times = new HumanTimeCache();
    const w = new StableJsonWriter(16);
    const base = { schema_version: 1, event_id: 'e', correlation_id: 'e', ch: 'l2', type: 'BEST_PRICE', payload: {} };
    // Same ms in a row, back to an earlier ms, the same ms in another second, minute and hour, DST edges.
    const dstUs = Date.UTC(2026, 10, 1, 6, 0, 0);
    const dstEu = Date.UTC(2026, 9, 25, 1, 0, 0);
    const stamps = [T, T, T + 1, T, T + 1_000, T + 1_000, T + 60_000, T + 3_600_000, T, dstUs - 1, dstUs - 1, dstUs, dstUs, dstEu - 1, dstEu, dstEu, T];
    // Other milliseconds of the second last written (only their digits are written anew), each of
    // the three digits changing, a fractional one between, and in the DST edges' seconds.
    stamps.push(T + 987, T + 123, T + 5, T + 999, T + 1.5, T + 998, dstUs + 456, dstUs + 7, dstEu - 999, dstEu - 2);
    let want = '';
    stamps.forEach((ts, i) => {
      const e = { ...base, ts_ingest: ts };
      want += reference.referenceRecordLine(e, i + 1, undefined);
      writeRecord(w, e as unknown as HeliosEvent, i + 1, undefined, times);
    });
    expect(w.text()).toBe(want);
  });

  it("ts_source_utc from the second's kept bytes: as toISOString across milliseconds, seconds met again, before 1970 and past year 9999", () => {
    const times = new HumanTimeCache();
    const w = new StableJsonWriter(16, (size) => Buffer.allocUnsafeSlow(size));
    const base = { schema_version: 1, event_id: 'e', correlation_id: 'e', ch: 'l2', type: 'L2_DELTA', ts_ingest: T, payload: {} };
    const Y10K = Date.UTC(10_000, 0, 1);
    // The same second again after another (a line's bytes are copied out of the kept ones), a
    // second boundary back and forth, a negative time, years of six digits (another layout).
    const sources = [T + 25, T + 999, T + 1_000, T + 999, T + 7, T + 1_000.5, -1, -1_001, -62_198_755_200_000, Y10K - 1, Y10K, Y10K + 1, T + 3];
    fc.assert(
      fc.property(fc.shuffledSubarray(sources, { minLength: 1 }), (stamps) => {
        for (const [i, ts_source] of stamps.entries()) {
          const e = { ...base, ts_source };
          writeRecord(w, e as unknown as HeliosEvent, i + 1, undefined, times);
          expect(w.text()).toBe(reference.referenceRecordLine(e, i + 1, undefined));
          w.pos = 0;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('journal zone fields copied for one millisecond survive the writer being emptied and written over (a chunk of Buffer memory, as the recorder writes)', () => {
    const times = new HumanTimeCache();
    // The recorder's chunks: Buffer memory (a Buffer's `slice` is a view, not a copy), emptied after each flush.
    const w = new StableJsonWriter(16, (size) => Buffer.allocUnsafeSlow(size));
    const base = { schema_version: 1, event_id: 'e', correlation_id: 'e', ch: 'policy', type: 'POLICY', market_id: '0x' + 'a'.repeat(64), payload: { edge_threshold: 0.05 } };
    // Payloads of different lengths: a line's zone fields land where the previous line's were not.
    const payloads = [{ edge_threshold: 0.05 }, { edge_threshold: 0.05, fair_value: { '7000000000000000002': 0.725, '7000000000000000003': 0.275 }, source: 'truth' }, {}, { edge_threshold: 0.05, max_order_usdc: 5 }];
    for (let i = 0; i < payloads.length; i++) {
      const e = { ...base, payload: payloads[i], ts_ingest: T };
      writeRecord(w, e as unknown as HeliosEvent, i + 1, undefined, times);
      expect(w.text()).toBe(reference.referenceRecordLine(e, i + 1, undefined));
      w.pos = 0;
    }
  });
});
