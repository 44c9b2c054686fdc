import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { makeDirectories } from '../../adapters/storage/make-directories.ts';
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
  /** MARKET_STATEs that name a new state: the others (HALT → HALT) announce a halt's changed causes. */
  stateChanges = 0;
  /**
   * Distinct orders and matched fills (a FAILED one taken back), by market while it trades: a
   * retired market's (ALERT MARKET_RETIRED: nothing of it open or unanswered any more) are only
   * counted on, so months of markets do not keep every id ever placed.
   */
  private readonly orderIdsByMarket = new Map<string, Set<string>>();
  private readonly fillIdsByMarket = new Map<string, Set<string>>();
  private retiredOrders = 0;
  private retiredFills = 0;
  private file: WriteStream | null = null;
  private recording = true;

  constructor(
    private readonly sink: EventSink,
    out?: { file: string; append: boolean },
    private readonly onDecision?: (d: DecisionEvent) => void,
  ) {
    if (out) {
      makeDirectories(path.dirname(path.resolve(out.file)));
      this.file = createWriteStream(out.file, { encoding: 'utf8', flags: out.append ? 'a' : 'w' });
    }
  }

  emit(event: HeliosEvent): void {
    if (this.recording && isDecision(event)) {
      this.counts[event.type]++;
      if (event.type === 'MARKET_STATE' && event.payload.previous !== event.payload.state) this.stateChanges++;
      else if (event.type === 'ORDER_UPDATE') idsOf(this.orderIdsByMarket, event.market_id).add(event.payload.client_order_id);
      else if (event.type === 'FILL') {
        if (event.payload.status === 'FAILED') this.fillIdsByMarket.get(event.market_id ?? '')?.delete(event.payload.fill_id);
        else if (event.payload.status === 'MATCHED') idsOf(this.fillIdsByMarket, event.market_id).add(event.payload.fill_id);
      }
      this.file?.write(stableStringify(event) + '\n');
      this.onDecision?.(event);
    } else if (event.type === 'ALERT' && event.payload.code === 'MARKET_RETIRED' && event.market_id !== undefined) this.retire(event.market_id);
    this.sink.emit(event);
  }

  /** Distinct orders decided so far. */
  get orders(): number {
    return this.retiredOrders + sizes(this.orderIdsByMarket);
  }

  /** Matched fills so far, less those that failed. */
  get fills(): number {
    return this.retiredFills + sizes(this.fillIdsByMarket);
  }

  private retire(marketId: string): void {
    this.retiredOrders += this.orderIdsByMarket.get(marketId)?.size ?? 0;
    this.retiredFills += this.fillIdsByMarket.get(marketId)?.size ?? 0;
    this.orderIdsByMarket.delete(marketId);
    this.fillIdsByMarket.delete(marketId);
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

function idsOf(byMarket: Map<string, Set<string>>, marketId: string | undefined): Set<string> {
  const key = marketId ?? '';
  let ids = byMarket.get(key);
  if (ids === undefined) byMarket.set(key, (ids = new Set()));
  return ids;
}

function sizes(byMarket: ReadonlyMap<string, ReadonlySet<string>>): number {
  let n = 0;
  for (const ids of byMarket.values()) n += ids.size;
  return n;
}
