import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Raw = Record<string, unknown>;

/**
 * A small loopback stand-in for Gamma's `/events` and `/markets`: serves the events it holds by
 * slug or tag, and their markets by condition id. Tests edit the events in place (a market
 * resolves) and count the requests.
 */
export class GammaStandIn {
  readonly events: Raw[] = [];
  readonly requests: string[] = [];
  /** Answer every request with this status instead (Gamma down). */
  failWith: number | null = null;
  /** Answer every request 200 with this body instead (Gamma answering what is no list); undefined: answer as Gamma. */
  answerEvery: unknown = undefined;
  private server: Server | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://gamma');
      this.requests.push(url.pathname + url.search);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (this.failWith !== null) return send(this.failWith, { error: 'unavailable' });
      if (this.answerEvery !== undefined) return send(200, this.answerEvery);
      const q = url.searchParams;
      if (url.pathname === '/events') {
        const slug = q.get('slug');
        const tag = q.get('tag_slug');
        return send(200, this.events.filter((e) => (slug === null || e.slug === slug) && (tag === null || ((e.tags as Raw[] | undefined) ?? []).some((t) => t.slug === tag))));
      }
      if (url.pathname === '/markets') {
        const ids = new Set(q.getAll('condition_ids'));
        return send(200, this.events.flatMap((e) => (e.markets as Raw[]).filter((m) => ids.has(m.conditionId as string))));
      }
      send(404, { error: 'not found' });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
