import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Secret } from '../../config/secrets.ts';
import type { Logger } from '../log/logger.ts';
import { checkBearer } from './auth.ts';
import { haltRequestSchema, type DaemonApi } from './daemon-api.ts';

export interface HttpApiOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  token: Secret | undefined;
  api: DaemonApi;
  logger: Logger;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (req: IncomingMessage, body: unknown) => Promise<unknown>;

/**
 * The daemon's HTTP API on loopback by default. GETs are open; POSTs need the bearer token and a
 * validated, size-limited JSON body. Errors are JSON `{ "error": … }` with the right status.
 */
export class HttpApiServer {
  readonly server: Server;
  private readonly routes: Record<string, { method: 'GET' | 'POST'; handler: Handler }>;

  constructor(private readonly opts: HttpApiOptions) {
    const { api } = opts;
    this.routes = {
      '/health': { method: 'GET', handler: () => api.health() },
      '/subscriptions': { method: 'GET', handler: () => api.subscriptions() },
      '/reconciler/metrics': { method: 'GET', handler: () => api.reconcilerMetrics() },
      '/reconciler/force': { method: 'POST', handler: () => api.forceReconcile() },
      '/stats': { method: 'GET', handler: () => api.stats() },
      '/markets': { method: 'GET', handler: () => api.markets() },
      '/books': { method: 'GET', handler: (req) => api.books(queryParam(req, 'token_id')) },
      '/halt': { method: 'POST', handler: (_r, body) => api.halt(parseHalt(body)) },
      '/resume': { method: 'POST', handler: (_r, body) => api.resume(parseHalt(body)) },
    };
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 5_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    const url = `http://${this.opts.host}:${port}`;
    this.opts.logger.info({ url }, `http api listening on ${url}`);
    return url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/metrics' && req.method === 'GET') {
        const { contentType, body } = await this.opts.api.metrics();
        res.writeHead(200, { 'content-type': contentType }).end(body);
        return;
      }
      const route = this.routes[path];
      if (!route) throw new HttpError(404, `no such endpoint: ${path}`);
      if (req.method !== route.method) {
        res.setHeader('allow', route.method);
        throw new HttpError(405, `${path} accepts ${route.method}`);
      }
      let body: unknown;
      if (route.method === 'POST') {
        const auth = checkBearer(req, this.opts.token);
        if (!auth.ok) throw new HttpError(auth.status, auth.message);
        body = await readJsonBody(req, this.opts.maxBodyBytes);
      }
      const result = await route.handler(req, body);
      const status = path === '/health' && (result as { ready?: boolean }).ready === false ? 503 : 200;
      sendJson(res, status, result);
    } catch (err) {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message });
        if (err.status === 413) req.destroy();
        return;
      }
      this.opts.logger.error({ err }, 'http api handler failed');
      sendJson(res, 500, { error: 'internal error' });
    }
  }
}

function parseHalt(body: unknown) {
  const r = haltRequestSchema.safeParse(body ?? {});
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new HttpError(400, `invalid body at ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

/** One query parameter of the request URL (undefined when absent). */
function queryParam(req: IncomingMessage, name: string): string | undefined {
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get(name) ?? undefined;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `body larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
