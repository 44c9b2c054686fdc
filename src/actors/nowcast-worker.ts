import { Worker } from 'node:worker_threads';
import type { MetarReport } from '../domain/weather/metar-report.ts';
import type { NowcastEngine, NowcastResult, NowcastStationSpec, RecomputeRequest } from './nowcast-engine.ts';

export type WorkerInbound =
  | { type: 'report'; stationId: string; report: MetarReport }
  | { type: 'recompute'; stationId: string; req: RecomputeRequest }
  | { type: 'stop' };

export type WorkerOutbound = { type: 'ready' } | { type: 'result'; result: NowcastResult } | { type: 'fatal'; message: string };

const BOOT = new URL('./nowcast-worker.boot.mjs', import.meta.url);

/**
 * The nowcast in a `worker_threads` worker, so recomputes never hold up the market tape's event
 * loop. Messages are processed in order, so a recompute sees every report sent before it.
 */
export class NowcastWorker implements NowcastEngine {
  private readonly listeners: Array<(r: NowcastResult) => void> = [];
  private readonly errorListeners: Array<(e: Error) => void> = [];
  private stopped = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerOutbound) => {
      if (m.type === 'result') for (const l of this.listeners) l(m.result);
      else if (m.type === 'fatal') this.fail(new Error(`nowcast worker: ${m.message}`));
    });
    worker.on('error', (err) => this.fail(err));
  }

  /**
   * Starts the worker and resolves once its models are loaded. Aborting `signal` meanwhile (the
   * daemon stopping) terminates it at once and rejects: loading takes seconds, and a worker left
   * loading holds a stopped process open.
   */
  static start(specs: readonly NowcastStationSpec[], maxInputAgeMs: number, signal?: AbortSignal): Promise<NowcastWorker> {
    if (signal?.aborted) return Promise.reject(new Error('nowcast worker start abandoned: stopping'));
    const worker = new Worker(BOOT, { workerData: { specs, maxInputAgeMs } });
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerOutbound) => {
        if (m.type === 'ready') {
          cleanup();
          resolve(new NowcastWorker(worker));
        } else if (m.type === 'fatal') {
          cleanup();
          void worker.terminate();
          reject(new Error(`nowcast worker failed to start: ${m.message}`));
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`nowcast worker exited with code ${code} before it was ready`));
      };
      const onAbort = () => {
        cleanup();
        void worker.terminate();
        reject(new Error('nowcast worker start abandoned: stopping'));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private fail(err: Error): void {
    for (const l of this.errorListeners) l(err);
  }

  private send(m: WorkerInbound): void {
    if (!this.stopped) this.worker.postMessage(m);
  }

  addReport(stationId: string, report: MetarReport): void {
    this.send({ type: 'report', stationId, report });
  }

  recompute(stationId: string, req: RecomputeRequest): void {
    this.send({ type: 'recompute', stationId, req });
  }

  onResult(listener: (r: NowcastResult) => void): void {
    this.listeners.push(listener);
  }

  onError(listener: (e: Error) => void): void {
    this.errorListeners.push(listener);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.worker.terminate();
  }
}
