import { z } from 'zod';

export const apiSection = z.strictObject({
  /** Loopback by default; binding elsewhere is an explicit choice. */
  host: z.string().min(1),
  /** 0 picks a free port (the daemon logs the URL it listens on). */
  port: z.number().int().min(0).max(65535),
  max_body_bytes: z.number().int().min(64),
  ws_path: z.string().startsWith('/'),
  ws_max_frame_bytes: z.number().int().min(64),
  /** A client whose unsent bytes exceed this is slow: coalesced first, dropped if it stays slow. */
  ws_max_buffered_bytes: z.number().int().min(1024),
  ws_slow_policy: z.enum(['coalesce', 'drop']),
  ws_max_clients: z.number().int().min(1),
});
