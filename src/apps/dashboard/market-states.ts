import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';

interface KnownState {
  state: string;
  /** The market's halt causes, as its newest MARKET_STATE named them; empty outside HALT. */
  halt: string[];
}

/**
 * Each market's trading state as of the newest MARKET_STATE seen: where no market machine runs
 * (a served replay), the stream is the only record of what the machine was in, so GET /markets
 * answers from it what the daemon answers from the machine's snapshot.
 */
export class MarketStates implements EventSink {
  private readonly byMarket = new Map<string, KnownState>();

  emit(event: HeliosEvent): void {
    if (event.type !== 'MARKET_STATE' || event.market_id === undefined) return;
    const { state, reason } = event.payload;
    // In HALT the machine writes its causes as the reason (comma-separated, sorted), on entering
    // it and again (HALT → HALT) whenever one joins or clears.
    this.byMarket.set(event.market_id, { state, halt: state === 'HALT' && reason ? reason.split(',') : [] });
  }

  /** A backward seek replays from the start: a state seen later than the new position is not yet true. */
  rewind(): void {
    this.byMarket.clear();
  }

  state(marketId: string): string | null {
    return this.byMarket.get(marketId)?.state ?? null;
  }

  haltCauses(marketId: string): readonly string[] {
    return this.byMarket.get(marketId)?.halt ?? [];
  }
}
