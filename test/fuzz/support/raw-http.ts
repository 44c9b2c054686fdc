import { connect } from 'node:net';

export interface RawAnswer {
  /** null when the server closed (or reset) the connection without a status line. */
  status: number | null;
  head: string;
  body: string;
  /** The exchange ended on our safety deadline, not on the server's answer or close. */
  timedOut: boolean;
}

/**
 * Writes raw bytes to the server on a fresh loopback connection and reads one answer: done when
 * the declared body has arrived, when the server closes, or on a safety deadline (a fuzz case must
 * never hang the suite). A 101 Switching Protocols ends the exchange at once.
 */
export function rawExchange(port: number, request: string | Buffer, deadlineMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // RST instead of FIN: 100k fuzz connections would otherwise exhaust ports in TIME_WAIT.
      if (socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
      resolve({ ...parse(Buffer.concat(chunks).toString('latin1')), timedOut });
    };
    const timer = setTimeout(() => finish(true), deadlineMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // Interim answers (100 Continue) precede the real one.
      const text = Buffer.concat(chunks).toString('latin1').replace(/^(HTTP\/1\.1 1(?!01)\d\d[^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = text.slice(0, end);
      if (/^HTTP\/1\.1 101/.test(head)) return finish(false);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (length && text.length - end - 4 >= Number(length[1])) finish(false);
      if (/\r\ntransfer-encoding:\s*chunked/i.test(head) && text.endsWith('\r\n0\r\n\r\n')) finish(false);
    });
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', () => finish(false));
  });
}

function parse(raw: string): Omit<RawAnswer, 'timedOut'> {
  const text = raw.replace(/^(HTTP\/1\.1 1(?!01)\d\d[^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return { status: m ? Number(m[1]) : null, head, body: end < 0 ? '' : text.slice(end + 4) };
}

export interface RequestSpec {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: string | null;
  chunked: boolean;
}

/** A well-framed HTTP/1.1 request that asks the server to close after answering. */
export function serialize(r: RequestSpec): Buffer {
  const lines = [`${r.method} ${r.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...r.headers.map(([k, v]) => `${k}: ${v}`)];
  const body = r.body === null ? null : Buffer.from(r.body, 'utf8');
  if (body !== null) lines.push(r.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`);
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  if (body === null) return head;
  if (!r.chunked) return Buffer.concat([head, body]);
  const half = Math.floor(body.length / 2);
  const parts = [body.subarray(0, half), body.subarray(half)].filter((p) => p.length > 0);
  const framed = parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]);
  return Buffer.concat([head, ...framed, Buffer.from('0\r\n\r\n')]);
}
