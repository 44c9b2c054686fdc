/**
 * Events of the feed connection machine. The socket actor sends only coalesced signals; book
 * deltas never become events (the socket side owns the books as plain data).
 */

/** Commands from the owner of the connection. */
export type FeedControlEvent =
  | { type: 'CONNECT' }
  | { type: 'STOP' }
  /** Leave `failed` for `disconnected` (an operator or the pool decided to try again). */
  | { type: 'RESET' }
  /** The assets assigned to this connection changed; an open socket syncs its subscriptions. */
  | { type: 'ASSETS_CHANGED' };

/** Signals from the socket actor. */
export type SocketSignal =
  | { type: 'SOCKET_OPEN' }
  /** Every assigned asset was sent in subscribe batches (the venue never acknowledges). */
  | { type: 'SUBSCRIBED'; assets: number }
  /** Market data arrived (coalesced: at most one per data_signal_interval_ms). */
  | { type: 'DATA_SEEN' }
  | { type: 'PONG' }
  /** Some books failed an integrity check and wait for a REST snapshot. */
  | { type: 'RESYNC_NEEDED'; tokens: number }
  /**
   * `fatal` when retrying cannot help (handshake refused, 1008 at the smallest batch);
   * `largestBatch` is the largest subscribe message this socket sent (what a 1008 objects to).
   */
  | { type: 'SOCKET_CLOSED'; code: number; reason: string; fatal: boolean; largestBatch: number };

export type FeedConnectionEvent = FeedControlEvent | SocketSignal;

/** Commands the machine sends to the socket actor. */
export type SocketCommand =
  /** Subscribe everything assigned, in batches, then answer SUBSCRIBED. */
  | { type: 'SUBSCRIBE_ALL' }
  /** Diff assigned against what is subscribed on the wire and send the difference. */
  | { type: 'SYNC_SUBSCRIPTIONS' }
  | { type: 'SEND_PING' };

/** What the resync actor resolves with. */
export interface ResyncOutput {
  resynced: number;
  /** Tokens that became unsynced while the resync ran; another round follows when > 0. */
  remaining: number;
}

export type DisconnectReason =
  | 'socket_closed'
  | 'policy_violation'
  | 'connect_timeout'
  | 'subscribe_timeout'
  | 'idle_timeout'
  | 'pong_timeout'
  | 'resync_failed'
  | 'socket_error'
  | 'stopped';
