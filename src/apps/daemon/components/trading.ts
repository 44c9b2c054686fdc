import { VirtualClock } from '../../../adapters/clock/virtual-clock.ts';
import { dispatchFile, dispatchLogCadence } from '../../../adapters/storage/dispatch-log.ts';
import { nextSession } from '../../../adapters/storage/session-counter.ts';
import { hash32 } from '../../../domain/util/random.ts';
import { sessionSeqBase, TradingNode } from '../../../runtime/trading/trading-node.ts';
import { marketTopics } from '../../../runtime/trading/trading-router.ts';
import type { Component } from '../component.ts';
import type { DaemonContext, UniverseChange } from '../context.ts';
import { ownsMarket } from '../../../domain/scale-out/shard.ts';
import { persistedKillSwitch } from '../kill-switch.ts';
import { persistedPaperState, tradesOnPaper } from '../paper-state.ts';

/**
 * The trading node, fed from the bus. It runs on its own virtual clock, moved by what it consumes
 * and by ticks of the process clock (recorded like events), and journals its inputs in dispatch
 * order, so `helios replay` of that journal decides exactly what it decided.
 */
export function tradingComponent(ctx: DaemonContext): Component {
  let lives = 0;
  let ticker: unknown = null;
  let paperState: ReturnType<typeof persistedPaperState> | null = null;
  // Live mode: the node reads a discovered market's topics from now on; its actor starts when the
  // market's MARKET_DISCOVERED comes off the bus (in dispatch order, so a replay starts it alike).
  const follow = (change: UniverseChange) => {
    const mine = change.added.filter((m) => ownsMarket(ctx.shard, m.spec) && !ctx.retiredMarkets.has(m.spec.market_id));
    if (mine.length > 0) ctx.trading?.subscription.addTopics(mine.flatMap(marketTopics));
  };
  return {
    name: 'trading',
    start: async () => {
      const { config } = ctx;
      const tradingOnly = ctx.role === 'trading';
      // A new session per trading start: its client order ids differ from every earlier one's.
      const session = nextSession(ctx.opts.dataDir, ctx.log);
      ctx.session = session;
      const idsSeed = config.app.seed ^ hash32(`trading:${session}`);
      const clock = new VirtualClock(ctx.clock.now());
      const killSwitch = persistedKillSwitch(ctx);
      // Paper only: a real venue is reconciled from the venue itself (real-execution.ts).
      paperState = tradesOnPaper(ctx) && !ctx.execution ? persistedPaperState(ctx) : null;
      // A crashed session's, told of now: counted as the ones a stop carries are.
      ctx.unconfirmedFillsCarried += paperState?.untoldAtStart ?? 0;
      // Markets an earlier session retired are not live (nor started, subscribed or listed) in this one either.
      for (const id of paperState?.carried?.retired?.ids ?? []) ctx.retiredMarkets.add(id);
      const node = new TradingNode({
        config,
        clock,
        sink: paperState ? paperState.wrap(killSwitch.sink) : killSwitch.sink,
        carried: paperState?.carried,
        events: ctx.idsFrom(clock, idsSeed),
        markets: ctx.liveMarkets(),
        observe: tradingOnly ? ctx.observer : undefined,
        seqBase: sessionSeqBase(session),
        onError: (err) => ctx.reportError('trading-router', err),
        onMarketRetired: (market, topics) => {
          ctx.retireMarket(market);
          ctx.trading?.subscription.removeTopics(topics);
          ctx.log.info({ market_id: market.spec.market_id, topics }, 'trading: resolved market retired (settled, retention over): actor stopped, its topics unsubscribed; its PnL stays in the totals');
        },
        onBestPriceDecided: (ts) => ctx.observer.stages.record('best_price_to_decision', ctx.clock.now() - ts),
        adapter: ctx.execution ?? undefined,
        decisionsOut: ctx.opts.decisionsOut ? { file: ctx.opts.decisionsOut, append: lives > 0 } : undefined,
        dispatchLog: config.daemon.dispatch_log ? { file: dispatchFile(ctx.opts.dataDir, session), session, idsSeed, cadence: dispatchLogCadence(config.storage.journal) } : undefined,
      });
      lives++;
      killSwitch.attach(node.risk);
      paperState?.attach(node, () => clock.now());
      await node.start();
      // Before anything is consumed: the first input of this session is the halt still in force.
      const restored = killSwitch.restoredHalt();
      if (restored) node.emit(restored);
      // Each shard is its own consumer group: global topics (control, nowcast) reach every shard.
      const group = tradingOnly ? `trading-${ctx.shard.index}-of-${ctx.shard.count}` : 'trading';
      const subscription = ctx.bus.subscribe({ group, consumer: tradingOnly ? `trading-${ctx.shard.index}` : 'trading-0', topics: node.topics(), start: 'latest' });
      node.consume(subscription);
      // Not awaited: start must not wait on a Redis that is down. Producers in other processes are
      // ordered after this consumer's groups only from here on, so the operator sees when that is.
      if (tradingOnly) void subscription.joined().then(() => ctx.log.info({ group, topics: node.topics().length }, 'trading: consumer groups exist; events published from now on reach this shard'));
      ctx.trading = { node, subscription, group, session };
      ctx.universeListeners.add(follow);
      // Ticks let the node's time pass while the bus is quiet. While the subscription still holds a
      // backlog, its events move that time themselves: a tick would put the node ahead of inputs
      // not yet read, which it would then judge stale (at --speed 60 a 0.2 s stall is 12 s). Unless
      // the node trails the process by more than the configured real time: then its books are old.
      const tick = () => {
        const trailingMs = (ctx.clock.now() - clock.now()) / (ctx.opts.mode === 'sim' ? ctx.opts.speed : 1);
        if (subscription.caughtUp || trailingMs > config.daemon.trading_max_input_lag_ms) node.tick(ctx.clock.now());
        killSwitch.sync();
        ticker = ctx.clock.setTimeout(tick, config.daemon.trading_tick_ms);
      };
      ticker = ctx.clock.setTimeout(tick, config.daemon.trading_tick_ms);
    },
    stop: async () => {
      ctx.universeListeners.delete(follow);
      if (ticker !== null) ctx.clock.clearTimeout(ticker);
      ticker = null;
      const part = ctx.trading;
      ctx.trading = null;
      // After the shutdown canceled the paper orders: what the next start carries on from.
      ctx.unconfirmedFillsCarried += paperState?.save() ?? 0;
      paperState = null;
      await part?.node.stop();
    },
  };
}
