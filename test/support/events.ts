import type { BusConfig } from '../../src/adapters/bus/topic-policies.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import type { EventOf, PayloadOf } from '../../src/domain/events/catalog.ts';
import { seededRng } from '../../src/domain/util/random.ts';

/** A deterministic event factory on a virtual clock. */
export function testFactory(seed = 1, startMs = 1_700_000_000_000): { clock: VirtualClock; factory: EventFactory } {
  const clock = new VirtualClock(startMs);
  return { clock, factory: new EventFactory(clock, ulidGenerator(seededRng(seed))) };
}

export function trade(factory: EventFactory, market: string, token: string, price: number): EventOf<'TRADE'> {
  return factory.make('TRADE', { price, size: 1, side: 'BUY', fee_rate_bps: null }, { market_id: market, token_id: token });
}

export function busConfig(overrides: Partial<BusConfig> = {}): BusConfig {
  return {
    kind: 'in_memory',
    redis_url: null,
    stream_prefix: 'test',
    default: { queue_size: 10_000, overflow: 'drop_oldest', max_len: 100_000 },
    channels: {},
    memory_budget_bytes: 64 * 1024 * 1024,
    retained_budget_bytes: 64 * 1024 * 1024,
    dedup_window: 1000,
    read_batch: 100,
    block_ms: 100,
    claim_idle_ms: 200,
    claim_interval_ms: 50,
    publish_batch: 500,
    startup_timeout_ms: 10_000,
    probe_interval_ms: 200,
    probe_timeout_ms: 1000,
    redis_resend_entries: 1000,
    redis_idle_stream_ttl_ms: 7 * 24 * 3_600_000,
    reconnect_min_ms: 20,
    reconnect_max_ms: 500,
    ...overrides,
  };
}

/** A complete TRUTH_STATE payload: a quiet live match with no opinion, overridden as needed. */
export function truthStatePayload(overrides: Partial<PayloadOf<'TRUTH_STATE'>> = {}): PayloadOf<'TRUTH_STATE'> {
  return {
    state: 'live',
    previous: null,
    winner: null,
    result: null,
    confidence: 0.5,
    implied_p: null,
    sources: ['grid'],
    stale: false,
    stale_sources: [],
    confirmation_overdue: false,
    progress: null,
    source_states: [],
    title: null,
    reason: null,
    ...overrides,
  };
}
