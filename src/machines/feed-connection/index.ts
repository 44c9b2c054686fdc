export * from './context.ts';
export * from './events.ts';
export * from './feed-connection.machine.ts';
export * from './status.ts';
