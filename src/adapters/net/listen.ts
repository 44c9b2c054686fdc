import type { Server } from 'node:net';

/** Listen errors that another start would meet again: the port is held by another process, or privileged. */
const UNAVAILABLE_PORT_CODES: ReadonlySet<string> = new Set(['EADDRINUSE', 'EACCES']);

/**
 * A port a server cannot have: another process listens on it (Node listens with SO_REUSEADDR, so
 * never a socket left in TIME_WAIT) or it needs privileges. Like a data directory another daemon
 * holds, restarting fails again until an operator changes the port or stops the holder, so the
 * commands exit 2 on it (a supervisor leaves a usage error down), never 3 (restarted forever).
 */
export class PortUnavailable extends Error {
  constructor(
    /** What could not listen, as the message says it ("the API", "the venue simulator"). */
    readonly server: string,
    readonly host: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(`${server} cannot listen on ${host}:${port}: ${code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : 'address already in use (another process listens there)'}`);
    this.name = 'PortUnavailable';
  }

  /** What the operator does about it. */
  get remedy(): string {
    return this.code === 'EACCES' ? 'choose a port from 1024 up (0: any free port)' : 'stop the process that holds it or choose another port (0: any free port)';
  }

  /** The error a failed listen becomes: this when the port is unavailable, else unchanged. */
  static from(err: unknown, server: string, host: string, port: number): unknown {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    return code !== undefined && UNAVAILABLE_PORT_CODES.has(code) ? new PortUnavailable(server, host, port, code) : err;
  }
}

/**
 * Listens on host:port; a listen error rejects (a PortUnavailable naming `server` when the port
 * cannot be had) rather than being emitted with no listener, which would crash the process.
 */
export async function listenOn(httpServer: Server, port: number, host: string, server: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => reject(PortUnavailable.from(err, server, host, port));
    httpServer.once('error', fail);
    httpServer.listen(port, host, () => {
      httpServer.off('error', fail);
      resolve();
    });
  });
}
