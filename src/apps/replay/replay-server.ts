import type { HeliosConfig } from '../../config/schema.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { ChannelServer, channelServerOptions } from '../../adapters/api/channel-server.ts';
import { JsonHttpServer, RouteError, type Answer, type Route } from '../../adapters/api/http-server.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { ReplayEngine, ReplayStatus } from '../../runtime/replay/engine.ts';
import { isTradingDecision } from '../../domain/replay/targets.ts';

const STEP_TARGETS = new Set(['event', 'metar', 'window', 'shock']);

/**
 * `helios replay --serve`: the live WebSocket channel protocol (the same ChannelServer, same frames)
 * on the daemon's HTTP server module, plus replay controls for a timeline UI:
 *   GET  /replay/status, /replay/markers (when given), /markets (when given)
 *   POST /replay/play[?until=decision] (until: pauses right after the next policy or new order goes out)
 *        | /replay/pause | /replay/speed?x=10 | /replay/step?target=metar | /replay/seek?t=ISO-or-ms
 *        | /replay/range?from=&to= (a range inside the replay: seeks to `from`, playing pauses at `to`;
 *          without both, back to the whole replay)
 * Each answers the engine status as JSON, with `range`: the chosen range or null, and
 * `stopped_on_decision`: the event_id the last run to a decision paused on, or null. Loopback only and without a token, like the replay itself.
 */
export class ReplayServer implements EventSink {
  readonly channels: ChannelServer;
  private readonly http: JsonHttpServer;
  private engine: ReplayEngine | null = null;
  /** The range the operator chose inside the replay; its end is the engine's pause-at. */
  private range: { from: number; to: number } | null = null;
  private readonly played: { promise: Promise<void>; resolve: () => void };
  /**
   * Armed by play?until=decision. The pause happens here, as the decision goes out, not when a
   * page has seen it: at 600× the rest of a short recording would play out before a page's pause
   * came back (and a served replay ends with its range).
   */
  private runToDecision = false;
  private stoppedOnDecision: string | null = null;

  constructor(
    private readonly opts: {
      host: string;
      port: number;
      api: HeliosConfig['api'];
      logger: Logger;
      parseTime: (t: string) => number;
      /** GETs outside /replay/* (the dashboard's files, the same page the daemon serves). */
      fallback?: (path: string) => Answer | undefined;
      /** GET /markets as the daemon answers it, from the recorded market catalog (absent: 404). */
      markets?: () => Promise<unknown>;
      /** GET /replay/markers: where the range's METARs, orders, fills, halts… are, ahead of playing. */
      markers?: () => Promise<unknown>;
      /** Whether a WebSocket subscription's market_id names a recorded market (absent: any id is accepted). */
      knownMarket?: (marketId: string) => boolean;
    },
  ) {
    let resolve!: () => void;
    this.played = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    this.http = new JsonHttpServer({
      host: opts.host,
      port: opts.port,
      token: null,
      maxBodyBytes: opts.api.max_body_bytes,
      allowedHosts: opts.api.allowed_hosts,
      logger: opts.logger,
      name: 'replay server',
      routes: this.routes(),
      ...(opts.fallback ? { fallback: opts.fallback } : {}),
    });
    this.channels = new ChannelServer(this.http.server, { ...channelServerOptions(opts.api, opts.logger), ...(opts.knownMarket ? { knownMarket: opts.knownMarket } : {}) });
  }

  attach(engine: ReplayEngine): void {
    this.engine = engine;
  }

  /** Resolves on the first POST /replay/play (for a replay that starts paused). */
  playRequested(): Promise<void> {
    return this.played.promise;
  }

  emit(event: HeliosEvent): void {
    this.channels.emit(event);
    if (this.runToDecision && isTradingDecision(event)) {
      this.runToDecision = false;
      this.stoppedOnDecision = event.event_id;
      this.engine?.pause();
    }
  }

  listen(): Promise<string> {
    return this.http.listen();
  }

  async close(): Promise<void> {
    await this.channels.close();
    await this.http.close();
  }

  private routes(): Record<string, Route> {
    /** A control: runs against the attached engine, then answers its status. */
    const control = (act: (engine: ReplayEngine, url: URL) => Promise<void> | void): Route => ({
      method: 'POST',
      handler: async ({ url }) => {
        const engine = this.attached();
        // Any control but play?until=decision (which arms it again) ends a run to the next decision.
        this.runToDecision = false;
        await act(engine, url);
        return this.status(engine);
      },
    });
    const { markets, markers } = this.opts;
    return {
      ...(markets ? { '/markets': { method: 'GET', handler: () => markets() } satisfies Route } : {}),
      ...(markers ? { '/replay/markers': { method: 'GET', handler: () => markers() } satisfies Route } : {}),
      '/replay/status': { method: 'GET', handler: () => this.status(this.attached()) },
      '/replay/play': control((engine, url) => {
        const until = url.searchParams.get('until');
        if (until !== null && until !== 'decision') throw new RouteError(400, 'play: until must be decision (or absent)');
        if (until === 'decision') {
          this.runToDecision = true;
          this.stoppedOnDecision = null;
        }
        this.played.resolve();
        void engine.play().catch(() => undefined);
      }),
      '/replay/pause': control((engine) => engine.pause()),
      '/replay/speed': control((engine, url) => {
        const x = url.searchParams.get('x') ?? '';
        const speed = /^(max|inf|infinity)$/i.test(x) ? Infinity : Number(x);
        if (!(speed > 0)) throw new RouteError(400, 'speed: x must be a positive number or max');
        engine.setSpeed(speed);
      }),
      '/replay/step': control(async (engine, url) => {
        const target = url.searchParams.get('target') ?? 'event';
        if (!STEP_TARGETS.has(target)) throw new RouteError(400, `step: target must be one of ${[...STEP_TARGETS].join(', ')}`);
        await engine.step(target as 'event');
      }),
      '/replay/seek': control(async (engine, url) => {
        const t = this.opts.parseTime(url.searchParams.get('t') ?? '');
        if (Number.isNaN(t)) throw new RouteError(400, 'seek: t must be an ISO time or epoch ms');
        await engine.seek(t);
      }),
      '/replay/range': control(async (engine, url) => {
        const fromText = url.searchParams.get('from');
        const toText = url.searchParams.get('to');
        if (fromText === null && toText === null) {
          this.range = null;
          engine.pauseAt(null);
          return;
        }
        const { from: min, to: max } = engine.status();
        const from = this.opts.parseTime(fromText ?? '');
        const to = this.opts.parseTime(toText ?? '');
        if (Number.isNaN(from) || Number.isNaN(to)) throw new RouteError(400, 'range: from and to must be ISO times or epoch ms (or neither, for the whole replay)');
        // Inputs precise to the second may fall just outside the replay's own bounds: clamp, not refuse.
        const range = { from: Math.max(from, min), to: Math.min(to, max) };
        if (!(range.to > range.from)) throw new RouteError(400, `range: to must be after from, inside ${new Date(min).toISOString()} → ${new Date(max).toISOString()}`);
        engine.pause();
        engine.pauseAt(range.to);
        await engine.seek(range.from);
        // Reported once the replay stands at its start.
        this.range = range;
      }),
    };
  }

  private status(engine: ReplayEngine): ReplayStatus & { range: { from: number; to: number } | null; stopped_on_decision: string | null } {
    return { ...engine.status(), range: this.range, stopped_on_decision: this.stoppedOnDecision };
  }

  private attached(): ReplayEngine {
    if (!this.engine) throw new RouteError(503, 'replay not ready');
    return this.engine;
  }
}
