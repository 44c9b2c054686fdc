import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadCpuMs } from '../../bench/support/thread-cpu.ts';

/** Spins the calling thread until it has run `ms` of its own CPU time. */
function spin(ms: number): void {
  const start = threadCpuMs();
  while (threadCpuMs() - start < ms);
}

describe.runIf(process.platform === 'linux')('threadCpuMs', () => {
  it("counts the calling thread's own CPU time", () => {
    const cpu0 = process.cpuUsage();
    const t0 = threadCpuMs();
    spin(200);
    const own = threadCpuMs() - t0;
    const process_ = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000;
    expect(own).toBeGreaterThanOrEqual(200);
    // Ticks are 10 ms: the thread's figure is within them of the whole process's over the same spin.
    expect(own).toBeLessThanOrEqual(process_ + 20);
  });

  it("leaves out another thread's CPU time, which the process's figure counts", async () => {
    // The worker spins 300 ms of its own CPU while this thread waits on it (the same helper, inlined: eval code).
    const worker = new Worker(
      `const { readFileSync } = require('node:fs');
       const { parentPort } = require('node:worker_threads');
       const ms = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(x[11]) + Number(x[12])) * 10; };
       const start = ms();
       while (ms() - start < 300);
       parentPort.postMessage('done');`,
      { eval: true },
    );
    const t0 = threadCpuMs();
    const cpu0 = process.cpuUsage();
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    const own = threadCpuMs() - t0;
    const cpu = process.cpuUsage(cpu0);
    await worker.terminate();
    expect((cpu.user + cpu.system) / 1000).toBeGreaterThanOrEqual(300);
    expect(own).toBeLessThan(150);
  });
});
