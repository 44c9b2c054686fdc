import type { HeliosConfig } from '../../config/schema.ts';
import { channelOfTopic } from '../../domain/events/topics.ts';
import type { TopicPolicy } from './bounded-queue.ts';

export type BusConfig = HeliosConfig['bus'];

/** Backpressure policy for a topic: its channel's entry, or the default. */
export function policyForTopic(config: BusConfig, topic: string): TopicPolicy {
  return config.channels[channelOfTopic(topic)] ?? config.default;
}
