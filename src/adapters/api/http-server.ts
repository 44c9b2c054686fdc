import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Secret } from '../../config/secrets.ts';
import type { Logger } from '../log/logger.ts';
import { checkBearer } from './auth.ts';
import { hostName, isLoopbackName, LOOPBACK_HOST_NAMES } from './host-names.ts';
import { answersOwnStatus, haltRequestSchema, type DaemonApi } from './daemon-api.ts';

/** A refusal a route handler throws: answered as JSON `{ "error": message }` with this status. */
export class RouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A handler's answer when it is not 200 JSON: another status, or text of its own content type. */
export class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType?: string,
    /** Extra response headers (security and caching headers of static files). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {}
}

export interface RouteRequest {
  req: IncomingMessage;
  url: URL;
  /** The parsed JSON body of a POST (undefined when empty). */
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  /** A plain value is answered as 200 JSON. */
  handler: (r: RouteRequest) => unknown;
}

export interface JsonHttpServerOptions {
  host: string;
  port: number;
  routes: Readonly<Record<string, Route>>;
  /** POSTs need this bearer token (undefined disables them); null leaves them open (loopback tools). */
  token: Secret | undefined | null;
  maxBodyBytes: number;
  logger: Logger;
  /** What the listening log line and error logs call this server. */
  name: string;
  /** GETs of paths no route names (the dashboard's static files); undefined answers 404. */
  fallback?: (path: string) => Answer | undefined;
  /**
   * Host names (no port) a loopback-bound server answers (`api.allowed_hosts`); default the loopback
   * names. The bound address is always allowed. Not applied when bound elsewhere.
   */
  allowedHosts?: readonly string[];
}

/**
 * One loopback HTTP server for every JSON endpoint set (the daemon's API, replay controls): a
 * route table, bearer auth and size-limited JSON bodies on POSTs, JSON errors with the right
 * status. The WebSocket channel servers attach to `server`.
 */
export class JsonHttpServer {
  readonly server: Server;
  private readonly allowedHosts: ReadonlySet<string>;

  constructor(private readonly opts: JsonHttpServerOptions) {
    this.allowedHosts = new Set([...(opts.allowedHosts ?? LOOPBACK_HOST_NAMES), opts.host].map(hostName));
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 5_000;
  }

  /** Listens; resolves to the base URL (http://host:port). */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const url = `http://${this.opts.host}:${this.port}`;
    this.opts.logger.info({ url }, `${this.opts.name} listening on ${url}`);
    return url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Why a request may not reach a loopback-bound server, or null. DNS rebinding: a page on a name
   * its owner re-points at 127.0.0.1 reads this API with the browser's same-origin blessing; only
   * the Host header names the page's site.
   */
  private hostDenied(req: IncomingMessage): string | null {
    if (!isLoopbackName(hostName(this.opts.host))) return null;
    const host = req.headers.host;
    if (!host) return 'a request without a Host header';
    if (this.allowedHosts.has(hostName(host))) return null;
    return `Host ${host} is not an allowed name of this loopback API (DNS rebinding guard); allowed: ${[...this.allowedHosts].join(', ')} (api.allowed_hosts)`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const denied = this.hostDenied(req);
      if (denied) {
        this.opts.logger.warn({ host: req.headers.host ?? null, path: req.url ?? null }, `${this.opts.name} refused: ${denied}`);
        throw new RouteError(403, denied);
      }
      // The path exactly as sent: URL parsing would read `//host/x` as host plus `/x`.
      const path = (req.url ?? '/').split('?')[0]!;
      const route = Object.hasOwn(this.opts.routes, path) ? this.opts.routes[path] : undefined;
      if (!route) {
        const file = req.method === 'GET' || req.method === 'HEAD' ? this.opts.fallback?.(path) : undefined;
        if (file) return void res.writeHead(file.status, { 'content-type': file.contentType ?? 'application/octet-stream', ...file.headers }).end(req.method === 'HEAD' ? undefined : file.body);
        throw new RouteError(404, `no such endpoint: ${path}`);
      }
      if (req.method !== route.method) {
        res.setHeader('allow', route.method);
        throw new RouteError(405, `${path} accepts ${route.method}`);
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      let body: unknown;
      if (route.method === 'POST') {
        if (this.opts.token !== null) {
          const auth = checkBearer(req, this.opts.token);
          if (!auth.ok) throw new RouteError(auth.status, auth.message);
        }
        body = await readJsonBody(req, this.opts.maxBodyBytes);
      }
      const result = await route.handler({ req, url, body });
      if (!(result instanceof Answer)) return sendJson(res, 200, result);
      if (result.contentType === undefined) return sendJson(res, result.status, result.body);
      if (!res.headersSent) res.writeHead(result.status, { 'content-type': result.contentType, ...result.headers }).end(result.body);
    } catch (err) {
      if (err instanceof RouteError) {
        sendJson(res, err.status, { error: err.message });
        if (err.status === 413) req.destroy();
        return;
      }
      this.opts.logger.error({ err }, `${this.opts.name} handler failed`);
      sendJson(res, 500, { error: 'internal error' });
    }
  }
}

export interface HttpApiOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  token: Secret | undefined;
  api: DaemonApi;
  logger: Logger;
  fallback?: (path: string) => Answer | undefined;
  allowedHosts?: readonly string[];
}

/** The daemon's HTTP API on loopback by default. GETs are open; POSTs need the bearer token. */
export class HttpApiServer extends JsonHttpServer {
  constructor(opts: HttpApiOptions) {
    const { api } = opts;
    const get = (handler: Route['handler']): Route => ({ method: 'GET', handler });
    const post = (handler: Route['handler']): Route => ({ method: 'POST', handler });
    super({
      ...opts,
      name: 'http api',
      routes: {
        '/health': get(async () => {
          const health = await api.health();
          return new Answer((health as { ready?: boolean }).ready === false ? 503 : 200, health);
        }),
        '/metrics': get(async () => {
          const { contentType, body } = await api.metrics();
          return new Answer(200, body, contentType);
        }),
        '/subscriptions': get(() => api.subscriptions()),
        '/reconciler/metrics': get(() => api.reconcilerMetrics()),
        '/reconciler/force': post(() => api.forceReconcile()),
        '/stats': get(() => api.stats()),
        '/markets': get(() => api.markets()),
        '/books': get(({ url }) => api.books(url.searchParams.get('token_id') ?? undefined)),
        '/halt': post(async ({ body }) => controlAnswer(await api.halt(parseHalt(body)))),
        '/resume': post(async ({ body }) => controlAnswer(await api.resume(parseHalt(body)))),
      },
    });
  }
}

/** A refused (404, 409) or forwarded (202) halt or resume answers its own status with the rest as the body. */
function controlAnswer(outcome: unknown): unknown {
  if (!answersOwnStatus(outcome)) return outcome;
  const { status, ...body } = outcome;
  return new Answer(status, body);
}

function parseHalt(body: unknown) {
  const r = haltRequestSchema.safeParse(body ?? {});
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new RouteError(400, `invalid body at ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new RouteError(413, `body larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RouteError(413, `body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RouteError(400, 'body is not valid JSON');
  }
}
