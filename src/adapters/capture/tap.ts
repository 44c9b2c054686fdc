/** An HTTP exchange as the one JSON client saw it: the answer's text before any parsing. */
export interface HttpExchange {
  method: string;
  url: string;
  requestBody: string | null;
  status: number;
  contentType: string | null;
  text: string;
}

/** Where the adapters hand what they received while a capture runs. */
export interface CaptureTap {
  http(exchange: HttpExchange): void;
  /** A text frame that arrived on the socket opened on `url`; `socket` tells the sockets apart. */
  frame(url: string, socket: object, text: string): void;
}

/**
 * The process's capture tap. Process-wide on purpose: a capture records what every client of the
 * process received (one JSON client, several sockets), and threading a recorder through every
 * component would touch all of them for a diagnostic that is off in normal runs. Null: no capture,
 * and the adapters pay one null check per answer or frame.
 */
let active: CaptureTap | null = null;

export function captureTap(): CaptureTap | null {
  return active;
}

/** Installs `tap` (null removes it); returns the one it replaced. */
export function setCaptureTap(tap: CaptureTap | null): CaptureTap | null {
  const prev = active;
  active = tap;
  return prev;
}
