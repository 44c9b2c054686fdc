import { createActor, type Actor, type AnyActorRef } from 'xstate';
import type { Clock } from '../../domain/time/clock.ts';
import { groupRestsPast, type MarketGroupMachine } from '../../machines/market-group/market-group.machine.ts';
import type { MarketTradingInput } from '../../machines/market-trading/context.ts';

export interface MarketGroupsDeps {
  machine: MarketGroupMachine;
  clock: Clock;
  capacity: number;
  watchdogMs: number;
  alert(severity: 'warn' | 'critical', code: string, message: string, marketId?: string): void;
  /** A market's restarted actor is up. */
  restarted(marketId: string): void;
  /** A market's actor crashed too often: it stays down. */
  down(marketId: string): void;
}

/** The market actors, sharded under group supervisors: which group holds a market, its actor, waking its group. */
export class MarketGroups {
  private readonly groups: Array<Actor<MarketGroupMachine>> = [];
  private readonly groupOf = new Map<string, number>();

  constructor(private readonly deps: MarketGroupsDeps) {}

  get count(): number {
    return this.groups.length;
  }

  /** Starts the market in the first group with room (a new one when all are full). */
  add(input: MarketTradingInput): void {
    let g = this.groups.findIndex((a) => Object.keys(a.getSnapshot().context.inputs).length < this.deps.capacity);
    if (g < 0) g = this.newGroup();
    this.groupOf.set(input.spec.market_id, g);
    this.groups[g]!.send({ type: 'ADD_MARKET', input });
  }

  /** False when no group holds it. */
  remove(marketId: string): boolean {
    const g = this.groupOf.get(marketId);
    if (g === undefined) return false;
    this.groups[g]!.send({ type: 'REMOVE_MARKET', market_id: marketId });
    this.groupOf.delete(marketId);
    return true;
  }

  /** The live market actor (undefined while restarting or after it went down). */
  ref(marketId: string): AnyActorRef | undefined {
    const g = this.groupOf.get(marketId);
    if (g === undefined) return undefined;
    const child = this.groups[g]!.getSnapshot().children[marketId] as AnyActorRef | undefined;
    // One that just failed is no longer live, though its group has not yet taken its failure (it takes no event).
    return child?.getSnapshot().status === 'active' ? child : undefined;
  }

  /** Whether the market is held by a group and not down for good: its actor is live or restarting. */
  holds(marketId: string): boolean {
    const g = this.groupOf.get(marketId);
    return g !== undefined && !this.groups[g]!.getSnapshot().context.down.includes(marketId);
  }

  /**
   * A market is about to change (an event, its own orders): its group, if it rests past the next
   * grid point because time alone changed nothing, pulses from there again. Called first, so that
   * the pulse is scheduled before whatever the change schedules, as a pulse every period was.
   */
  wake(marketId: string): void {
    const g = this.groupOf.get(marketId);
    if (g === undefined) return;
    const group = this.groups[g]!;
    const now = this.deps.clock.now();
    if (groupRestsPast(group.getSnapshot().context, this.deps.watchdogMs, now)) group.send({ type: 'WAKE', now_ms: now });
  }

  stop(): void {
    for (const g of this.groups) g.stop();
  }

  private newGroup(): number {
    const id = this.groups.length;
    const { alert, restarted, down } = this.deps;
    const actor = createActor(this.deps.machine, { clock: this.deps.clock, input: { group_id: `group-${id}`, now_ms: this.deps.clock.now() } });
    actor.on('MARKET_RESTARTING', (e) => alert('warn', 'MARKET_RESTARTING', `${e.market_id}: restart ${e.attempt} in ${e.delay_ms} ms after: ${e.error}`, e.market_id));
    actor.on('MARKET_DOWN', (e) => {
      alert('critical', 'MARKET_DOWN', `${e.market_id}: ${e.restarts} restarts within the window, staying down: ${e.error}`, e.market_id);
      down(e.market_id);
    });
    actor.on('MARKET_RESTARTED', (e) => restarted(e.market_id));
    actor.subscribe({ error: (err) => alert('critical', 'GROUP_FAILED', `group-${id}: ${String(err)}`) });
    actor.start();
    this.groups.push(actor);
    return id;
  }
}
