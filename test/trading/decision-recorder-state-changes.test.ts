import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { CollectingSink } from '../../src/domain/events/sink.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { DecisionRecorder } from '../../src/runtime/trading/decision-recorder.ts';

describe('decision recorder: state changes', () => {
  it("counts a market's state changes, not the announcements of a halt's changed causes (HALT → HALT)", () => {
    const events = new EventFactory(new VirtualClock(1_700_000_000_000), ulidGenerator(seededRng(1)));
    const sink = new CollectingSink();
    const recorder = new DecisionRecorder(sink);
    const state = (previous: string | null, state: string, reason: string | null) => recorder.emit(events.make('MARKET_STATE', { state, previous, reason }, { market_id: 'm1' }));
    state(null, 'IDLE', null);
    state('IDLE', 'HALT', 'manual');
    state('HALT', 'HALT', 'manual,risk_halted');
    state('HALT', 'HALT', 'risk_halted');
    state('HALT', 'IDLE', null);
    expect(recorder.stateChanges).toBe(3);
    // Every MARKET_STATE is still a decision, recorded and passed on.
    expect(recorder.counts.MARKET_STATE).toBe(5);
    expect(sink.events).toHaveLength(5);
  });
});
