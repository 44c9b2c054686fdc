import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Loopback {
  http: string;
  ws: string;
  /** Requests seen, in order. */
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  sockets: Array<{ url: string; socket: WebSocket; received: string[]; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

/** An HTTP and WebSocket server on 127.0.0.1, port 0: the only network the adapter tests touch. */
export async function startLoopback(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<Loopback> {
  const requests: Loopback['requests'] = [];
  const sockets: Loopback['sockets'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, body, res);
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    const entry = { url: req.url ?? '', socket, received: [] as string[], headers: req.headers };
    socket.on('message', (d: Buffer) => entry.received.push(d.toString('utf8')));
    sockets.push(entry);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    requests,
    sockets,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function json(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
