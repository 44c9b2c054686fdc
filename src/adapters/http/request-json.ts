import type { Clock } from '../../domain/time/clock.ts';
import { captureTap } from '../capture/tap.ts';

/** The slice of `fetch` the HTTP clients use; injectable so tests point them at loopback servers. */
export type FetchLike = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** A request that got no usable JSON answer; `status` 0 means no answer at all (network error, timeout). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** The request as shown in messages (credentials left out). */
    readonly target: string,
    message: string,
    /** The answer's Retry-After header, when it had one. */
    readonly retryAfter: string | null = null,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface JsonRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** How the request appears in errors; defaults to the URL (pass one without keys or tokens). */
  target?: string;
}

export interface JsonAnswer {
  status: number;
  headers: { get(name: string): string | null };
  /** The parsed body; null for 204 and empty bodies. */
  body: unknown;
}

/**
 * One HTTP request answered with JSON, timed out on the injected clock (a virtual clock's time
 * decides, not the wall). Non-2xx answers, unparsable bodies, network errors and timeouts all
 * throw HttpError, so a caller needs one catch and decides on `status`.
 */
export async function requestJson(fetchFn: FetchLike, url: string, req: JsonRequest, timeout: { clock: Clock; ms: number }): Promise<JsonAnswer> {
  const method = req.method ?? 'GET';
  const target = `${method} ${req.target ?? url}`;
  const abort = new AbortController();
  const timer = timeout.clock.setTimeout(() => abort.abort(), timeout.ms);
  let res: Awaited<ReturnType<FetchLike>>;
  let text: string;
  try {
    res = await fetchFn(url, { method, headers: { accept: 'application/json', ...req.headers }, body: req.body, signal: abort.signal });
    text = await res.text();
    // Recorded before any check: a capture keeps refusals and unparsable bodies as they came.
    captureTap()?.http({ method, url, requestBody: req.body ?? null, status: res.status, contentType: res.headers.get('content-type'), text });
  } catch (err) {
    throw new HttpError(0, target, abort.signal.aborted ? `${target}: timed out after ${timeout.ms} ms` : `${target}: ${withCause(err).message}`);
  } finally {
    timeout.clock.clearTimeout(timer);
  }
  if (!res.ok) throw new HttpError(res.status, target, `${target}: HTTP ${res.status} ${text.slice(0, 200)}`, res.headers.get('retry-after'));
  if (res.status === 204 || text.trim() === '') return { status: res.status, headers: res.headers, body: null };
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown };
  } catch {
    throw new HttpError(res.status, target, `${target}: body is not JSON: ${text.slice(0, 80)}`);
  }
}

/** undici's "fetch failed" hides the reason (ECONNREFUSED, ENOTFOUND …) in `cause`: brought into the message. */
export function withCause(err: unknown): Error {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code || e.cause?.message ? new Error(`${e.message} (${e.cause.code ?? e.cause.message})`) : e;
}
