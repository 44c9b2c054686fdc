/**
 * The venue simulator in its own process, for benchmarks that measure the daemon's side alone: its
 * CPU, heap and RSS stay out of the measured process. Driven over IPC by `VenueProcess`.
 */
import { performance } from 'node:perf_hooks';
import { restoreFastStringPrototype } from '../../src/apps/fast-string-prototype.ts';
import { syntheticMarketSpecs } from '../../src/sim/venue/synthetic-markets.ts';
import { VenueSimulator } from '../../src/sim/venue/venue-simulator.ts';
import type { VenueReply, VenueRequest } from './venue-process.ts';

restoreFastStringPrototype();

let venue: VenueSimulator | null = null;

function reply(message: VenueReply): void {
  process.send!(message);
}

/**
 * Order flow at `rate` frames per second for `ms`, in 1 ms slices. `sendAt[i]` is when the i-th
 * frame sent since the venue opened was handed to its socket (this process's performance clock);
 * frames sent outside the run (the initial dump, PONGs) stay NaN.
 */
function run(v: VenueSimulator, rate: number, ms: number): void {
  const base = v.stats.frames_sent;
  const sendAt = new Float64Array(base + Math.ceil((rate * ms) / 1000) + 1024).fill(NaN);
  const t0 = performance.now();
  const tick = () => {
    const now = performance.now();
    if (now - t0 >= ms) {
      const frames = v.stats.frames_sent;
      reply({ type: 'ran', frames: frames - base, seconds: (now - t0) / 1000, sendAt: sendAt.subarray(0, Math.min(frames, sendAt.length)).slice() });
      return;
    }
    const due = base + Math.floor((rate * (now - t0)) / 1000);
    for (let guard = 0; v.stats.frames_sent < due && guard < 100_000; guard++) {
      const before = v.stats.frames_sent;
      const t = performance.now();
      v.step(1);
      for (let i = before; i < v.stats.frames_sent && i < sendAt.length; i++) sendAt[i] = t;
    }
    setTimeout(tick, 1);
  };
  tick();
}

process.on('message', (m: VenueRequest) => {
  void (async () => {
    switch (m.type) {
      case 'open': {
        venue = new VenueSimulator({ seed: m.seed, markets: syntheticMarketSpecs(m.markets) });
        const { wsUrl, restUrl } = await venue.start();
        reply({ type: 'opened', wsUrl, restUrl, timeOrigin: performance.timeOrigin });
        return;
      }
      case 'run':
        run(venue!, m.rate, m.ms);
        return;
      case 'close':
        await venue?.stop();
        venue = null;
        reply({ type: 'closed' });
        return;
      case 'exit':
        process.exit(0);
    }
  })().catch((err: Error) => reply({ type: 'error', message: err.stack ?? err.message }));
});
reply({ type: 'ready' });
