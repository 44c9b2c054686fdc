import { withCause, type FetchLike } from '../../adapters/http/request-json.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { Metrics } from '../../adapters/metrics/metrics.ts';

export interface SourceErrorState {
  errors: number;
  last_error: string;
  last_at: number;
}

/**
 * Failures to reach an outside source (venue, weather, esports), per source: counted into the run
 * summary's errors and `errors_total{component}`, served on /health, logged at error — the first
 * of a streak at once, then at most once per `logEveryMs`, so an unreachable source is loud but
 * does not drown the log.
 */
export class SourceErrors {
  private readonly bySource = new Map<string, SourceErrorState & { logged_at: number }>();

  constructor(
    private readonly deps: { log: Logger; metrics: Metrics; now: () => number; countError: () => void; logEveryMs: number },
  ) {}

  record(source: string, what: string, err: unknown): void {
    const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    const now = this.deps.now();
    const prev = this.bySource.get(source);
    const state = { errors: (prev?.errors ?? 0) + 1, last_error: message, last_at: now, logged_at: prev?.logged_at ?? -Infinity };
    this.bySource.set(source, state);
    this.deps.countError();
    this.deps.metrics.errorsTotal.inc({ component: `${source}-source` });
    if (now - state.logged_at >= this.deps.logEveryMs) {
      state.logged_at = now;
      this.deps.log.error({ source, err: message, errors: state.errors }, `${source} source unreachable: ${message}`);
    }
  }

  /** Per source, sorted; empty while every source answered. */
  snapshot(): Record<string, SourceErrorState> {
    const out: Record<string, SourceErrorState> = {};
    for (const k of [...this.bySource.keys()].sort()) {
      const { errors, last_error, last_at } = this.bySource.get(k)!;
      out[k] = { errors, last_error, last_at };
    }
    return out;
  }

  /**
   * A fetch that reports what the source did not answer (network failure, or a 5xx) and still
   * throws or returns as before, so the caller's own retry logic is unchanged.
   */
  fetchFor(source: string, inner: FetchLike = (url, init) => fetch(url, init)): FetchLike {
    return async (url, init) => {
      let res: Awaited<ReturnType<FetchLike>>;
      try {
        res = await inner(url, init);
      } catch (err) {
        this.record(source, `${init?.method ?? 'GET'} ${stripQuery(url)}`, withCause(err));
        throw err;
      }
      if (res.status >= 500) this.record(source, `${init?.method ?? 'GET'} ${stripQuery(url)}`, new Error(`HTTP ${res.status}`));
      return res;
    };
  }
}

/** Query strings may carry keys; the log names the endpoint only. */
function stripQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
