import type { HeliosConfig } from '../../config/schema.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { ChannelServer, channelServerOptions } from '../../adapters/api/channel-server.ts';
import { JsonHttpServer, RouteError, type Answer, type Route } from '../../adapters/api/http-server.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { ReplayEngine } from '../../runtime/replay/engine.ts';

const STEP_TARGETS = new Set(['event', 'metar', 'window', 'shock']);

/**
 * `helios replay --serve`: the live WebSocket channel protocol (the same ChannelServer, same frames)
 * on the daemon's HTTP server module, plus replay controls for a timeline UI:
 *   GET  /replay/status, /replay/markers (when given), /markets (when given)
 *   POST /replay/play | /replay/pause | /replay/speed?x=10 | /replay/step?target=metar | /replay/seek?t=ISO-or-ms
 * Each answers the engine status as JSON. Loopback only and without a token, like the replay itself.
 */
export class ReplayServer implements EventSink {
  readonly channels: ChannelServer;
  private readonly http: JsonHttpServer;
  private engine: ReplayEngine | null = null;
  private readonly played: { promise: Promise<void>; resolve: () => void };

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
    this.channels = new ChannelServer(this.http.server, channelServerOptions(opts.api, opts.logger));
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
        await act(engine, url);
        return engine.status();
      },
    });
    const { markets, markers } = this.opts;
    return {
      ...(markets ? { '/markets': { method: 'GET', handler: () => markets() } satisfies Route } : {}),
      ...(markers ? { '/replay/markers': { method: 'GET', handler: () => markers() } satisfies Route } : {}),
      '/replay/status': { method: 'GET', handler: () => this.attached().status() },
      '/replay/play': control((engine) => {
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
    };
  }

  private attached(): ReplayEngine {
    if (!this.engine) throw new RouteError(503, 'replay not ready');
    return this.engine;
  }
}
