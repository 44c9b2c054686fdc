import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface InspectorServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The Stately inspector UI the bridge page embeds (it runs in the browser, not here). */
  uiUrl?: string;
  /** Inspection events replayed to a browser that connects late. */
  bufferSize?: number;
}

export interface InspectorServer {
  /** The bridge page to open in a browser. */
  url: string;
  /** Where the daemon's inspector client sends inspection events. */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * The relay between the daemon's WebSocket inspector and the Stately inspector UI in a browser:
 * what `@statelyai/inspect/server` does, bound to loopback (that one listens on every interface),
 * with its port reported once listening, a failure to listen surfaced to the caller instead of
 * an uncaught 'error', and a close that lets the process exit.
 */
export async function startInspectorServer(opts: InspectorServerOptions): Promise<InspectorServer> {
  const buffer: string[] = [];
  const bufferSize = opts.bufferSize ?? 200;
  let wsPort = 0;
  const http: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(bridgePage(opts.host, wsPort, opts.uiUrl ?? 'https://stately.ai/inspect'));
  });
  const wss = new WebSocketServer({ server: http });
  // ws re-emits its HTTP server's errors: a listen failure (port taken) is rejected below, not thrown here.
  wss.on('error', () => undefined);
  wss.on('connection', (ws) => {
    for (const msg of buffer) ws.send(msg);
    ws.on('message', (data) => {
      const msg = data.toString();
      buffer.push(msg);
      if (buffer.length > bufferSize) buffer.shift();
      for (const client of wss.clients) if (client !== ws && client.readyState === WebSocket.OPEN) client.send(msg);
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  wsPort = (http.address() as AddressInfo).port;
  return {
    url: `http://${opts.host}:${wsPort}`,
    wsUrl: `ws://${opts.host}:${wsPort}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function bridgePage(host: string, port: number, uiUrl: string): string {
  return `<!DOCTYPE html>
<html><head><title>helios · Stately inspector</title>
<style>*{margin:0;padding:0}html,body{height:100%}iframe{width:100%;height:100%;border:none}</style></head>
<body><iframe id="inspector" src="${uiUrl}"></iframe>
<script>
  const iframe = document.getElementById('inspector');
  const pending = [];
  let connected = false;
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === '@statelyai.connected') {
      connected = true;
      for (const ev of pending.splice(0)) iframe.contentWindow.postMessage(ev, '*');
    }
  });
  const ws = new WebSocket('ws://${host}:${port}');
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (connected) iframe.contentWindow.postMessage(data, '*');
    else pending.push(data);
  };
</script></body></html>`;
}
