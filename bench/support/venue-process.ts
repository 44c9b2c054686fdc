import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

export type VenueRequest =
  | { type: 'open'; markets: number; seed: number }
  | { type: 'run'; rate: number; ms: number }
  | { type: 'close' }
  | { type: 'exit' };

export type VenueReply =
  | { type: 'ready' }
  | { type: 'opened'; wsUrl: string; restUrl: string; timeOrigin: number }
  | { type: 'ran'; frames: number; seconds: number; sendAt: Float64Array }
  | { type: 'closed' }
  | { type: 'error'; message: string };

export interface VenueRun {
  /** Frames the venue sent during the run, over every connection. */
  frames: number;
  seconds: number;
  /** Send time of the i-th frame since `open`, on THIS process's performance clock (NaN: not sent by the run). */
  sendAt: Float64Array;
}

const CHILD = fileURLToPath(new URL('./venue-process.child.ts', import.meta.url));

/**
 * A `VenueSimulator` (the daemon's sim venue: real market-channel frames, REST books) running in a
 * child process, so its CPU and memory are not the measured process's. One request at a time.
 */
export class VenueProcess {
  private constructor(private readonly child: ChildProcess) {}
  private offset = 0;

  static async start(): Promise<VenueProcess> {
    // Same loader as this process (`--import tsx`); structured clone carries the Float64Array;
    // its stdout stays out of ours (`--json` prints one object there).
    const child = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const vp = new VenueProcess(child);
    await vp.next('ready');
    return vp;
  }

  /** A fresh simulator (same seed: the same frames) with `markets` binary markets on loopback. */
  async open(markets: number, seed: number): Promise<{ wsUrl: string; restUrl: string }> {
    const r = await this.request({ type: 'open', markets, seed }, 'opened');
    // The child's performance clock starts elsewhere: shift its send times onto ours.
    this.offset = r.timeOrigin - performance.timeOrigin;
    return { wsUrl: r.wsUrl, restUrl: r.restUrl };
  }

  async run(rate: number, ms: number): Promise<VenueRun> {
    const r = await this.request({ type: 'run', rate, ms }, 'ran');
    const sendAt = r.sendAt;
    for (let i = 0; i < sendAt.length; i++) sendAt[i] = sendAt[i]! + this.offset;
    return { frames: r.frames, seconds: r.seconds, sendAt };
  }

  async close(): Promise<void> {
    await this.request({ type: 'close' }, 'closed');
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' } satisfies VenueRequest);
    await exited;
  }

  private request<T extends VenueReply['type']>(req: VenueRequest, type: T): Promise<Extract<VenueReply, { type: T }>> {
    const answer = this.next(type);
    this.child.send(req);
    return answer;
  }

  private next<T extends VenueReply['type']>(type: T): Promise<Extract<VenueReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: VenueReply) => {
        cleanup();
        if (m.type === type) resolve(m as Extract<VenueReply, { type: T }>);
        else reject(new Error(m.type === 'error' ? `venue process: ${m.message}` : `venue process answered ${m.type}, expected ${type}`));
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`venue process exited (${code})`));
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
    });
  }
}
