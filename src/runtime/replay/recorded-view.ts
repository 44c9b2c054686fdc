import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { EventWindowManager, type WindowRules } from '../../domain/storage/windows.ts';

/**
 * What a journal will hold of a live stream, as it happens: the recorder keeps l2_delta only inside
 * event windows and drops excluded channels. A live consumer behind this view sees exactly what a
 * replay of the journal will see, which is what "logical equivalence" between a simulated live run
 * and its replay can promise: the same pure window rules decide on the same events in the same order.
 */
export class RecordedView implements EventSink {
  private readonly windows: EventWindowManager | null;
  private readonly excluded: ReadonlySet<string>;

  constructor(
    rules: WindowRules | null,
    excludeChannels: readonly string[],
    private readonly next: EventSink,
  ) {
    this.windows = rules ? new EventWindowManager(rules) : null;
    this.excluded = new Set(excludeChannels);
  }

  emit(event: HeliosEvent): void {
    this.windows?.observe(event, event.ts_ingest);
    if (this.excluded.has(event.ch)) return;
    if (event.ch === 'l2_delta' && event.window_id === undefined && !this.windows?.windowFor(event)) return;
    this.next.emit(event);
  }
}
