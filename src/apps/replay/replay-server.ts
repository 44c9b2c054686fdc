import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HeliosConfig } from '../../config/schema.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { ChannelServer } from '../../adapters/api/channel-server.ts';
import type { Logger } from '../../adapters/log/logger.ts';
import type { ReplayEngine } from '../../runtime/replay/engine.ts';

const STEP_TARGETS = new Set(['event', 'metar', 'window', 'shock']);

/**
 * `helios replay --serve`: the live WebSocket channel protocol (the same ChannelServer, same frames)
 * on a loopback HTTP server, plus replay controls for a timeline UI:
 *   GET  /replay/status
 *   POST /replay/play | /replay/pause | /replay/speed?x=10 | /replay/step?target=metar | /replay/seek?t=ISO-or-ms
 * Each answers the engine status as JSON.
 */
export class ReplayServer implements EventSink {
  readonly server: Server;
  readonly channels: ChannelServer;
  private engine: ReplayEngine | null = null;
  private readonly played: { promise: Promise<void>; resolve: () => void };

  constructor(
    private readonly opts: { host: string; port: number; api: HeliosConfig['api']; logger: Logger; parseTime: (t: string) => number },
  ) {
    let resolve!: () => void;
    this.played = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    this.server = createServer((req, res) => void this.handle(req, res));
    this.channels = new ChannelServer(this.server, {
      path: opts.api.ws_path,
      maxFrameBytes: opts.api.ws_max_frame_bytes,
      maxBufferedBytes: opts.api.ws_max_buffered_bytes,
      slowPolicy: opts.api.ws_slow_policy,
      maxClients: opts.api.ws_max_clients,
      logger: opts.logger,
    });
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

  /** Listens; resolves to the base URL (http://host:port). */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return `http://${this.opts.host}:${port}`;
  }

  async close(): Promise<void> {
    await this.channels.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://replay');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const engine = this.engine;
    if (!engine) return reply(503, { error: 'replay not ready' });
    const route = url.pathname;
    if (route === '/replay/status' && req.method === 'GET') return reply(200, engine.status());
    if (req.method !== 'POST') return reply(route.startsWith('/replay/') ? 405 : 404, { error: 'not found' });
    try {
      switch (route) {
        case '/replay/play':
          this.played.resolve();
          void engine.play().catch(() => undefined);
          break;
        case '/replay/pause':
          engine.pause();
          break;
        case '/replay/speed': {
          const x = url.searchParams.get('x') ?? '';
          const speed = /^(max|inf|infinity)$/i.test(x) ? Infinity : Number(x);
          if (!(speed > 0)) return reply(400, { error: 'speed: x must be a positive number or max' });
          engine.setSpeed(speed);
          break;
        }
        case '/replay/step': {
          const target = url.searchParams.get('target') ?? 'event';
          if (!STEP_TARGETS.has(target)) return reply(400, { error: `step: target must be one of ${[...STEP_TARGETS].join(', ')}` });
          await engine.step(target as 'event');
          break;
        }
        case '/replay/seek': {
          const t = this.opts.parseTime(url.searchParams.get('t') ?? '');
          if (Number.isNaN(t)) return reply(400, { error: 'seek: t must be an ISO time or epoch ms' });
          await engine.seek(t);
          break;
        }
        default:
          return reply(404, { error: 'not found' });
      }
    } catch (err) {
      return reply(500, { error: (err as Error).message });
    }
    reply(200, engine.status());
  }
}
