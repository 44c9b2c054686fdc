import { describe, expect, it } from 'vitest';
import { envelopeProblem } from '../../src/adapters/bus/envelope-check.ts';
import { heliosEventSchema } from '../../src/domain/events/catalog.ts';
import { testFactory, trade, truthStatePayload } from '../support/events.ts';

/** As a Redis consumer sees it: the event after a JSON round trip. */
const wire = (e: object): Record<string, unknown> => JSON.parse(JSON.stringify(e)) as Record<string, unknown>;

describe('the Redis consumer checks the envelope by hand, as the catalog schema would', () => {
  const { factory } = testFactory(5);
  const valid = [
    trade(factory, 'm', 't', 0.5),
    factory.make('BEST_PRICE', { resync_epoch_id: 1, synced: true, best_bid: 0.4, best_bid_size: 1, best_ask: 0.6, best_ask_size: 2, updates_coalesced: 3 }, { market_id: 'm', token_id: 't', ts_source: 5 }),
    factory.make('TRUTH_STATE', truthStatePayload(), { match_id: 'x', causation_id: 'c' }),
  ].map(wire);

  it('accepts what the catalog schema accepts', () => {
    for (const e of valid) {
      expect(heliosEventSchema.safeParse(e).success).toBe(true);
      expect(envelopeProblem(e)).toBeNull();
    }
  });

  it('rejects every broken envelope the schema rejects, naming the field', () => {
    const base = valid[1]!;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['event_id', { ...base, event_id: undefined }],
      ['event_id', { ...base, event_id: 'not-a-ulid' }],
      ['type', { ...base, type: 'NO_SUCH_EVENT' }],
      ['ch', { ...base, ch: 'tape' }],
      ['schema_version', { ...base, schema_version: 0 }],
      ['correlation_id', { ...base, correlation_id: '' }],
      ['ts_ingest', { ...base, ts_ingest: -1 }],
      ['ts_ingest', { ...base, ts_ingest: 1.5 }],
      ['ts_source', { ...base, ts_source: 'soon' }],
      ['market_id', { ...base, market_id: '' }],
      ['token_id', { ...base, token_id: 7 }],
      ['payload', { ...base, payload: null }],
      ['payload', { ...base, payload: [1] }],
      ['extra', { ...base, extra: 1 }],
    ];
    for (const [field, broken] of cases) {
      const e = wire(broken);
      expect(heliosEventSchema.safeParse(e).success, field).toBe(false);
      expect(envelopeProblem(e)?.path, field).toBe(field);
    }
    expect(envelopeProblem('text')?.path).toBe('');
    expect(envelopeProblem([base])?.path).toBe('');
  });
});
