import { startInspectorServer, type InspectorServer } from '../../adapters/api/inspector-server.ts';
import type { Logger } from '../../adapters/log/logger.ts';

export interface DaemonInspector {
  inspect: (event: unknown) => void;
  url: string;
  close(): Promise<void>;
}

/** The Stately inspector on loopback, next to the API port when it is fixed, otherwise any free port. */
export async function startDaemonInspector(apiPort: number, log: Logger): Promise<DaemonInspector> {
  const { createWebSocketInspector } = await import('@statelyai/inspect');
  const host = '127.0.0.1';
  const server: InspectorServer = await startInspectorServer({ host, port: apiPort === 0 ? 0 : apiPort + 1 }).catch((err: Error) => {
    log.warn({ err: err.message }, 'inspector port next to the API is taken: using any free port');
    return startInspectorServer({ host, port: 0 });
  });
  const inspector = createWebSocketInspector({
    url: server.wsUrl,
    // Secrets never reach the inspector; book deltas never become events anyway.
    sanitizeContext: (ctx: unknown) => JSON.parse(JSON.stringify(ctx ?? null, (k, v) => (/secret|token|key|password/i.test(k) ? '[REDACTED]' : v))),
    filter: (ev: { type?: string }) => ev.type !== '@xstate.microstep',
  } as never);
  log.info({ url: server.url }, `XState inspector listening on ${server.url}`);
  return {
    inspect: inspector.inspect as (event: unknown) => void,
    url: server.url,
    close: async () => {
      inspector.stop();
      await server.close();
    },
  };
}
