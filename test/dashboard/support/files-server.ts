import { PassThrough } from 'node:stream';
import { JsonHttpServer, type Route } from '../../../src/adapters/api/http-server.ts';
import { createLogger, type Logger } from '../../../src/adapters/log/logger.ts';
import { DashboardFiles, type RecentPast } from '../../../src/apps/dashboard/static-files.ts';

/**
 * The dashboard page and its modules on a loopback server with open POSTs, beside the given JSON
 * routes (not yet listening); `recent` answers /dashboard/recent.json and snapshot.json, `port` 0 picks one.
 */
export function dashboardFilesServer(opts: { mode: string; actionsRefused?: string; name: string; routes: Readonly<Record<string, Route>>; logger?: Logger; port?: number; recent?: RecentPast }): JsonHttpServer {
  return new JsonHttpServer({
    host: '127.0.0.1',
    port: opts.port ?? 0,
    token: null,
    maxBodyBytes: 1024,
    logger: opts.logger ?? createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }),
    name: opts.name,
    routes: opts.routes,
    fallback: new DashboardFiles({ mode: opts.mode, replay_controls: false, actions_refused: opts.actionsRefused ?? null, staleness_ms: { market: 15_000 } }, opts.recent ? { recent: opts.recent } : {}).answer,
  });
}
