import type { TimerHandle } from '../../../domain/time/clock.ts';
import { simMatchRound, simRoundListedAtMs, simRoundResolvedAtMs } from '../../../sim/match-rounds.ts';
import type { Component } from '../component.ts';
import type { DaemonContext } from '../context.ts';

/**
 * Sim mode with the embedded venue: after the start's matches, a new round of matches every
 * `daemon.sim.match_round_ms` (sim/match-rounds.ts), so a daemon left running keeps esports to
 * trade. Each round is listed as live discovery's markets enter: the venue serves its markets,
 * then they enter the universe with their matches (the truth component simulates them) and their
 * MARKET_DISCOVERED goes on the bus. The venue resolves each market after its match
 * (components/venue-sim.ts); a match leaves with its last market's retirement. Every role runs it
 * (a trading shard follows the same rounds off the shared timeline).
 */
export function simMatchRoundsComponent(ctx: DaemonContext): Component {
  let timer: TimerHandle | null = null;
  /** The next round to list; the same component restarted lists none twice. */
  let next: number | null = null;
  const events = ctx.events('sim-match-rounds');
  const log = ctx.log.child({ component: 'sim-match-rounds' });
  const forget = (matchId: string) => ctx.simRoundPlans.delete(matchId);
  return {
    name: 'sim-match-rounds',
    start: async () => {
      const anchor = ctx.simMatchAnchorMs;
      if (anchor === null || ctx.config.daemon.sim.match_round_ms === 0 || ctx.config.truth_engine.simulator.matches === 0) return;
      ctx.matchLeftListeners.add(forget);
      const { config } = ctx;
      // An anchor in the past (a pinned truth_engine.simulator.anchor_ms): rounds over by now are not listed.
      if (next === null) {
        next = 1;
        while (simRoundResolvedAtMs(config, simMatchRound(config, anchor, next).plans) <= ctx.clock.now()) next++;
      }
      const listDue = (): void => {
        timer = null;
        for (;;) {
          const listAt = simRoundListedAtMs(config, anchor, next!);
          if (listAt > ctx.clock.now()) {
            timer = ctx.clock.setTimeout(listDue, listAt - ctx.clock.now());
            return;
          }
          const round = simMatchRound(config, anchor, next!);
          next = next! + 1;
          for (const plan of round.plans) ctx.simRoundPlans.set(plan.match_id, plan);
          const venue = round.markets.map((m) => m.venue);
          // The venue first, so the feed's subscribe finds the books; a venue started later serves them too.
          ctx.simVenue.push(...venue);
          ctx.simVenueLists?.(venue);
          ctx.enterUniverse({ added: round.markets.map(({ venue: _venue, ...m }) => m), matches: round.matches, layouts: [], retired: [] }, events, 'sim-match-rounds');
          log.info(
            { round: round.round, matches: round.plans.map((p) => ({ match_id: p.match_id, teams: p.teams, best_of: p.best_of, starts_at: new Date(p.start_at).toISOString() })), markets: round.markets.map((m) => m.spec.market_id) },
            'simulated venue: match round listed',
          );
        }
      };
      listDue();
    },
    stop: async () => {
      ctx.matchLeftListeners.delete(forget);
      if (timer !== null) ctx.clock.clearTimeout(timer);
      timer = null;
    },
  };
}
