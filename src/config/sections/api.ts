import { z } from 'zod';

export const apiSection = z.strictObject({
  /** Loopback by default; binding elsewhere is an explicit choice. */
  host: z.string().min(1),
  /** 0 picks a free port (the daemon logs the URL it listens on). */
  port: z.number().int().min(0).max(65535),
  /**
   * Host names (no port; IPv6 without brackets) a loopback-bound API answers: any other Host header
   * gets 403 (DNS rebinding). The bound address is always allowed; not applied to a non-loopback bind.
   */
  allowed_hosts: z.array(z.string().min(1)).min(1),
  max_body_bytes: z.number().int().min(64),
  ws_path: z.string().startsWith('/'),
  ws_max_frame_bytes: z.number().int().min(64),
  /** A client whose unsent bytes exceed this is slow: coalesced first, dropped if it stays slow. */
  ws_max_buffered_bytes: z.number().int().min(1024),
  ws_slow_policy: z.enum(['coalesce', 'drop']),
  ws_max_clients: z.number().int().min(1),
  /**
   * Browser origins (`http://host:port`) allowed to open the WebSocket besides the API's own; their
   * hosts are also accepted as Host. Requests without Origin (non-browser clients) need none.
   */
  ws_allowed_origins: z.array(z.url({ protocol: /^https?$/ })),
  /** Each client is pinged this often; one that missed the previous ping is dropped. */
  ws_ping_interval_ms: z.number().int().min(100),
  /** A client holding no subscription for this long is dropped. */
  ws_idle_timeout_ms: z.number().int().min(100),
  /** Distinct subscription filters (channel × market/station) one client may hold. */
  ws_max_filters_per_client: z.number().int().min(1),
  /**
   * The dashboard's recent past (what a page opened now folds first): the newest order updates and
   * fills kept. The overview's counts do not depend on it (the server counts every one).
   */
  dashboard_backlog_order_updates: z.number().int().min(1),
  dashboard_backlog_fills: z.number().int().min(1),
});
