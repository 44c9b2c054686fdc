/**
 * Fault injection of the venue simulator. Every fault is switchable (0 or null turns it off) and
 * drawn from the simulator's seeded source. Probabilities are per data frame per connection
 * (drop, duplicate, reorder, malformed), per order-flow step (disconnect, freeze, tick size change,
 * crossed update) or per REST request.
 */
export interface VenueFaults {
  /** A random connection is dropped: with `terminate_share` by a TCP reset (client sees 1006), else a close frame 1011. */
  disconnect: number;
  terminate_share: number;
  /** Subscribe messages naming more assets than this are answered with close 1008 (null = no limit). */
  policy_close_batch: number | null;
  drop: number;
  duplicate: number;
  /** The frame is held back and sent after the next one. */
  reorder: number;
  /** A garbage frame is sent before the real one. */
  malformed: number;
  /** A random connection goes silent: PINGs still get PONG, data never comes again on it. */
  freeze: number;
  tick_size_change: number;
  crossed_update: number;
  rest_429: number;
  rest_5xx: number;
}

export const NO_FAULTS: VenueFaults = {
  disconnect: 0,
  terminate_share: 1,
  policy_close_batch: null,
  drop: 0,
  duplicate: 0,
  reorder: 0,
  malformed: 0,
  freeze: 0,
  tick_size_change: 0,
  crossed_update: 0,
  rest_429: 0,
  rest_5xx: 0,
};

/** Counters of what the simulator did, faults included. */
export interface VenueStats {
  steps: number;
  frames_sent: number;
  connections_opened: number;
  subscribe_messages: number;
  /** Size of every subscribe message received, in order. */
  subscribe_batches: number[];
  /** Subscribe messages in the initial form (`type: market`) rather than `operation: subscribe`. */
  initial_subscribe_messages: number;
  unsubscribe_messages: number;
  pings: number;
  faults: Record<
    | 'disconnect'
    | 'policy_close'
    | 'drop'
    | 'duplicate'
    | 'reorder'
    | 'malformed'
    | 'freeze'
    | 'frozen_frames'
    | 'tick_size_change'
    | 'crossed_update'
    | 'rest_429'
    | 'rest_5xx',
    number
  >;
  rest_requests: number;
}

export function emptyVenueStats(): VenueStats {
  return {
    steps: 0,
    frames_sent: 0,
    connections_opened: 0,
    subscribe_messages: 0,
    subscribe_batches: [],
    initial_subscribe_messages: 0,
    unsubscribe_messages: 0,
    pings: 0,
    faults: {
      disconnect: 0,
      policy_close: 0,
      drop: 0,
      duplicate: 0,
      reorder: 0,
      malformed: 0,
      freeze: 0,
      frozen_frames: 0,
      tick_size_change: 0,
      crossed_update: 0,
      rest_429: 0,
      rest_5xx: 0,
    },
    rest_requests: 0,
  };
}

/** Frames the decoder must reject; each is a realistic way a feed goes wrong. */
export const MALFORMED_FRAMES: readonly string[] = [
  '{"event_type":"price_change","market":"0x',
  'not json at all',
  '{"event_type":"price_change","market":"0xbad","timestamp":"1","price_changes":[{"asset_id":"1","price":"abc","size":"1","side":"BUY"}]}',
  '[{"event_type":"book"}]',
  '{"event_type":"book","asset_id":"1","market":"0xbad","bids":[{"price":"0.5"}],"asks":[],"timestamp":"1","hash":"x"}',
  '{"market":"0xbad","timestamp":"1"}',
];
