import { WebSocket, type RawData } from 'ws';
import { captureTap } from './tap.ts';

/**
 * Opens a client socket as the market feed would (`ws`, no compression) and hands every text
 * frame to the capture tap before anyone else reads it, so the capture keeps arrival order.
 */
export function openCapturedSocket(url: string): WebSocket {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return;
    captureTap()?.frame(url, ws, Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8'));
  });
  return ws;
}
