import { afterEach, describe, expect, it } from 'vitest';
import { PacedClock } from '../../src/adapters/clock/paced-clock.ts';
import { holdForJournal } from '../../src/apps/daemon/journal-pacing.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { makeRecorder, tempDataDir } from '../storage/support/recorder.ts';

const START = Date.UTC(2026, 0, 29, 17);
const MAX_PENDING = 100;
const HOLD_AT = 50;
const EVENTS_PER_TIMER = 10;
const TIMERS = 1_000;

const dirs: Array<() => void> = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

describe('a simulated run paces its clock to the journal (helios run --speed)', () => {
  it('records every event the simulation publishes, at a speed that outruns the writer: the clock waits for the journal', async () => {
    const { dir, cleanup } = tempDataDir('helios-journal-pacing-');
    dirs.push(cleanup);
    const real = { ms: 0 };
    // 10 real ms at this speed hold all the simulation's 10 000 events: far past max_pending_events.
    const clock = new PacedClock(START, 1_000_000, { tickMs: 10, realNow: () => real.ms });
    const { recorder } = makeRecorder(dir, { clock, windows: null, journal: { max_pending_events: MAX_PENDING, flush_interval_ms: 100 } });
    holdForJournal(clock, recorder, HOLD_AT);
    const factory = new EventFactory(clock, ulidGenerator(seededRng(7)));
    let published = 0;
    let timers = 0;
    const publish = () => {
      for (let i = 0; i < EVENTS_PER_TIMER; i++, published++) recorder.emit(factory.make('ALERT', { severity: 'info', code: 'sim', message: `event ${published}` }, {}));
      if (++timers < TIMERS) clock.setTimeout(publish, 1);
    };
    clock.setTimeout(publish, 1);
    clock.startPacing();
    clock.stopPacing();

    // The daemon's pacing interval, turn by turn, with the writer's file system calls in between.
    while (timers < TIMERS) {
      real.ms += 10;
      clock.tick();
      await new Promise((r) => setTimeout(r, 1));
    }
    await recorder.close();

    expect(published).toBe(EVENTS_PER_TIMER * TIMERS);
    expect(recorder.stats()).toMatchObject({ dropped_overflow: 0, written: published });
  });
});
