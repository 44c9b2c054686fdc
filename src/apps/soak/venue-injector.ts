import type { VenueFaults, VenueStats } from '../../sim/venue/venue-faults.ts';
import type { VenueSimulator } from '../../sim/venue/venue-simulator.ts';
import type { VenueFaultClass } from '../../domain/soak/fault-classes.ts';
import { sleep } from './redis-process.ts';

interface Forcing {
  /** The venue counter that proves the fault happened. */
  stat: keyof VenueStats['faults'];
  /** Switches that make it certain on the next chance. */
  certain: Partial<VenueFaults>;
  /**
   * What gives the fault its chance when it waits on the daemon: a 1008 needs a subscribe (after
   * a reconnect), a REST error needs a REST request (a crossed book sends the daemon to REST).
   */
  provoke?: (venue: VenueSimulator) => void;
}

const FORCING: Record<VenueFaultClass, Forcing> = {
  ws_disconnect: { stat: 'disconnect', certain: { disconnect: 1 } },
  ws_policy_close: { stat: 'policy_close', certain: { policy_close_batch: 1 }, provoke: (v) => v.dropAllConnections() },
  ws_freeze: { stat: 'freeze', certain: { freeze: 1 } },
  frame_drop: { stat: 'drop', certain: { drop: 1 } },
  frame_duplicate: { stat: 'duplicate', certain: { duplicate: 1 } },
  frame_reorder: { stat: 'reorder', certain: { reorder: 1 } },
  frame_malformed: { stat: 'malformed', certain: { malformed: 1 } },
  crossed_update: { stat: 'crossed_update', certain: { crossed_update: 1 } },
  tick_size_change: { stat: 'tick_size_change', certain: { tick_size_change: 1 } },
  rest_429: { stat: 'rest_429', certain: { rest_429: 1, crossed_update: 1 } },
  rest_5xx: { stat: 'rest_5xx', certain: { rest_5xx: 1, crossed_update: 1 } },
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
