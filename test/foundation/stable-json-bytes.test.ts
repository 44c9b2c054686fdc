import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HumanTimeCache, writeRecord, type Provenance } from '../../src/adapters/storage/journal/record.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { plainData, serializeEnvelope, stableStringify, StableJsonWriter } from '../../src/domain/util/stable-json.ts';
import * as reference from '../support/reference/stable-json.ts';

/**
 * The byte writer against the string serializer journals were written with before it (kept in
 * test/support as the reference): same bytes for any value, envelope and journal line.
 */

/** Text that exercises every branch of the string writer: plain ASCII, quotes, backslashes, controls, non-ASCII, lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', 'é', '温', '🌡️', '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1'),
);
const key = fc.oneof(fc.constantFrom('a', 'b', 'side', 'price', 'size', '10', '2', 'a"b', 'k\\', 'é', '\u0001'), text);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 1e21, -1e21, 5e-7, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 1764900000001, 0.1 + 0.2),
  // Integers around the writer's int32 / two-halves split.
  fc.constantFrom(2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 1e8, 1e8 - 1, 1e8 + 1, 1e16 - 1, 1760000000000, 1760000000010, 9_007_199_254_740_990),
  fc.maxSafeInteger(),
);
const leaf = fc.oneof(number, text, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }));
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('dated')),
  array: fc.array(tie('any'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('any'), { maxKeys: 6 }),
  dated: fc.date({ noInvalidDate: true }),
})).any;

const ENVELOPE_KEYS = ['schema_version', 'event_id', 'correlation_id', 'causation_id', 'ch', 'type', 'ts_ingest', 'ts_source', 'market_id', 'token_id', 'station_id', 'match_id', 'window_id', 'payload'];

/** Events as the recorder meets them: envelope keys in any order and subset, sometimes extra keys. */
const event = fc
  .record(
    {
      keys: fc.shuffledSubarray(ENVELOPE_KEYS),
      values: fc.array(fc.oneof(text, number, value), { minLength: 14, maxLength: 14 }),
      // Times around the DST changes of 2026 (US 03-08 / 11-01, EU 03-29 / 10-25) and far away.
      ts_ingest: fc.oneof(
        fc.integer({ min: Date.UTC(2026, 2, 8, 6), max: Date.UTC(2026, 2, 8, 8) }),
        fc.integer({ min: Date.UTC(2026, 9, 25, 0), max: Date.UTC(2026, 9, 25, 2) }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
      ),
      ts_source: fc.option(fc.oneof(fc.integer({ min: -1e12, max: 4e12 }), fc.double({ min: 0, max: 4e12, noNaN: true })), { nil: undefined }),
      extras: fc.dictionary(key, value, { maxKeys: 2 }),
    },
    { requiredKeys: ['keys', 'values', 'ts_ingest'] },
  )
  .map(({ keys, values, ts_ingest, ts_source, extras }) => {
    const e: Record<string, unknown> = { ...extras };
    keys.forEach((k, i) => (e[k] = values[i]));
    e.ts_ingest = ts_ingest;
    if (ts_source === undefined) delete e.ts_source;
    else e.ts_source = ts_source;
    return e;
  });

function written(write: (w: StableJsonWriter) => void): Buffer {
  // A tiny first array: every value makes it grow, several times for the larger ones.
  const w = new StableJsonWriter(16);
  write(w);
  return Buffer.from(w.bytes.subarray(0, w.pos));
}

describe('stable JSON written as bytes', () => {
  it('any value: the same UTF-8 bytes as the string serializer before it', () => {
    fc.assert(
      fc.property(value, (v) => {
        const want = reference.stableStringify(v);
        expect(written((w) => w.value(v)).equals(Buffer.from(want, 'utf8'))).toBe(true);
        expect(stableStringify(v)).toBe(want);
      }),
      { numRuns: 3_000 },
    );
  });

  it('numbers: every double as JSON.stringify spells it (integers are written digit by digit)', () => {
    fc.assert(
      fc.property(number, (n) => {
        expect(written((w) => w.number(n)).toString()).toBe(JSON.stringify(n) ?? 'null');
      }),
      { numRuns: 5_000 },
    );
  });

  it('short decimals (prices, sizes) and their neighbours: as JSON.stringify spells them', () => {
    const f64 = new Float64Array(1);
    const bits = new BigInt64Array(f64.buffer);
    /** The double `steps` representable values away (same sign, finite). */
    const neighbour = (x: number, steps: number) => {
      f64[0] = x;
      bits[0] = bits[0]! + BigInt(steps);
      return f64[0]!;
    };
    const decimal = fc
      .record({ m: fc.integer({ min: 1, max: 2 ** 40 }), d: fc.integer({ min: 0, max: 8 }), negative: fc.boolean(), steps: fc.integer({ min: -3, max: 3 }) })
      .map(({ m, d, negative, steps }) => neighbour((negative ? -m : m) / 10 ** d, steps));
    const edges = fc.constantFrom(1e-6, 9.99999e-7, 1.000001e-6, 999_999_999.5, 999_999_999.999999, 1e9 - 1e-6, 1e9 + 0.5, 0.1, 0.7, 364.66, 0.01 * 3, 1 / 3, 2 / 3, 123456.789012, 8_999_999.123456);
    fc.assert(
      fc.property(fc.oneof(decimal, edges), (n) => {
        expect(written((w) => w.number(n)).toString()).toBe(JSON.stringify(n) ?? 'null');
      }),
      { numRuns: 50_000 },
    );
  });

  it('plainData: a copy that serializes to the same bytes (JSON data, dates and absent values included)', () => {
    const data = fc.oneof(fc.jsonValue(), fc.dictionary(key, fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.date({ noInvalidDate: true })), { maxKeys: 6 }));
    fc.assert(
      fc.property(data, (v) => {
        const copy = plainData(v);
        if (v !== null && typeof v === 'object') expect(copy).not.toBe(v);
        expect(stableStringify(copy)).toBe(stableStringify(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it('objects of one first key but other key sets or orders are not mistaken for each other (the shape cache)', () => {
    const shapes = [
      { side: 1, price: 2, size: 3 },
      { side: 1, size: 3, price: 2 },
      { side: 1, price: 2 },
      { side: 1, price: 2, size: 3, best_bid: 4 },
      { side: 1, price: 2, sizes: 3 },
    ];
    for (let round = 0; round < 3; round++) for (const s of shapes) expect(stableStringify(s)).toBe(reference.stableStringify(s));
  });

  it('own keys only, as JSON.stringify: an enumerable key of the prototype is not written', () => {
    const withInherited = Object.assign(Object.create({ inherited: 1 }) as Record<string, unknown>, { b: 2, a: 1 });
    for (let round = 0; round < 2; round++) {
      expect(stableStringify(withInherited)).toBe('{"a":1,"b":2}');
      expect(stableStringify(withInherited)).toBe(reference.stableStringify(withInherited));
    }
  });

  it('envelopes: known keys in their order, extras sorted after, as before', () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(serializeEnvelope(e)).toBe(reference.serializeEnvelope(e));
      }),
      { numRuns: 2_000 },
    );
  });

  it('journal lines: the same bytes as before, window stamps, provenance and zone times included, through one cache', () => {
    const times = new HumanTimeCache();
    const w = new StableJsonWriter(16);
    const want: string[] = [];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            event,
            fc.option(fc.constantFrom('w1', 'mid_shock:token:71:1764900000000', 'é"'), { nil: undefined }),
            fc.option(fc.constantFrom<Provenance>('live', 'simulator', 'playback'), { nil: undefined }),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (records) => {
          for (const [e, windowId, provenance] of records) {
            const seq = want.length + 1;
            want.push(reference.referenceRecordLine(e, seq, windowId, provenance));
            writeRecord(w, e as unknown as HeliosEvent, seq, windowId, times, provenance);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(Buffer.from(w.bytes.subarray(0, w.pos)).equals(Buffer.from(want.join(''), 'utf8'))).toBe(true);
  });

  it('a nested stableStringify (from a toJSON) does not overwrite the outer one', () => {
    const inner = { toJSON: () => stableStringify({ b: 2, a: [1, 'x'] }) };
    const v = { z: inner, y: { toJSON: () => stableStringify(inner) } };
    expect(stableStringify(v)).toBe(reference.stableStringify(v));
  });
});
