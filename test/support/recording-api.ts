import { PassThrough } from 'node:stream';
import { ChannelServer } from '../../src/adapters/api/channel-server.ts';
import type { DaemonApi, HaltRequest } from '../../src/adapters/api/daemon-api.ts';
import { HttpApiServer } from '../../src/adapters/api/http-server.ts';
import { createLogger, type Logger } from '../../src/adapters/log/logger.ts';
import { Secret } from '../../src/config/secrets.ts';

/** A daemon stand-in that records every call the API makes into it (reads included). */
export class RecordingDaemonApi implements DaemonApi {
  readonly calls: string[] = [];
  readonly halts: HaltRequest[] = [];
  readonly resumes: HaltRequest[] = [];
  forced = 0;

  /** What the mutating endpoints changed, as one comparable string. */
  mutations(): string {
    return JSON.stringify({ halts: this.halts, resumes: this.resumes, forced: this.forced });
  }

  async health() {
    this.calls.push('health');
    return { live: true, ready: true };
  }
  async metrics() {
    this.calls.push('metrics');
    return { contentType: 'text/plain; version=0.0.4', body: 'helios_up 1\n' };
  }
  async subscriptions() {
    this.calls.push('subscriptions');
    return { desired: [], actual: [] };
  }
  async reconcilerMetrics() {
    this.calls.push('reconcilerMetrics');
    return { reconciliations: 0 };
  }
  async forceReconcile() {
    this.calls.push('forceReconcile');
    this.forced++;
    return { forced: true };
  }
  async stats() {
    this.calls.push('stats');
    return { events: 0 };
  }
  async markets() {
    this.calls.push('markets');
    return [];
  }
  async books() {
    this.calls.push('books');
    return { books: [] };
  }
  async halt(r: HaltRequest) {
    this.calls.push('halt');
    this.halts.push(r);
    return { halted: r.scope };
  }
  async resume(r: HaltRequest) {
    this.calls.push('resume');
    this.resumes.push(r);
    return { resumed: r.scope };
  }
}

/** A JSON logger whose lines are kept in memory. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  return { logger: createLogger({ destination: stream, format: 'json', level }), lines };
}

export interface ApiUnderTest {
  api: RecordingDaemonApi;
  http: HttpApiServer;
  channels: ChannelServer;
  url: string;
  port: number;
  logLines: string[];
  close(): Promise<void>;
}

/** The real HTTP + WebSocket API on 127.0.0.1, port 0, over a recording daemon. */
export async function startApi(opts: { token?: string; maxBodyBytes?: number; maxFrameBytes?: number; host?: string } = {}): Promise<ApiUnderTest> {
  const api = new RecordingDaemonApi();
  const { logger, lines } = capturingLogger();
  const http = new HttpApiServer({
    host: opts.host ?? '127.0.0.1',
    port: 0,
    maxBodyBytes: opts.maxBodyBytes ?? 1024,
    token: opts.token === undefined ? undefined : new Secret(opts.token),
    api,
    logger,
  });
  const channels = new ChannelServer(http.server, {
    path: '/ws',
    maxFrameBytes: opts.maxFrameBytes ?? 1024,
    maxBufferedBytes: 64 * 1024,
    slowPolicy: 'coalesce',
    maxClients: 8,
    logger,
  });
  const url = await http.listen();
  return {
    api,
    http,
    channels,
    url,
    port: http.port,
    logLines: lines,
    async close() {
      await channels.close();
      await http.close();
    },
  };
}
