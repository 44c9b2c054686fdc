import type { HeliosConfig } from '../../config/schema.ts';
import { generateMatchPlans, type SimMatchPlan } from '../../sim/esports/simulator-plan.ts';
import { truthFaultStarts } from '../../sim/esports/simulator-faults.ts';
import { syntheticMarketSpecs } from '../../sim/venue/synthetic-markets.ts';
import { seededRng } from '../../domain/util/random.ts';
import type { VenueFaults } from '../../sim/venue/venue-faults.ts';
import { isClobFault, VENUE_FAULT_CLASSES, type FaultClass } from '../../domain/soak/fault-classes.ts';
import { killsFit, minimumSoakMs } from '../../domain/soak/schedule.ts';

/** What the soak's plan is fitted to, besides the faults, seed and duration. */
export interface PlanInputs {
  soak: HeliosConfig['soak'];
  /** The in-play probabilities the truth engine gives a series leader (planned trading opportunities). */
  inPlay: InPlayRanges;
  /** How long a market the soaked daemon put in HALT stays there (`trading.halt.cool_down_ms`). */
  haltCoolDownMs: number;
}

export function planInputs(config: Pick<HeliosConfig, 'soak' | 'truth_engine' | 'trading'>): PlanInputs {
  return { soak: config.soak, inPlay: config.truth_engine.implied_p.in_play_by_title, haltCoolDownMs: config.trading.halt.cool_down_ms };
}

export interface ProfileInputs extends PlanInputs {
  faults: readonly FaultClass[];
  venue: { wsUrl: string; restUrl: string } | null;
  redisUrl?: string;
  /**
   * The soak's own `bus.stream_prefix` on that Redis: `--redis URL` may name a server a real
   * scale-out uses, whose processes would otherwise read the soak's simulated events (a global
   * HALT on `control:_` reaches every trading process) and the soak theirs.
   */
  streamPrefix?: string;
  /** The soak's length and seed: the daemon's own fault schedules are fitted to them. */
  durationMs: number;
  seed: number;
  /** The soak's start (epoch ms): the esports matches are timed from it, in every daemon life. */
  anchorMs: number | null;
}

type InPlayRanges = HeliosConfig['truth_engine']['implied_p']['in_play_by_title'];

/** Markets of the soaked daemon (the venue's synthetic markets, the first bound to the esports matches). */
const SOAK_MARKETS = 10;

type TruthSimulator = HeliosConfig['truth_engine']['simulator'];
type TruthFault = 'truth_stale' | 'truth_conflict';

/** The daemon-side faults (weather, truth) must begin within this share of the soak to be judged. */
const INJECTION_SHARE = 0.6;

/** Match pacings the harness tries ([first start, spacing, map length] in ms), quick to slow. */
type Pacing = readonly [number, number, number];
const pacings = (spacingAndMap: ReadonlyArray<readonly [number, number]>): Pacing[] =>
  [5000, 10000, 15000, 20000].flatMap((first) => spacingAndMap.map(([spacing, map]) => [first, spacing, map] as const));
const PACINGS: readonly Pacing[] = pacings([[20000, 15000], [15000, 12000], [10000, 10000], [7500, 7500], [5000, 5000]]);
/**
 * With the CLOB classes among the others, also matches spaced wider than their maps: the
 * opportunities and the truth faults then fall further apart, so a failed-closed daemon's restart
 * can sit between them (seed 42 fits in 3 minutes only so).
 */
const CLOB_AMONG_OTHERS_PACINGS: readonly Pacing[] = [...PACINGS, ...pacings([[12500, 10000], [10000, 7500], [15000, 10000], [12500, 7500]])];
/** More matches than markets only add truth faults nobody trades on; this bounds the search. */
const MAX_MATCHES = 2 * SOAK_MARKETS;

/**
 * Esports matches paced so that every requested truth fault begins (counted from the soak's start,
 * which the plans are anchored to) in [fromMs, toMs): after the daemon is up, early enough to be
 * judged, and the plans pass `accept`. The simulator's plans are seeded, so the harness tries
 * pacings and match counts and keeps the one whose requested faults have all begun soonest; null
 * when none can in that window.
 */
export function soakTruthSimulator(
  seed: number,
  fromMs: number,
  toMs: number,
  wanted: readonly TruthFault[],
  /** Also given when the requested faults have all begun. */
  accept: (plans: readonly SimMatchPlan[], allBegunAt: number) => boolean = () => true,
  tried: readonly Pacing[] = PACINGS,
): { cfg: TruthSimulator; allBegunAt: number } | null {
  const kinds: TruthSimulator['faults'] = [...(wanted.includes('truth_conflict') ? ['disagreement' as const] : []), ...(wanted.includes('truth_stale') ? ['silent_source' as const] : [])];
  const faults: TruthSimulator['faults'] = kinds.length ? kinds : ['disagreement'];
  let best: { cfg: TruthSimulator; allBegunAt: number } | null = null;
  // Every match faulty first; then some clean ones too (other seeded plans, and never-silent series).
  const probabilities = wanted.length ? [1, 0.5] : [0];
  for (const [fault_probability, first_start_after_ms, spacing_ms, map_ms] of probabilities.flatMap((p) => tried.map((x) => [p, ...x] as const))) {
    const base = { anchor_ms: null, first_start_after_ms, fault_probability };
    // More matches only while the next one still starts inside the window.
    for (let matches = 5; matches === 5 || (matches <= MAX_MATCHES && first_start_after_ms + (matches - 1) * spacing_ms < toMs); matches++) {
      const cfg: TruthSimulator = { ...base, matches, spacing_ms, map_ms, faults };
      const plans = generateMatchPlans(seed, 0, cfg);
      const begun = truthFaultStarts(plans).filter((f) => f.at >= fromMs && f.at < toMs);
      const firsts = wanted.map((k) => begun.find((f) => f.kind === k)?.at);
      if (firsts.some((t) => t === undefined)) continue;
      const allBegunAt = Math.max(0, ...(firsts as number[]));
      if (!accept(plans, allBegunAt)) continue;
      if (!best || allBegunAt < best.allBegunAt) best = { cfg, allBegunAt };
      if (!wanted.length) return best;
    }
  }
  return best;
}

/**
 * When a planned match offers the temporal strategy a clear edge (offsets from the soak's start):
 * a best-of-3 or longer series, never silent, one of whose teams takes the first map — from then
 * until the second map ends the truth engine gives the leader at least the title's in-play
 * minimum, and the leader's token (YES for the first team) is then worth at least `minEdge` more
 * than the venue's fair value of it in the market the match is bound to.
 */
export function plannedOpportunities(plans: readonly SimMatchPlan[], inPlay: InPlayRanges, minEdge: number): PlannedOpportunity[] {
  const venue = syntheticMarketSpecs(SOAK_MARKETS);
  const out: PlannedOpportunity[] = [];
  plans.forEach((p, n) => {
    const fair = venue[n]?.fair;
    const leader = inPlay[p.title]?.min;
    if (fair === undefined || leader === undefined) return;
    const leaderFair = p.map_winners[0] === 0 ? fair : 1 - fair;
    if (leader < leaderFair + minEdge) return;
    if (p.best_of < 3 || p.map_winners.length < 2 || p.sources.some((s) => s.silent.length > 0)) return;
    out.push({ match_id: p.match_id, from: p.start_at + p.map_ms, to: p.start_at + 2 * p.map_ms });
  });
  return out;
}

/**
 * Among the other classes, the orders the CLOB classes wait on may come later than the
 * daemon-side faults' injection share: each needs only a checkpoint after it (the kills, which
 * come after them, must still fit before the last interval).
 */
const CLOB_ORDER_SHARE = 0.75;

/** Planned trading opportunities a soak with CLOB fault classes needs (one gave a 2-minute soak a single order). */
const CLOB_PLANNED_OPPORTUNITIES = 3;

/** A planned trading opportunity: a match's market offers a clear edge from `from` to `to` (offsets from the soak's start). */
export interface PlannedOpportunity {
  match_id: string;
  from: number;
  to: number;
}

/** What the soak fits to its seed and duration: the esports matches, and how early a kill may come. */
export interface SoakPlan {
  truthSimulator: TruthSimulator;
  /** Offset from the soak's start before which no kill falls (see `ScheduleOptions.kills_not_before_ms`). */
  killsNotBeforeMs: number;
  /** With paper_fill_failed or a CLOB class: the planned trading opportunities inside the injection window. */
  opportunities: PlannedOpportunity[];
  /**
   * With clob_heartbeat_stop: the heartbeats are refused from the start of a later opportunity
   * than the first (its order is the one likely then; the earlier ones serve the other classes).
   * Null (no such opportunity): the schedule's default.
   */
  heartbeatAtMs: number | null;
}

/**
 * Whether the CLOB classes share the soak with the venue's forced faults: those put every market in
 * HALT during the first interval, and a halted market trades again only after the cool-down, so
 * orders (which every order-dependent CLOB class waits on) come no earlier. With the other
 * classes on too, a kill restarts a daemon whose books resync (HALT again) and a truth fault halts
 * its own match's market: the kills come after the opportunities, which lie on matches whose truth
 * faults (if any) begin only after the opportunity has ended.
 */
function clobAmongOthers(faults: readonly FaultClass[]): boolean {
  return faults.some(isClobFault) && faults.some((c) => (VENUE_FAULT_CLASSES as readonly string[]).includes(c));
}

/** The first moment a planned opportunity may begin (offset from the soak's start); see `clobAmongOthers`. */
export function tradingFromMs(p: PlanInputs, faults: readonly FaultClass[]): number {
  return p.soak.checkpoint_every_ms + (clobAmongOthers(faults) ? p.haltCoolDownMs : 0);
}

/**
 * The esports plan and the earliest kill for a soak of `durationMs`: every requested truth fault
 * begins after `soak.daemon_start_allowance_ms` and within the injection share of the duration;
 * with paper_fill_failed or a CLOB class (which need orders and fills), a match offers a clear edge after the
 * first checkpoint (the forced venue faults are over) and within that share; and the kills come
 * after the last truth fault has begun and been scraped (a daemon killed before it counts
 * nothing) and after the planned opportunities (a daemon restarted just before one had to trade it
 * within seconds of coming up: seed 11 once placed no order when a random disconnect then halted
 * the market through the window). With the CLOB classes among venue faults (`clobAmongOthers`) the opportunities also
 * wait out the cool-down of the forced faults' HALT (and may end later, within
 * `CLOB_ORDER_SHARE`), lie on matches no truth fault touches before they end, one of them after
 * the first has ended hosts the refused heartbeats (see `heartbeatOpportunity`). Null when this
 * duration cannot fit them all.
 */
export function soakPlan(p: PlanInputs, faults: readonly FaultClass[], seed: number, durationMs: number): SoakPlan | null {
  const { soak, inPlay } = p;
  const wanted = wantedTruthFaults(faults);
  const window = durationMs * INJECTION_SHARE;
  const among = clobAmongOthers(faults);
  const from = tradingFromMs(p, faults);
  const ordersUntil = durationMs * (among ? CLOB_ORDER_SHARE : INJECTION_SHARE);
  const opportunitiesIn = (plans: readonly SimMatchPlan[]) => {
    const truthFaults = among ? truthFaultStarts(plans) : [];
    const touched = (o: PlannedOpportunity) => truthFaults.some((f) => f.match_id === o.match_id && f.at < o.to);
    return plannedOpportunities(plans, inPlay, soak.min_planned_edge).filter((o) => o.from >= from && o.to <= ordersUntil && !touched(o));
  };
  // Paper failures and the CLOB's misbehaviours happen to orders: the matches must offer some, and
  // the CLOB's several classes (each waiting on an order, a fill or a resting order) more than one.
  const tradesNeeded = faults.some(isClobFault) ? CLOB_PLANNED_OPPORTUNITIES : faults.includes('paper_fill_failed') ? 1 : 0;
  const truthFloor = (truthBegunAt: number) => (wanted.length ? truthBegunAt + 2 * soak.scrape_interval_ms : 0);
  const killsFloor = (plans: readonly SimMatchPlan[], truthBegunAt: number) =>
    tradesNeeded > 0 ? Math.max(truthFloor(truthBegunAt), ...opportunitiesIn(plans).map((o) => o.to)) : truthFloor(truthBegunAt);
  const fitsKills = (killsNotBeforeMs: number) =>
    killsFit({ duration_ms: durationMs, seed, faults, checkpoint_every_ms: soak.checkpoint_every_ms, kill_every_ms: soak.kill_every_ms, kills_not_before_ms: killsNotBeforeMs });
  // The heartbeats are refused on the order of a later opportunity than the first (the earlier
  // ones serve the other classes): the latest whose restart gap — failing closed during it, the
  // next life up within the start allowance — leaves every requested truth fault a moment to
  // begin in front of a live daemon.
  const heartbeatOpportunity = (plans: readonly SimMatchPlan[]) => {
    const found = opportunitiesIn(plans);
    const firstEnd = Math.min(...found.map((o) => o.to));
    const starts = truthFaultStarts(plans).filter((f) => f.at >= soak.daemon_start_allowance_ms && f.at < window);
    const outside = (h: PlannedOpportunity) => (f: { at: number }) => f.at < h.from - 2 * soak.scrape_interval_ms || f.at >= h.to + soak.daemon_start_allowance_ms;
    const fits = found.filter((h) => h.from >= firstEnd && wanted.every((k) => starts.some((f) => f.kind === k && outside(h)(f))));
    return fits.length ? fits.reduce((a, b) => (b.from > a.from ? b : a)) : null;
  };
  const accept = (plans: readonly SimMatchPlan[], truthBegunAt: number) => {
    if (opportunitiesIn(plans).length < tradesNeeded) return false;
    if (among && faults.includes('clob_heartbeat_stop') && heartbeatOpportunity(plans) === null) return false;
    return fitsKills(killsFloor(plans, truthBegunAt));
  };
  const truth = soakTruthSimulator(seed, soak.daemon_start_allowance_ms, window, wanted, accept, among ? CLOB_AMONG_OTHERS_PACINGS : PACINGS);
  if (!truth) return null;
  const plans = generateMatchPlans(seed, 0, truth.cfg);
  const killsNotBeforeMs = killsFloor(plans, truth.allBegunAt);
  if (!fitsKills(killsNotBeforeMs)) return null;
  const opportunities = tradesNeeded > 0 ? opportunitiesIn(plans) : [];
  // Alone, the CLOB classes are refused heartbeats on a later opportunity as well: the daemon beats
  // only while it has an order open, and by the schedule's default (half the soak) the matches'
  // orders are over in most runs, so nothing was refused.
  const heartbeatAtMs = faults.includes('clob_heartbeat_stop') && opportunities.length > 0 ? (heartbeatOpportunity(plans)?.from ?? null) : null;
  return { truthSimulator: truth.cfg, killsNotBeforeMs, opportunities, heartbeatAtMs };
}

/**
 * A paper seed whose first fill FAILS: every daemon life's paper venue then fails its first fill
 * (and later ones at the configured probability), so one fill is enough to inject the class.
 */
export function paperSeedFailingFirst(probability: number): number {
  for (let seed = 1; seed < 1_000_000; seed++) if (seededRng(seed)() < probability) return seed;
  throw new Error(`no paper seed fails a first fill with probability ${probability}`);
}

function wantedTruthFaults(faults: readonly FaultClass[]): TruthFault[] {
  return (['truth_stale', 'truth_conflict'] as const).filter((c) => faults.includes(c));
}

/**
 * Two METAR/PWS outages begin within the injection window whatever the seed's phase (the phase is
 * on the wall clock): a kill's gap between two daemon lives can swallow one, never both (seed 42
 * once lost its only one to the 4 s between a SIGKILL and the next life).
 */
function soakWeatherOutages(soak: HeliosConfig['soak'], durationMs: number): { outage_every_ms: number; outage_ms: number } {
  const every = Math.max(2000, Math.min(soak.weather_outage_every_ms, Math.floor((durationMs * INJECTION_SHARE) / 2)));
  return { outage_every_ms: every, outage_ms: Math.max(1000, Math.min(soak.weather_outage_ms, Math.floor(every / 2))) };
}

/** The requested classes that a soak of `durationMs` cannot schedule on their own (each names a reason to refuse). */
export function unschedulableClasses(p: PlanInputs, faults: readonly FaultClass[], seed: number, durationMs: number): FaultClass[] {
  return faults.filter((c) => soakPlan(p, [c], seed, durationMs) === null || minimumSoakMs([c], p.soak) > durationMs);
}

/** Beyond this the plan search gives up: a seed that needs a longer soak than this gets refused. */
const MAX_PLANNED_MS = 30 * 60_000;

/**
 * The shortest soak (ms) that can inject every requested class and judge the recovery: the
 * harness's own minimum, and long enough for the seeded esports matches to show each truth fault
 * to a live daemon before any kill.
 */
export function minimumSoakDurationMs(p: PlanInputs, faults: readonly FaultClass[], seed: number): number {
  let ms = minimumSoakMs(faults, p.soak);
  while (soakPlan(p, faults, seed, ms) === null) {
    ms += 15_000;
    if (ms > MAX_PLANNED_MS) return Infinity;
  }
  return ms;
}

/**
 * The configuration layered over the defaults for the soaked daemon: the venue is the harness's
 * (so it outlives a killed daemon and its true books stay the referee's), esports matches come
 * thick and fast, the weather feed has outages, paper fills fail — each only when its fault class
 * is on — and the channel API buffers enough for the harness's tap never to be coalesced.
 */
export function soakDaemonOverlay(p: ProfileInputs): Record<string, unknown> {
  const on = (c: FaultClass) => p.faults.includes(c);
  // Only reached for a soak long enough (the command refuses shorter ones); the fault-free
  // pacing otherwise.
  const plan = soakPlan(p, p.faults, p.seed, p.durationMs);
  const truthSimulator = plan?.truthSimulator ?? soakTruthSimulator(p.seed, 0, Infinity, [])!.cfg;
  return {
    daemon: { sim: { venue: 'external', markets: 10 } },
    market_tape: {
      ...(p.venue ? { ws_url: p.venue.wsUrl, rest_url: p.venue.restUrl } : {}),
      // A frozen connection (PINGs answered, no data) is abandoned within seconds, not the
      // production 20 s + 60 s, so a checkpoint can wait for it.
      stale_after_ms: 5000,
      idle_timeout_ms: 10000,
      rest_backoff_initial_ms: 100,
      rest_backoff_max_ms: 2000,
      backoff_initial_ms: 250,
      backoff_max_ms: 4000,
    },
    api: { ws_max_buffered_bytes: 256 * 1024 * 1024 },
    execution: { paper: on('paper_fill_failed') ? { fail_probability: p.soak.paper_fail_probability, seed: paperSeedFailingFirst(p.soak.paper_fail_probability) } : { fail_probability: 0 } },
    truth_engine: { simulator: { ...truthSimulator, anchor_ms: p.anchorMs } },
    weather: {
      simulator: on('weather_stale') ? soakWeatherOutages(p.soak, p.durationMs) : { outage_every_ms: 0 },
    },
    ...(p.redisUrl ? { bus: { kind: 'redis', redis_url: p.redisUrl, ...(p.streamPrefix ? { stream_prefix: p.streamPrefix } : {}) } } : {}),
  };
}

/**
 * With the CLOB classes among the others, the random venue faults that make the daemon resync
 * books — connection faults, and frame faults (a reordered frame held back until a checkpoint
 * flushes it) — come at this share of their rate: each puts the markets of a connection in HALT
 * for `trading.halt.cool_down_ms`, and at the full rate seed-10 soaks lost two of their three
 * planned opportunities to them and never refused a heartbeat. Each class is still forced once.
 */
const CLOB_AMONG_OTHERS_RANDOM_SHARE = 0.1;

/** The venue simulator's fault switches for the chosen classes. */
export function soakVenueFaults(soak: HeliosConfig['soak'], faults: readonly FaultClass[]): Partial<VenueFaults> {
  const v = soak.venue;
  const on = (c: FaultClass, p: number) => (faults.includes(c) ? p : 0);
  const thin = clobAmongOthers(faults) ? CLOB_AMONG_OTHERS_RANDOM_SHARE : 1;
  return {
    disconnect: on('ws_disconnect', v.disconnect * thin),
    terminate_share: v.terminate_share,
    policy_close_batch: faults.includes('ws_policy_close') ? v.policy_close_batch : null,
    drop: on('frame_drop', v.drop * thin),
    duplicate: on('frame_duplicate', v.duplicate * thin),
    reorder: on('frame_reorder', v.reorder * thin),
    malformed: on('frame_malformed', v.malformed * thin),
    freeze: on('ws_freeze', v.freeze * thin),
    tick_size_change: on('tick_size_change', v.tick_size_change * thin),
    crossed_update: on('crossed_update', v.crossed_update * thin),
    rest_429: on('rest_429', v.rest_429),
    rest_5xx: on('rest_5xx', v.rest_5xx),
  };
}
