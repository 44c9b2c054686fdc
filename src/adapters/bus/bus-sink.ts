import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { TopicNames } from '../../domain/events/topics.ts';
import type { EventBus } from './event-bus.ts';

/** Producers emit; the sink routes each event to its topic partition. Never blocks, never throws. */
export class BusSink implements EventSink {
  private readonly topics = new TopicNames();
  /**
   * The one-event batch handed to `publish`, reused (a bus keeps no batch past `publish`): most
   * events on the bus come through here, one array each otherwise. Emptied after each publish so it
   * holds no event; an emit from inside a publish (an overflow hook) gets an array of its own.
   */
  private readonly one: Array<HeliosEvent | null> = [null];
  private publishing = false;
  constructor(private readonly bus: EventBus) {}
  emit(event: HeliosEvent): void {
    const topic = this.topics.topicFor(event);
    if (this.publishing) {
      void this.bus.publish(topic, [event]);
      return;
    }
    this.publishing = true;
    this.one[0] = event;
    try {
      void this.bus.publish(topic, this.one as readonly HeliosEvent[]);
    } finally {
      this.one[0] = null;
      this.publishing = false;
    }
  }
}
