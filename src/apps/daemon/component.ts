import type { Logger } from '../../adapters/log/logger.ts';

/** A daemon component: started and stopped by its supervisor, restartable. */
export interface Component {
  name: string;
  /** Components that must have started first (e.g. the feed needs the venue simulator's URL). */
  after?: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs components as the supervisor's children: a child waits for the components it comes after,
 * (re)starts its component and holds until the supervisor aborts it. Stop order is the reverse of
 * the list (`stopAll`), so what others depend on stops last.
 */
export class ComponentSet {
  readonly list: Component[] = [];
  private readonly started = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  constructor(
    private readonly log: Logger,
    private readonly reportError: (component: string, err: unknown) => void,
    private readonly stopping: () => boolean,
  ) {}

  names(): string[] {
    return this.list.map((c) => c.name);
  }

  async run(name: string, signal: AbortSignal): Promise<void> {
    const component = this.list.find((c) => c.name === name)!;
    for (const dep of component.after ?? []) await this.startedSignal(dep).promise;
    await component.stop().catch(() => {});
    await component.start();
    if (signal.aborted || this.stopping()) {
      // Shut down while starting: the daemon's stop already ran this component's stop (on nothing).
      await component.stop().catch((err) => this.reportError(name, err));
      return;
    }
    this.startedSignal(name).resolve();
    this.log.info({ component: name }, 'component started');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  async stopAll(): Promise<void> {
    for (const c of [...this.list].reverse()) {
      await c.stop().catch((err) => this.reportError(c.name, err));
    }
  }

  private startedSignal(name: string): { promise: Promise<void>; resolve: () => void } {
    let entry = this.started.get(name);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      entry = { promise, resolve };
      this.started.set(name, entry);
    }
    return entry;
  }
}
