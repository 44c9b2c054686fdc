/** What the pool needs from a connection (MarketConnection in production). */
export interface PoolConnection {
  readonly id: string;
  start(): void;
  stop(): void;
  assign(tokens: readonly string[]): void;
  unassign(tokens: readonly string[]): void;
  assigned(): ReadonlySet<string>;
  wire(): ReadonlySet<string>;
  isLive(): boolean;
  sync(): void;
}

export interface WireDrift {
  connection: string;
  /** Assigned but not subscribed on the socket. */
  missing: string[];
  /** Subscribed on the socket but no longer assigned. */
  extra: string[];
}

/**
 * Spreads tokens over connections, at most `maxPerConnection` each: a new token goes to the least
 * loaded connection with room (ties to the oldest), and a connection is opened only when all are
 * full. A connection left with nothing to carry is closed.
 */
export class ConnectionPool<C extends PoolConnection> {
  private readonly conns: C[] = [];
  private readonly owner = new Map<string, C>();
  private nextId = 1;
  private started = false;

  constructor(
    private readonly maxPerConnection: number,
    private readonly create: (id: string) => C,
  ) {}

  start(): void {
    this.started = true;
    for (const c of this.conns) c.start();
  }

  stop(): void {
    this.started = false;
    for (const c of this.conns) c.stop();
  }

  /** Assign tokens not carried yet; returns those newly assigned, sorted. */
  add(tokens: readonly string[]): string[] {
    const fresh = [...new Set(tokens)].filter((t) => !this.owner.has(t)).sort();
    const perConn = new Map<C, string[]>();
    const created: C[] = [];
    for (const t of fresh) {
      let target: C | undefined;
      for (const c of this.conns) {
        const load = c.assigned().size + (perConn.get(c)?.length ?? 0);
        if (load >= this.maxPerConnection) continue;
        if (!target || load < target.assigned().size + (perConn.get(target)?.length ?? 0)) target = c;
      }
      if (!target) {
        target = this.create(`market-ws-${this.nextId++}`);
        this.conns.push(target);
        created.push(target);
      }
      let list = perConn.get(target);
      if (!list) perConn.set(target, (list = []));
      list.push(t);
      this.owner.set(t, target);
    }
    for (const [c, list] of perConn) c.assign(list);
    if (this.started) for (const c of created) c.start();
    return fresh;
  }

  /** Stop carrying tokens; returns those that were carried, sorted. */
  remove(tokens: readonly string[]): string[] {
    const gone = [...new Set(tokens)].filter((t) => this.owner.has(t)).sort();
    const perConn = new Map<C, string[]>();
    for (const t of gone) {
      const c = this.owner.get(t)!;
      this.owner.delete(t);
      let list = perConn.get(c);
      if (!list) perConn.set(c, (list = []));
      list.push(t);
    }
    for (const [c, list] of perConn) {
      c.unassign(list);
      if (c.assigned().size === 0) {
        c.stop();
        this.conns.splice(this.conns.indexOf(c), 1);
      }
    }
    return gone;
  }

  assigned(): Set<string> {
    return new Set(this.owner.keys());
  }

  connectionOf(token: string): C | undefined {
    return this.owner.get(token);
  }

  connections(): readonly C[] {
    return this.conns;
  }

  /** Union of what the sockets are subscribed to. */
  wire(): Set<string> {
    const all = new Set<string>();
    for (const c of this.conns) for (const t of c.wire()) all.add(t);
    return all;
  }

  /** Live connections whose socket subscriptions differ from their assignment. */
  wireDrift(): WireDrift[] {
    const out: WireDrift[] = [];
    for (const c of this.conns) {
      if (!c.isLive()) continue;
      const assigned = c.assigned();
      const wire = c.wire();
      const missing = [...assigned].filter((t) => !wire.has(t)).sort();
      const extra = [...wire].filter((t) => !assigned.has(t)).sort();
      if (missing.length > 0 || extra.length > 0) out.push({ connection: c.id, missing, extra });
    }
    return out;
  }
}
