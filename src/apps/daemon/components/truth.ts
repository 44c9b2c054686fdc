import { hash32, seededRng } from '../../../domain/util/random.ts';
import { liveSources, TruthRuntime, type MatchSpec } from '../../../runtime/truth/truth-runtime.ts';
import { simulatedTruth } from '../../../sim/esports/simulated-truth.ts';
import type { Component } from '../component.ts';
import type { DaemonContext, UniverseChange } from '../context.ts';

/** Esports truth: the sources (simulated matches in sim mode, the start's and the embedded venue's later rounds) into the truth engine. */
export function truthComponent(ctx: DaemonContext): Component {
  let truth: TruthRuntime | null = null;
  /** Sim mode: the simulated sources (the start's matches), told of each later round's match before it is followed. */
  let simulated: ReturnType<typeof simulatedTruth> | null = null;
  const addMatch = (m: MatchSpec) => {
    if (simulated) {
      const later = ctx.simRoundPlans.get(m.match_id);
      if (later) simulated.addPlan(later);
      else if (!simulated.plans.some((p) => p.match_id === m.match_id)) return;
    }
    truth?.addMatch(m);
  };
  // The matches of markets entering at run time (discovered, or the embedded venue's later rounds) are confirmed as they enter.
  const follow = (change: UniverseChange) => {
    for (const m of change.matches) addMatch(m);
  };
  // A match whose last market retired: its machine, its sources' watch and its heartbeat (a
  // TRUTH_STATE every heartbeat_ms for every match ever followed) go with it.
  const leave = (matchId: string) => truth?.removeMatch(matchId);
  return {
    name: 'truth',
    start: async () => {
      const { config } = ctx;
      if (ctx.opts.mode === 'live') {
        // Real sources only (those with credentials, and Polymarket's public sports socket); matches
        // come with the markets discovery selects, never from the simulator.
        truth = new TruthRuntime({
          config: config.truth_engine,
          clock: ctx.clock,
          sink: ctx.sink,
          events: ctx.events('truth'),
          logger: ctx.log,
          sources: liveSources({
            config: config.truth_engine,
            secrets: ctx.opts.secrets,
            clock: ctx.clock,
            rng: seededRng(config.app.seed ^ hash32('truth-sources')),
            logger: ctx.log,
            // What the sources cannot reach, over HTTP or their sockets, is on /health and counted.
            fetch: ctx.sourceErrors.fetchFor('truth'),
            onSocketError: (what, err) => ctx.sourceErrors.record('truth', what, err),
          }),
        });
        for (const m of ctx.liveMatches) truth.addMatch(m);
        ctx.universeListeners.add(follow);
        ctx.matchLeftListeners.add(leave);
        truth.start();
        return;
      }
      const sim = simulatedTruth(config.app.seed, config.truth_engine, ctx.clock);
      simulated = sim;
      truth = new TruthRuntime({ config: config.truth_engine, clock: ctx.clock, sink: ctx.sink, events: ctx.events('truth'), logger: ctx.log, sources: sim.sources });
      // The matches of the universe's markets: the start's not retired yet, and the later rounds' listed so far.
      for (const m of ctx.liveMatches) addMatch(m);
      ctx.universeListeners.add(follow);
      ctx.matchLeftListeners.add(leave);
      truth.start();
      if (ctx.opts.mode === 'sim') {
        ctx.truthPlans.push({ plans: sim.plans, from: ctx.clock.now(), to: null });
        for (const listener of ctx.truthPlansListeners) listener(sim.plans);
      }
    },
    stop: async () => {
      ctx.universeListeners.delete(follow);
      ctx.matchLeftListeners.delete(leave);
      const life = ctx.truthPlans.at(-1);
      if (life && life.to === null) life.to = ctx.clock.now();
      await truth?.stop();
      truth = null;
      simulated = null;
    },
  };
}
