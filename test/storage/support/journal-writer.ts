/**
 * Child process for the crash-consistency test: records events through a real JournalRecorder as
 * fast as it can and prints `acked N` once every event up to recorder sequence N is written.
 * The parent SIGKILLs it mid-stream. Usage: node --import tsx journal-writer.ts DATA_DIR
 */
import { VirtualClock } from '../../../src/adapters/clock/virtual-clock.ts';
import { JournalRecorder } from '../../../src/adapters/storage/journal/recorder.ts';
import { EventFactory } from '../../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../../src/domain/events/ids.ts';
import { seededRng } from '../../../src/domain/util/random.ts';
import { JOURNAL_DEFAULTS } from './recorder.ts';
import { l2Snapshot, T0 } from './synthetic.ts';

const dataDir = process.argv[2]!;
const clock = new VirtualClock(T0);
const recorder = new JournalRecorder({
  dataDir,
  journal: { ...JOURNAL_DEFAULTS, flush_max_bytes: 64 * 1024 },
  windows: null,
  clock,
  ids: ulidGenerator(seededRng(5)),
});
const f = new EventFactory(clock, ulidGenerator(seededRng(6)));
const snapshot = l2Snapshot(0.42, 0.01, 20);
let n = 0;
for (;;) {
  for (let i = 0; i < 500; i++) {
    n++;
    // Two channels, alternating, so the test checks two files.
    if (n % 2) recorder.emit(f.make('L2_SNAPSHOT', snapshot, { market_id: 'm', token_id: 't' }));
    else recorder.emit(f.make('TRADE', { price: 0.42, size: n, side: 'BUY', fee_rate_bps: 0 }, { market_id: 'm', token_id: 't' }));
  }
  await recorder.flush();
  process.stdout.write(`acked ${n}\n`);
}
