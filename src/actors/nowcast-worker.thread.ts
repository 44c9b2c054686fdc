import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { NowcastStations, resolveHistories, type NowcastStationSpec } from './nowcast-engine.ts';
import type { WorkerInbound, WorkerOutbound } from './nowcast-worker.ts';

/** The nowcast worker thread: per-station state and models, answering recompute requests in order. */
const port = parentPort;
if (!port) throw new Error('nowcast-worker.thread must run in a worker thread');
const data = workerData as { specs: NowcastStationSpec[]; maxInputAgeMs: number };
const post = (m: WorkerOutbound) => port.postMessage(m);

try {
  // Producing a simulated history takes seconds: here, off the main thread, like the fit.
  const stations = new NowcastStations(await resolveHistories(data.specs), data.maxInputAgeMs, () => performance.now());
  port.on('message', (m: WorkerInbound) => {
    try {
      if (m.type === 'report') stations.addReport(m.stationId, m.report);
      else if (m.type === 'recompute') post({ type: 'result', result: stations.recompute(m.stationId, m.req) });
      else if (m.type === 'stop') port.close();
    } catch (err) {
      const stationId = m.type === 'recompute' ? m.stationId : m.type === 'report' ? m.stationId : '';
      post({ type: 'result', result: { stationId, requestId: m.type === 'recompute' ? m.req.requestId : -1, outcome: null, computeMs: 0, error: (err as Error).message } });
    }
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'fatal', message: (err as Error).stack ?? String(err) });
}
