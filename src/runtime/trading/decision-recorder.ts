import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { EventOf, HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { stableStringify } from '../../domain/util/stable-json.ts';

/** What the trading node decides (one NDJSON line each in a decisions file). */
export const DECISION_TYPES = ['POLICY', 'ORDER_UPDATE', 'FILL', 'POSITION', 'MARKET_STATE', 'RISK_STATE'] as const;
export type DecisionType = (typeof DECISION_TYPES)[number];
export type DecisionEvent = { [T in DecisionType]: EventOf<T> }[DecisionType];

const DECISION_SET: ReadonlySet<string> = new Set(DECISION_TYPES);

export function isDecision(event: HeliosEvent): event is DecisionEvent {
  return DECISION_SET.has(event.type);
}

/**
 * Everything the trading node emits passes here on its way to the node's sink: decisions are
 * counted and, when a file is given, written as stable JSON lines (the format `helios run
 * --decisions-out` and `helios replay --decisions-out` share, so the two files compare byte for byte).
 */
export class DecisionRecorder implements EventSink {
  readonly counts = Object.fromEntries(DECISION_TYPES.map((t) => [t, 0])) as Record<DecisionType, number>;
  readonly orderIds = new Set<string>();
  readonly fillIds = new Set<string>();
  private file: WriteStream | null = null;
  private recording = true;

  constructor(
    private readonly sink: EventSink,
    out?: { file: string; append: boolean },
    private readonly onDecision?: (d: DecisionEvent) => void,
  ) {
    if (out) {
      mkdirSync(path.dirname(path.resolve(out.file)), { recursive: true });
      this.file = createWriteStream(out.file, { encoding: 'utf8', flags: out.append ? 'a' : 'w' });
    }
  }

  emit(event: HeliosEvent): void {
    if (this.recording && isDecision(event)) {
      this.counts[event.type]++;
      if (event.type === 'ORDER_UPDATE') this.orderIds.add(event.payload.client_order_id);
      else if (event.type === 'FILL') {
        if (event.payload.status === 'FAILED') this.fillIds.delete(event.payload.fill_id);
        else if (event.payload.status === 'MATCHED') this.fillIds.add(event.payload.fill_id);
      }
      this.file?.write(stableStringify(event) + '\n');
      this.onDecision?.(event);
    }
    this.sink.emit(event);
  }

  /** Stops writing (what follows is not a consequence of recorded inputs) and closes the file. */
  async close(): Promise<void> {
    this.recording = false;
    const f = this.file;
    this.file = null;
    if (f) await new Promise<void>((resolve, reject) => f.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  /** Drops the file unfinished (a replay that starts over). */
  abort(): void {
    this.recording = false;
    this.file?.destroy();
    this.file = null;
  }
}
