import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { TopicNames } from '../../domain/events/topics.ts';
import type { EventBus } from './event-bus.ts';

/** Producers emit; the sink routes each event to its topic partition. Never blocks, never throws. */
export class BusSink implements EventSink {
  private readonly topics = new TopicNames();
  constructor(private readonly bus: EventBus) {}
  emit(event: HeliosEvent): void {
    void this.bus.publish(this.topics.topicFor(event), [event]);
  }
}
