import type { PacedClock } from '../../adapters/clock/paced-clock.ts';
import type { JournalRecorder } from '../../adapters/storage/journal/recorder.ts';

/**
 * A simulated run records everything it simulates: its clock stands still while `holdAt` events
 * wait for the journal writer, rather than running on and the journal dropping what it produced
 * past storage.journal.max_pending_events.
 */
export function holdForJournal(clock: PacedClock, recorder: JournalRecorder, holdAt: number): void {
  clock.holdWhile(() => {
    if (recorder.backlog() < holdAt) return false;
    // The journal's flush cadence runs on this clock: held, it would never fire and the backlog never drain.
    recorder.flush().catch(() => undefined);
    return true;
  });
}
