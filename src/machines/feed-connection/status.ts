import type { SnapshotFrom } from 'xstate';
import type { FeedConnectionMachine } from './feed-connection.machine.ts';

/** The flat names the issue uses for a connection's state, for metrics and logs. */
export type FeedStatus =
  | 'disconnected'
  | 'connecting'
  | 'subscribing'
  | 'healthy'
  | 'stale'
  | 'resyncing'
  | 'backoff'
  | 'failed';

export function feedStatusOf(snapshot: SnapshotFrom<FeedConnectionMachine>): FeedStatus {
  if (snapshot.matches('disconnected')) return 'disconnected';
  if (snapshot.matches('backoff')) return 'backoff';
  if (snapshot.matches('failed')) return 'failed';
  if (snapshot.matches({ session: 'connecting' })) return 'connecting';
  if (snapshot.matches({ session: { open: { stream: 'subscribing' } } })) return 'subscribing';
  if (snapshot.matches({ session: { open: { stream: 'resyncing' } } })) return 'resyncing';
  if (snapshot.matches({ session: { open: { stream: { live: 'stale' } } } })) return 'stale';
  return 'healthy';
}
