/** The fetch the adapters use; injected so tests point it (and the base URL) at loopback servers. */
export type FetchFn = typeof fetch;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`HTTP ${status} from ${url}: ${body.slice(0, 200)}`);
    this.name = 'HttpError';
  }
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** One JSON request with a timeout; non-2xx and unparsable bodies throw. */
export async function requestJson(fetchFn: FetchFn, url: string, init: RequestInit, timeoutMs: number): Promise<JsonResponse> {
  const res = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new HttpError(res.status, url, text);
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown };
  } catch {
    throw new HttpError(res.status, url, `unparsable JSON: ${text.slice(0, 100)}`);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
