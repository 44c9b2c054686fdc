import { parentPort } from 'node:worker_threads';
import { runSweepJob, type SweepJob, type SweepWorkerMessage } from './sweep.ts';

/** One sweep worker: backtests jobs one at a time, in the order received. */
const port = parentPort;
if (!port) throw new Error('sweep-worker.thread must run in a worker thread');
const post = (m: SweepWorkerMessage) => port.postMessage(m);

port.on('message', (m: { type: 'job'; job: SweepJob } | { type: 'stop' }) => {
  if (m.type === 'stop') {
    port.close();
    return;
  }
  runSweepJob(m.job).then(
    (result) => post({ type: 'result', result }),
    (err: Error) => post({ type: 'error', index: m.job.index, message: err.stack ?? String(err) }),
  );
});
post({ type: 'ready' });
