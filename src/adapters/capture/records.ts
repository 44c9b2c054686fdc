import { z } from 'zod';
import { isSecretLogKey } from '../log/redact.ts';

/** Format tag in every manifest; a reader refuses any other. */
export const CAPTURE_FORMAT = 'helios-capture/1';
export const MANIFEST_FILE = 'manifest.json';
export const HTTP_FILE = 'http.ndjson';
export const FRAMES_FILE = 'frames.ndjson';

/** One HTTP answer exactly as it arrived (body as text, before JSON parsing). */
export const httpRecordSchema = z.object({
  kind: z.literal('http'),
  /** Order of arrival across both files. */
  seq: z.number().int().nonnegative(),
  /** Receive time on the capturing process's clock (epoch ms). */
  recv_ms: z.number(),
  source: z.string(),
  method: z.string(),
  /** Path and query after the source's base URL, credentials removed (see `requestKey`). */
  key: z.string(),
  request_body: z.string().nullable(),
  status: z.number().int(),
  content_type: z.string().nullable(),
  body: z.string(),
});
export type HttpRecord = z.infer<typeof httpRecordSchema>;

/** One WebSocket text frame as it arrived. */
export const frameRecordSchema = z.object({
  kind: z.literal('frame'),
  seq: z.number().int().nonnegative(),
  recv_ms: z.number(),
  source: z.string(),
  /** Which of the source's sockets (in the order they were opened) received it. */
  conn: z.number().int().nonnegative(),
  /** Path and query the socket was opened on, after the source's base URL, credentials removed. */
  key: z.string(),
  text: z.string(),
});
export type FrameRecord = z.infer<typeof frameRecordSchema>;

export const manifestSchema = z.object({
  format: z.literal(CAPTURE_FORMAT),
  helios_version: z.string(),
  node_version: z.string(),
  started_ms: z.number(),
  ended_ms: z.number().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  /** The base URL of every source at capture time (no credentials: base URLs never carry them). */
  sources: z.record(z.string(), z.string()),
  counts: z.object({ http: z.number().int(), frames: z.number().int() }),
  /** What the capture was asked to record (free text, e.g. the command line's duration). */
  note: z.string(),
});
export type CaptureManifest = z.infer<typeof manifestSchema>;

/**
 * The name of a request inside one source: path plus its query parameters sorted, with
 * credential-looking parameters (`apiKey`, `token`, …) dropped, so a capture holds no secret and
 * a playback matches a request whatever key the client sends. A POST adds its body after `#`.
 */
export function requestKey(rest: string, body: string | null = null): string {
  const withPath = rest.startsWith('/') ? rest : `/${rest}`;
  const q = withPath.indexOf('?');
  const path = q < 0 ? withPath : withPath.slice(0, q);
  const params = q < 0 ? [] : [...new URLSearchParams(withPath.slice(q + 1))].filter(([k]) => !isSecretLogKey(k));
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  return body === null || body === '' ? `${path}${query}` : `${path}${query}#${body}`;
}
