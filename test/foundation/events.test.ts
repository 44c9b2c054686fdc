import { describe, expect, it } from 'vitest';
import { EVENT_CATALOG, EVENT_TYPES, heliosEventSchema } from '../../src/domain/events/catalog.ts';
import { CHANNELS } from '../../src/domain/events/channels.ts';
import { CoalesceKeys, TopicNames, coalesceKeyOf, topicFor } from '../../src/domain/events/topics.ts';
import { FanOutSink } from '../../src/domain/events/sink.ts';
import { humanTimes } from '../../src/domain/time/zones.ts';
import { serializeEnvelope, stableStringify } from '../../src/domain/util/stable-json.ts';
import { testFactory, trade } from '../support/events.ts';

describe('event envelope', () => {
  it('builds envelopes with ULIDs, channel from the catalog and the clock time', () => {
    const { factory, clock } = testFactory(1, 1_700_000_000_123);
    const e = factory.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.4, best_bid_size: 10, best_ask: 0.42, best_ask_size: 5, updates_coalesced: 3 }, { market_id: 'm1', token_id: 't1', ts_source: 1_700_000_000_000 });
    expect(e.ch).toBe('l2');
    expect(e.ts_ingest).toBe(clock.now());
    expect(e.event_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(e.correlation_id).toBe(e.event_id);
    expect(heliosEventSchema.safeParse(e).success).toBe(true);
  });

  it('is deterministic for a seed and monotonic within a millisecond', () => {
    const a = testFactory(7).factory;
    const b = testFactory(7).factory;
    const ea = Array.from({ length: 5 }, () => trade(a, 'm', 't', 0.5).event_id);
    const eb = Array.from({ length: 5 }, () => trade(b, 'm', 't', 0.5).event_id);
    expect(ea).toEqual(eb);
    expect([...ea].sort()).toEqual(ea);
    expect(new Set(ea).size).toBe(5);
  });

  it('validates payloads per type and rejects the wrong channel or extra keys', () => {
    const { factory } = testFactory(2);
    const e = trade(factory, 'm', 't', 0.3);
    expect(heliosEventSchema.safeParse({ ...e, ch: 'world' }).success).toBe(false);
    expect(heliosEventSchema.safeParse({ ...e, payload: { ...e.payload, price: 'x' } }).success).toBe(false);
    expect(heliosEventSchema.safeParse({ ...e, extra: 1 }).success).toBe(false);
    expect(heliosEventSchema.safeParse({ ...e, type: 'NOPE' }).success).toBe(false);
  });

  it('every event type names a known channel; every channel is used', () => {
    for (const t of EVENT_TYPES) expect(CHANNELS).toContain(EVENT_CATALOG[t].ch);
    const used = new Set(EVENT_TYPES.map((t) => EVENT_CATALOG[t].ch));
    for (const ch of CHANNELS) if (ch !== 'features' && ch !== 'position') expect(used.has(ch)).toBe(true);
  });

  it('partitions topics by market, then station, match and token', () => {
    const { factory } = testFactory(3);
    expect(topicFor(trade(factory, 'mkt', 'tok', 0.1))).toBe('tape:mkt');
    const health = factory.make('ALERT', { severity: 'info', code: 'x', message: 'y' });
    expect(topicFor(health)).toBe('control:_');
    expect(coalesceKeyOf(trade(factory, 'mkt', 'tok', 0.1))).toBe('TRADE|tok');
  });

  it('cached topic names are the same names, one string per topic, starting over past the limit', () => {
    const { factory } = testFactory(4);
    const names = new TopicNames(3);
    const events = [trade(factory, 'a', 't', 0.1), trade(factory, 'b', 't', 0.1), factory.make('ALERT', { severity: 'info', code: 'x', message: 'y' })];
    for (const e of events) expect(names.topicFor(e)).toBe(topicFor(e));
    const first = names.topicFor(events[0]!);
    expect(names.topicFor(trade(factory, 'a', 'u', 0.2))).toBe(first);
    expect(names.topicFor(trade(factory, 'c', 't', 0.1))).toBe('tape:c');
    expect(names.topicFor(events[1]!)).toBe('tape:b');
    // Same partition as the name given last, another channel.
    const best = factory.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.4, best_bid_size: 1, best_ask: 0.5, best_ask_size: 1, updates_coalesced: 1 }, { market_id: 'b', token_id: 't' });
    expect(names.topicFor(best)).toBe('l2:b');
    expect(names.topicFor(events[1]!)).toBe('tape:b');
  });
});

describe('FanOutSink', () => {
  it('emits to every sink added, in order, and no longer to one removed', () => {
    const { factory } = testFactory(10);
    const seen: string[] = [];
    const tap = (name: string) => ({ emit: () => void seen.push(name) });
    const [a, b, c] = [tap('a'), tap('b'), tap('c')];
    const fan = new FanOutSink(a, b);
    fan.add(c);
    fan.emit(trade(factory, 'm', 't', 0.1));
    fan.remove(b);
    fan.remove(b);
    fan.emit(trade(factory, 'm', 't', 0.1));
    expect(seen).toEqual(['a', 'b', 'c', 'a', 'c']);
  });
});

describe('CoalesceKeys', () => {
  it('gives coalesceKeyOf for each event, across types and entities, before and after it starts over', () => {
    const { factory } = testFactory(8);
    const keys = new CoalesceKeys(3);
    const best = (market: string, token: string) =>
      factory.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.4, best_bid_size: 1, best_ask: 0.5, best_ask_size: 1, updates_coalesced: 1 }, { market_id: market, token_id: token });
    const events = [trade(factory, 'a', 't1', 0.1), best('a', 't1'), trade(factory, 'a', 't2', 0.1), best('b', 't1'), factory.make('ALERT', { severity: 'info', code: 'x', message: 'y' })];
    for (let round = 0; round < 3; round++) for (const e of events) expect(keys.keyOf(e)).toBe(coalesceKeyOf(e));
  });

  it('keeps a station’s nowcasts of two judge days apart (both days’ buckets trade), one per day', () => {
    const { factory } = testFactory(9);
    const nowcast = (day: string) => factory.make('NOWCAST', { judge_day: day } as never, { station_id: 'KLGA' });
    const keys = new CoalesceKeys();
    const [today, tomorrow, todayAgain] = [nowcast('2026-12-08'), nowcast('2026-12-09'), nowcast('2026-12-08')];
    expect(coalesceKeyOf(today)).not.toBe(coalesceKeyOf(tomorrow));
    expect(coalesceKeyOf(todayAgain)).toBe(coalesceKeyOf(today));
    for (const e of [today, tomorrow, todayAgain]) expect(keys.keyOf(e)).toBe(coalesceKeyOf(e));
  });
});

describe('stable JSON', () => {
  it('serializes equal values to the same bytes whatever the key order', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { z: 1, y: 'q"x' }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":"q\\"x","z":1}]},"b":1}');
    expect(stableStringify({ a: 1, b: 2 })).toBe(stableStringify({ b: 2, a: 1 }));
    expect(stableStringify({ x: undefined, n: Number.NaN, s: '\u2028' })).toBe(JSON.stringify({ n: null, s: '\u2028' }));
  });

  it('puts envelope fields in a fixed order and round-trips through JSON.parse', () => {
    const { factory } = testFactory(4);
    const e = trade(factory, 'm', 't', 0.25);
    const shuffled = Object.fromEntries(Object.entries(e).reverse());
    const s = serializeEnvelope(shuffled);
    expect(s).toBe(serializeEnvelope(e));
    expect(s.startsWith('{"schema_version":1,"event_id":')).toBe(true);
    expect(JSON.parse(s)).toEqual(e);
  });
});

describe('human time zones', () => {
  it('derives UTC, New York and Madrid times, across DST', () => {
    const winter = humanTimes(Date.UTC(2026, 0, 15, 12, 0, 0));
    expect(winter.ts_utc).toBe('2026-01-15T12:00:00.000Z');
    expect(winter.ts_nyc).toBe('2026-01-15T07:00:00.000-05:00');
    expect(winter.ts_es).toBe('2026-01-15T13:00:00.000+01:00');
    expect(humanTimes(Date.UTC(2026, 6, 15, 12, 0, 0)).ts_nyc).toBe('2026-07-15T08:00:00.000-04:00');
  });
});
