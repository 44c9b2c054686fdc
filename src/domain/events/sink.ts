import type { HeliosEvent } from './catalog.ts';

/**
 * Where producers put events. The bus adapter implements it (routing each event to its topic
 * partition); tests and the replay scheduler pass collectors. Emitting never blocks.
 */
export interface EventSink {
  emit(event: HeliosEvent): void;
  /** A replay went back to its start (a backward seek): forget what was emitted before. */
  rewind?(): void;
}

/** A sink that keeps everything, for tests and CLI tools. */
export class CollectingSink implements EventSink {
  readonly events: HeliosEvent[] = [];
  emit(event: HeliosEvent): void {
    this.events.push(event);
  }
}

/** Hands every event to several sinks in order (bus, recorder, WebSocket clients, metrics). */
export class FanOutSink implements EventSink {
  private readonly sinks: EventSink[];
  constructor(...sinks: EventSink[]) {
    this.sinks = sinks;
  }
  add(sink: EventSink): void {
    this.sinks.push(sink);
  }
  /** A sink added while its owner runs goes when it stops. */
  remove(sink: EventSink): void {
    const i = this.sinks.indexOf(sink);
    if (i >= 0) this.sinks.splice(i, 1);
  }
  emit(event: HeliosEvent): void {
    for (const s of this.sinks) s.emit(event);
  }
  rewind(): void {
    for (const s of this.sinks) s.rewind?.();
  }
}
