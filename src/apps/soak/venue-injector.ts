import type { VenueFaults, VenueStats } from '../../sim/venue/venue-faults.ts';
import type { VenueSimulator } from '../../sim/venue/venue-simulator.ts';
import type { VenueFaultClass } from '../../domain/soak/fault-classes.ts';
import { sleep } from './redis-process.ts';

interface Forcing {
  /** The venue counter that proves the fault happened. */
  stat: keyof VenueStats['faults'];
  /**
   * Switches that make it happen on the next chances. Per-frame faults stay below certainty: a
   * whole order-flow step of dropped frames would leave books wrong in ways a single random drop
   * does not.
   */
  certain: Partial<VenueFaults>;
  /**
   * What gives the fault its chance when it waits on the daemon: a 1008 needs a subscribe, a REST
   * error a REST request — both follow a reconnect (its books are fetched again).
   */
  provoke?: (venue: VenueSimulator) => void;
}

const FORCING: Record<VenueFaultClass, Forcing> = {
  ws_disconnect: { stat: 'disconnect', certain: { disconnect: 1 } },
  ws_policy_close: { stat: 'policy_close', certain: { policy_close_batch: 1 }, provoke: (v) => v.dropAllConnections() },
  ws_freeze: { stat: 'freeze', certain: { freeze: 1 } },
  frame_drop: { stat: 'drop', certain: { drop: 0.05 } },
  frame_duplicate: { stat: 'duplicate', certain: { duplicate: 0.05 } },
  frame_reorder: { stat: 'reorder', certain: { reorder: 0.05 } },
  frame_malformed: { stat: 'malformed', certain: { malformed: 0.05 } },
  crossed_update: { stat: 'crossed_update', certain: { crossed_update: 1 } },
  tick_size_change: { stat: 'tick_size_change', certain: { tick_size_change: 1 } },
  // A crossed update makes the daemon resync that token over REST even when a reconnect's
  // snapshots come over the socket alone.
  rest_429: { stat: 'rest_429', certain: { rest_429: 1, crossed_update: 1 }, provoke: (v) => v.dropAllConnections() },
  rest_5xx: { stat: 'rest_5xx', certain: { rest_5xx: 1, crossed_update: 1 }, provoke: (v) => v.dropAllConnections() },
};

/**
 * Makes the venue inject one fault of a class now: its switches go to certainty until the venue's
 * counter shows the fault happened, then back to what they were (so one forced fault, give or take
 * the frames of one order-flow step). Throws when it did not happen within `timeoutMs`.
 */
export async function forceVenueFault(venue: VenueSimulator, fault: VenueFaultClass, timeoutMs: number): Promise<void> {
  const f = FORCING[fault];
  const before = venue.stats.faults[f.stat];
  const saved = venue.currentFaults;
  const restore = Object.fromEntries(Object.keys(f.certain).map((k) => [k, saved[k as keyof VenueFaults]])) as Partial<VenueFaults>;
  venue.setFaults(f.certain);
  try {
    f.provoke?.(venue);
    const deadline = Date.now() + timeoutMs;
    // Polled at the finest timer grain: the venue steps on its own timer in this process.
    while (venue.stats.faults[f.stat] === before) {
      if (Date.now() > deadline) throw new Error(`the venue did not inject ${fault} within ${timeoutMs} ms`);
      await sleep(1);
    }
  } finally {
    venue.setFaults(restore);
  }
}
