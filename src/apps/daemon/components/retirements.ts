import type { Subscription } from '../../../adapters/bus/event-bus.ts';
import { writeRetiredMarkets } from '../../../adapters/storage/retired-markets-file.ts';
import { channelOf, type HeliosEvent } from '../../../domain/events/catalog.ts';
import { topicOf } from '../../../domain/events/topics.ts';
import type { UniverseMarket } from '../../../domain/trading/universe.ts';
import type { Component } from '../component.ts';
import type { DaemonContext, UniverseChange } from '../context.ts';

/** The consumer group of a scale-out's feeds process on its markets' retirements. */
export const RETIREMENTS_GROUP = 'feeds-retirements';

/** Where a trading node publishes a market's retirement (its ALERT MARKET_RETIRED). */
const retirementTopic = (market: UniverseMarket) => topicOf(channelOf('ALERT'), market.spec.market_id);

/**
 * A scale-out's feeds process, which serves the dashboard and carries the books, learns from the
 * bus which markets its trading shards retired (their ALERT MARKET_RETIRED, the one record of a
 * retirement): it lists them no longer, drops their tokens from the feed, shows the alert on its
 * dashboard and records them in DATA_DIR/state/retired-markets.json, which the daemon loads at
 * start before anything subscribes. Its consumer group is durable: retirements made while it was
 * down arrive when it is back.
 *
 * Where its groups start depends on that record (`recorded`). Without one (the first start on
 * this data directory) it reads each market's control stream from the start, `replay`: the groups
 * it creates start there, and one that exists already (its data directory was lost, its group on
 * Redis was not) is moved back there, so the retirements still retained, made before this data
 * directory existed, are learned too (the shards do not announce them again). Once every group
 * has joined, holding that history for this consumer, the record is written (empty when nothing
 * was retired; not before a market's group has joined: a live process's universe starts empty),
 * so a later start (or a restart of this component) is not a first one and reads nothing again;
 * only then, not at a retirement read earlier, as a group not joined yet would otherwise be left
 * where it was. With a record, a group resumes where it was and a new one (a
 * market discovered since) starts at the newest entry, as before.
 */
export function retirementsComponent(ctx: DaemonContext, o: { recorded: boolean }): Component {
  let recorded = o.recorded;
  let subscription: Subscription | null = null;
  let consuming: Promise<void> = Promise.resolve();
  /**
   * The record says the retained history was read: written once the groups of at least one market
   * have joined (a live process starts with no market: discovery adds them later, and a record
   * written before would make a start that stopped before then pass for a later one).
   */
  const recordOnceJoined = (s: Subscription) => {
    void s.joined().then(() => {
      if (subscription !== s || recorded) return;
      writeRetiredMarkets(ctx.opts.dataDir, ctx.retiredMarkets);
      recorded = true;
    }).catch((err: unknown) => ctx.reportError('retirements', err));
  };
  const follow = (change: UniverseChange) => {
    if (change.added.length === 0 || !subscription) return;
    subscription.addTopics(change.added.map(retirementTopic));
    if (!recorded) recordOnceJoined(subscription);
  };
  const retire = (event: HeliosEvent) => {
    if (event.type !== 'ALERT' || event.payload.code !== 'MARKET_RETIRED') return;
    const market = ctx.universe.markets.find((m) => m.spec.market_id === event.market_id);
    if (!market || !ctx.retireMarket(market)) return;
    subscription?.removeTopics([retirementTopic(market)]);
    ctx.feed?.unsubscribe([market.spec.yes_token, market.spec.no_token]).catch((err) => ctx.reportError('retirements', err));
    ctx.dashboard.emit(event);
    writeRetiredMarkets(ctx.opts.dataDir, ctx.retiredMarkets);
    ctx.log.info({ market_id: market.spec.market_id }, 'retirements: a trading shard retired this market: no longer listed, its tokens unsubscribed');
  };
  return {
    name: 'retirements',
    start: async () => {
      const topics = ctx.liveMarkets().map(retirementTopic);
      const s = ctx.bus.subscribe({ group: RETIREMENTS_GROUP, consumer: 'feeds', topics, start: recorded ? 'latest' : 'replay' });
      subscription = s;
      if (!recorded && topics.length > 0) recordOnceJoined(s);
      ctx.universeListeners.add(follow);
      consuming = (async () => {
        for await (const batch of s) {
          for (const d of batch) {
            try {
              retire(d.event);
            } catch (err) {
              ctx.reportError('retirements', err);
            }
          }
          await s.ack(batch);
        }
      })().catch((err: unknown) => ctx.reportError('retirements', err));
    },
    stop: async () => {
      ctx.universeListeners.delete(follow);
      const s = subscription;
      subscription = null;
      await s?.close();
      await consuming;
    },
  };
}
