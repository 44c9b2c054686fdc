import type { Logger } from '../log/logger.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import type { SourceReport, Tier } from '../../domain/truth/report.ts';
import type { Rng } from '../../domain/util/random.ts';
import type { FetchLike } from '../http/request-json.ts';
import { RateLimiter } from '../http/rate-limiter.ts';
import type { ReconnectingSocket, SocketErrorListener } from './reconnecting-socket.ts';
import type { ReconnectPolicy, ReportListener, TruthSource, WatchedMatch } from './source.ts';

/** The config keys the polling machinery reads; the socket takes its backoff from the same section. */
export interface PollConfig extends ReconnectPolicy {
  poll_ms: number;
  rate_limit: { max: number; window_ms: number };
}

export interface PolledSourceOptions<C extends PollConfig> {
  config: C;
  tier: Tier;
  staleMs: number | null;
  clock: Clock;
  emit: ReportListener;
  rng: Rng;
  fetch?: FetchLike;
  logger?: Logger;
  /** A watch's socket failed (see ReconnectingSocketOptions.onError). */
  onSocketError?: SocketErrorListener;
}

/** One watched match of a polled source; a source adds its own fields. */
export interface PolledWatch {
  readonly match: WatchedMatch;
  /** Runs from `start` (or `watch` once started) until `unwatch`/`stop`. */
  readonly socket: ReconnectingSocket;
  timer: TimerHandle | null;
  inflight: Promise<void> | null;
  /** A read was asked for while one was in flight. */
  again: boolean;
  last: SourceReport | null;
}

/**
 * A source that reads each watched match every `poll_ms` through one rate limiter, beside a live
 * socket per match whose messages ask for early reads (`refresh`). A subclass says how a watch is
 * opened and what one read is.
 */
export abstract class PolledSource<W extends PolledWatch, O extends PolledSourceOptions<PollConfig>> implements TruthSource {
  abstract readonly name: string;
  readonly tier: Tier;
  readonly staleMs: number | null;
  readonly limiter: RateLimiter;
  protected readonly fetchFn: FetchLike;
  protected running = false;
  private readonly watches = new Map<string, W>();

  constructor(protected readonly opts: O) {
    this.tier = opts.tier;
    this.staleMs = opts.staleMs;
    this.limiter = new RateLimiter(opts.clock, [{ max: opts.config.rate_limit.max, windowMs: opts.config.rate_limit.window_ms }]);
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** A new watch for `match`, its socket built but not started. */
  protected abstract openWatch(match: WatchedMatch): W;

  /** One read of the match; never throws (failures are logged by the source). */
  protected abstract readOnce(w: W): Promise<void>;

  start(): void {
    this.running = true;
    for (const w of this.watches.values()) this.begin(w);
  }

  watch(match: WatchedMatch): void {
    if (this.watches.has(match.match_id)) return;
    const w = this.openWatch(match);
    this.watches.set(match.match_id, w);
    if (this.running) this.begin(w);
  }

  unwatch(matchId: string): void {
    const w = this.watches.get(matchId);
    if (!w) return;
    this.watches.delete(matchId);
    if (w.timer !== null) this.opts.clock.clearTimeout(w.timer);
    void w.socket.stop();
  }

  confirm(matchId: string): void {
    const w = this.watches.get(matchId);
    if (w) void this.refresh(w);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.limiter.close();
    const all = [...this.watches.values()];
    for (const w of all) if (w.timer !== null) this.opts.clock.clearTimeout(w.timer);
    await Promise.all(all.map((w) => w.socket.stop()));
    await Promise.all(all.map((w) => w.inflight?.catch(() => {})));
  }

  protected watchOf(matchId: string): W | undefined {
    return this.watches.get(matchId);
  }

  /** One read; concurrent asks coalesce into one more read after the current one. */
  protected refresh(w: W): Promise<void> {
    if (w.inflight) {
      w.again = true;
      return w.inflight;
    }
    w.inflight = (async () => {
      do {
        w.again = false;
        await this.readOnce(w);
      } while (w.again && this.running);
    })().finally(() => {
      w.inflight = null;
    });
    return w.inflight;
  }

  protected deliver(w: W, report: SourceReport): void {
    w.last = report;
    this.opts.emit(report);
  }

  private begin(w: W): void {
    w.socket.start();
    void this.poll(w);
  }

  private async poll(w: W): Promise<void> {
    w.timer = null;
    await this.refresh(w);
    // An unwatch (or a re-watch of the same id) while the read was in flight ends this chain.
    if (this.running && this.watches.get(w.match.match_id) === w) {
      w.timer = this.opts.clock.setTimeout(() => void this.poll(w), this.opts.config.poll_ms);
    }
  }
}
