import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { heliosEventSchema, type EventOf } from '../../src/domain/events/catalog.ts';
import type { SourceReport } from '../../src/domain/truth/report.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { serializeEnvelope } from '../../src/domain/util/stable-json.ts';
import { TruthEngine, type ConfirmationRequest } from '../../src/runtime/truth/truth-engine.ts';
import { defaultTruthConfig } from './support.ts';

const T0 = Date.UTC(2026, 3, 5, 15, 0, 0);
const config = defaultTruthConfig();

function setup() {
  const clock = new VirtualClock(T0);
  const sink = new CollectingSink();
  const confirmations: Array<ConfirmationRequest & { at: number }> = [];
  const engine = new TruthEngine({
    rules: config,
    team_aliases: config.team_aliases,
    clock,
    sink,
    events: new EventFactory(clock, ulidGenerator(seededRng(7))),
    onConfirmationNeeded: (r) => confirmations.push({ ...r, at: clock.now() }),
  });
  engine.addMatch({ match_id: 'cs2-faze-ill', title: 'cs2', outcomes: ['FaZe', 'illwill'], best_of: 3, market_id: '0x202a' });
  const say = (source: string, status: SourceReport['status'], fields: Partial<SourceReport> = {}) =>
    engine.ingest({
      source,
      tier: 'B',
      match_id: 'cs2-faze-ill',
      observed_at: clock.now(),
      source_ts: null,
      status,
      teams: ['FaZe Clan', 'ILLWILL'],
      winner: null,
      result: null,
      score: null,
      game: null,
      ...fields,
    });
  const truth = () => sink.events.filter((e): e is EventOf<'TRUTH_STATE'> => e.type === 'TRUTH_STATE');
  return { clock, sink, engine, say, truth, confirmations };
}

describe('truth engine', () => {
  it('publishes valid TRUTH_STATE envelopes caused by the SOURCE_REPORT that changed them', () => {
    const { say, sink, truth } = setup();
    expect(truth().map((e) => e.payload.state)).toEqual(['scheduled']);
    say('grid', 'running', { score: [1, 0], game: { current: 2, best_of: 3 } });
    const [report, state] = sink.events.slice(-2);
    expect(report!.type).toBe('SOURCE_REPORT');
    expect(state).toMatchObject({ type: 'TRUTH_STATE', match_id: 'cs2-faze-ill', market_id: '0x202a', causation_id: report!.event_id });
    expect((state as EventOf<'TRUTH_STATE'>).payload).toMatchObject({
      state: 'live',
      previous: 'scheduled',
      implied_p: { FaZe: 0.725, illwill: 0.275 },
      progress: { score: { FaZe: 1, illwill: 0 }, best_of: 3, game: 2 },
      sources: ['grid'],
      stale: false,
    });
    for (const e of sink.events) expect(heliosEventSchema.safeParse(e).success).toBe(true);
  });

  it('makes staleness visible, with the sources that fell silent', () => {
    const { say, clock, truth } = setup();
    say('grid', 'running');
    say('pandascore', 'running');
    clock.advanceBy(30_000);
    expect(truth().at(-1)!.payload).toMatchObject({ state: 'live', stale: false, stale_sources: ['grid'], sources: ['pandascore'] });
    clock.advanceBy(30_000);
    const stale = truth().at(-1)!;
    expect(stale.ts_ingest).toBe(T0 + 60_000);
    expect(stale.payload).toMatchObject({ state: 'stale', stale: true, stale_sources: ['grid', 'pandascore'], implied_p: null, confidence: 0 });
    say('pandascore', 'running');
    expect(truth().at(-1)!.payload).toMatchObject({ state: 'live', stale: false, previous: 'stale' });
  });

  it('asks for confirmation when a single source says final, again when it is overdue', () => {
    const { say, clock, truth, confirmations } = setup();
    say('grid', 'running');
    say('pandascore', 'finished', { winner: 'FaZe Clan', result: 'win' });
    expect(truth().at(-1)!.payload).toMatchObject({ state: 'pending_final', winner: 'FaZe', implied_p: null, confirmation_overdue: false });
    clock.advanceBy(config.max_wait_ms);
    expect(truth().at(-1)!.payload).toMatchObject({ state: 'pending_final', confirmation_overdue: true });
    expect(confirmations).toEqual([
      { match_id: 'cs2-faze-ill', winner: 'FaZe', overdue: false, at: T0 },
      { match_id: 'cs2-faze-ill', winner: 'FaZe', overdue: true, at: T0 + config.max_wait_ms },
    ]);
    say('liquipedia', 'finished', { winner: 'FaZe', result: 'win', teams: ['FaZe', 'illwill'] });
    expect(truth().at(-1)!.payload).toMatchObject({ state: 'effectively_final', winner: 'FaZe', implied_p: { FaZe: 0.99, illwill: 0.01 }, sources: ['liquipedia', 'pandascore'] });
  });

  it('settles after the hold, or when the market resolves', () => {
    const a = setup();
    a.say('grid', 'finished', { winner: 'FaZe Clan', result: 'win' });
    a.clock.advanceBy(10_000);
    a.say('polymarket_sports', 'finished', { winner: 'FAZE', result: 'win', teams: ['FAZE', 'ILL'] });
    a.clock.advanceBy(config.settle_after_ms - 10_000);
    expect(a.truth().at(-1)).toMatchObject({ ts_ingest: T0 + config.settle_after_ms, payload: { state: 'settled', winner: 'FaZe', confidence: 1 } });
    a.say('grid', 'invalidated');
    expect(a.truth().at(-1)!.payload.state).toBe('settled');

    const b = setup();
    b.say('grid', 'running');
    b.engine.settle('cs2-faze-ill', 'illwill');
    expect(b.truth().at(-1)!.payload).toMatchObject({ state: 'settled', winner: 'illwill', implied_p: { illwill: 0.99, FaZe: 0.01 } });
  });

  it('refuses reports it cannot attribute, and unknown matches', () => {
    const { say, engine, truth } = setup();
    expect(say('grid', 'finished', { winner: 'Astralis', result: 'win' })).toMatchObject({ ok: false });
    expect(engine.ingest({ source: 'grid', tier: 'A', match_id: 'nope', observed_at: 0, source_ts: null, status: 'running', teams: [], winner: null, result: null, score: null, game: null })).toMatchObject({ ok: false });
    expect(truth().map((e) => e.payload.state)).toEqual(['scheduled']);
  });

  it('uses the configured tier, not the one a report claims', () => {
    const { say, truth } = setup();
    say('pandascore', 'finished', { tier: 'A', winner: 'FaZe Clan', result: 'win' });
    expect(truth().at(-1)!.payload.state).toBe('pending_final');
  });

  it('is deterministic to the byte', () => {
    const run = () => {
      const s = setup();
      s.say('grid', 'running', { score: [0, 0] });
      s.clock.advanceBy(31_000);
      s.say('pandascore', 'finished', { winner: 'ILLWILL', result: 'win', score: [1, 2] });
      s.say('grid', 'finished', { winner: 'ILLWILL', result: 'win', score: [1, 2] });
      s.say('polymarket_sports', 'invalidated');
      return s.sink.events.map(serializeEnvelope).join('\n');
    };
    expect(run()).toBe(run());
  });
});
