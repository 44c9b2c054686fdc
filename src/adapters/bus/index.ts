export * from './event-bus.ts';
export * from './bounded-queue.ts';
export * from './bus-sink.ts';
export * from './create-bus.ts';
export * from './in-memory-bus.ts';
export * from './redis-streams-bus.ts';
export * from './topic-policies.ts';
