import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import type { ReportStatus, SourceReport } from '../../domain/truth/report.ts';
import type { ReportListener, TruthSource, WatchedMatch } from '../../adapters/esports/source.ts';
import { planEnd, seriesWinner, SOURCES_SPEAK_BEFORE_START_MS, type SimMatchPlan } from './simulator-plan.ts';

/** One thing a simulated source says, and when. On-demand entries (Liquipedia) wait for a confirmation request. */
export interface SimEntry {
  at: number;
  report: SourceReport;
  on_demand: boolean;
}

function inWindows(offset: number, windows: ReadonlyArray<readonly [number, number]>): boolean {
  return windows.some(([from, to]) => offset >= from && offset < to);
}

/** Everything the sources of one planned match say, in time order (pure: the plan fixes it all). */
export function simulateMatch(plan: SimMatchPlan): SimEntry[] {
  const entries: SimEntry[] = [];
  const end = planEnd(plan);
  const winnerIdx = seriesWinner(plan.map_winners);
  const scoreAt = (mapsDone: number): number[] => {
    const s = [0, 0];
    for (const w of plan.map_winners.slice(0, mapsDone)) s[w]! += 1;
    return s;
  };
  const say = (s: { source: string; spellings: [string, string] }, at: number, status: ReportStatus, fields: Partial<SourceReport> = {}, onDemand = false) =>
    entries.push({
      at,
      on_demand: onDemand,
      report: {
        source: s.source,
        tier: s.source === 'grid' ? 'A' : s.source === 'liquipedia' ? 'C' : 'B',
        match_id: plan.match_id,
        observed_at: at,
        source_ts: null,
        status,
        teams: [...s.spellings],
        winner: null,
        result: null,
        score: null,
        game: { current: null, best_of: plan.best_of },
        ...fields,
      },
    });
  const final = (s: { source: string; spellings: [string, string] }, at: number, idx: 0 | 1, onDemand = false) =>
    say(s, at, 'finished', { winner: s.spellings[idx], result: 'win', score: scoreAt(plan.map_winners.length) }, onDemand);

  for (const s of plan.sources) {
    say(s, plan.start_at - SOURCES_SPEAK_BEFORE_START_MS + s.delay_ms, 'not_started');
    const quiet: Array<[number, number]> = [...s.silent];
    if (s.source === 'pandascore') for (const d of plan.ws_drops) quiet.push([d.at_ms, d.at_ms + d.reconnect_ms]);
    for (let t = plan.start_at; t < end; t += s.heartbeat_ms) {
      if (inWindows(t - plan.start_at, quiet)) continue;
      const map = Math.floor((t - plan.start_at) / plan.map_ms);
      say(s, t + s.delay_ms, 'running', { score: scoreAt(map), game: { current: map + 1, best_of: plan.best_of } });
    }
    // PandaScore's socket closing with 1000 is only a hint; its REST read is the final word.
    const finalAt = end + s.delay_ms + (s.source === 'pandascore' ? plan.rest_confirm_ms : 0);
    if (s.wrong_winner) {
      final(s, finalAt, winnerIdx === 0 ? 1 : 0);
      if (s.wrong_winner.fix_after_ms !== null) final(s, finalAt + s.wrong_winner.fix_after_ms, winnerIdx);
    } else {
      final(s, finalAt, winnerIdx);
    }
    if (s.source === 'grid' && plan.late_invalidation) {
      const inv = plan.late_invalidation;
      say(s, end + inv.after_end_ms, 'invalidated');
      if (inv.restore_after_ms !== null) final(s, end + inv.after_end_ms + inv.restore_after_ms, winnerIdx);
    }
  }
  final({ source: 'liquipedia', spellings: plan.liquipedia.spellings }, end + plan.liquipedia.updated_after_end_ms, winnerIdx, true);
  return sortEntries(entries);
}

function sortEntries(entries: SimEntry[]): SimEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort((x, y) => x.e.at - y.e.at || (x.e.report.source < y.e.report.source ? -1 : x.e.report.source > y.e.report.source ? 1 : 0) || x.i - y.i)
    .map((x) => x.e);
}

/** The plans' reports as `helios truth replay` input, Liquipedia answering as soon as it is edited. */
export function simulationToNdjson(plans: readonly SimMatchPlan[]): string {
  const all = sortEntries(
    plans.flatMap((p) => simulateMatch(p).map((e) => (e.on_demand ? { ...e, at: e.at + p.liquipedia.delay_ms } : e))),
  );
  return all
    .map(({ at, report: r }) =>
      JSON.stringify({
        ts: new Date(at).toISOString(),
        source: r.source,
        match_id: r.match_id,
        status: r.status,
        winner: r.winner,
        score: r.score ? `${r.score[0]}-${r.score[1]}` : null,
        teams: r.teams,
      }),
    )
    .join('\n')
    .concat(all.length > 0 ? '\n' : '');
}

export interface SimulatedFeedOptions {
  clock: Clock;
  emit: ReportListener;
  plans: readonly SimMatchPlan[];
}

/**
 * The simulated sources as one TruthSource on the injected clock: GRID, PandaScore and
 * Polymarket's sports socket speak on their own schedule; Liquipedia answers `confirm` only.
 */
export class SimulatedFeed implements TruthSource {
  readonly name = 'simulator';
  readonly tier = 'B' as const;
  readonly staleMs = null;
  private readonly plans = new Map<string, { plan: SimMatchPlan; entries: SimEntry[] }>();
  private readonly watched = new Set<string>();
  private queue: SimEntry[] = [];
  private timer: TimerHandle | null = null;
  private readonly confirmTimers = new Set<TimerHandle>();
  private running = false;

  constructor(private readonly opts: SimulatedFeedOptions) {
    for (const plan of opts.plans) this.plans.set(plan.match_id, { plan, entries: simulateMatch(plan) });
  }

  start(): void {
    this.running = true;
    this.rebuild();
  }

  /** A match planned after this feed was built; it speaks once watched. */
  addPlan(plan: SimMatchPlan): void {
    this.plans.set(plan.match_id, { plan, entries: simulateMatch(plan) });
  }

  watch(match: WatchedMatch): void {
    if (!this.plans.has(match.match_id)) return;
    this.watched.add(match.match_id);
    if (this.running) this.rebuild();
  }

  /** The match is over for good (its last market retired): its plan goes too. */
  unwatch(matchId: string): void {
    this.watched.delete(matchId);
    this.plans.delete(matchId);
    if (this.running) this.rebuild();
  }

  /** Liquipedia looks: it reports the result once the page has been edited. */
  confirm(matchId: string): void {
    const sim = this.plans.get(matchId);
    if (!sim || !this.running || !this.watched.has(matchId)) return;
    const now = this.opts.clock.now();
    const edited = sim.entries.filter((e) => e.on_demand && e.at <= now);
    const latest = edited[edited.length - 1];
    if (!latest) return;
    const handle = this.opts.clock.setTimeout(() => {
      this.confirmTimers.delete(handle);
      if (this.running) this.opts.emit({ ...latest.report, observed_at: this.opts.clock.now() });
    }, sim.plan.liquipedia.delay_ms);
    this.confirmTimers.add(handle);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const h of this.confirmTimers) this.opts.clock.clearTimeout(h);
    this.confirmTimers.clear();
  }

  private rebuild(): void {
    const now = this.opts.clock.now();
    this.queue = sortEntries(
      [...this.watched].sort().flatMap((id) => this.plans.get(id)!.entries.filter((e) => !e.on_demand && e.at >= now)),
    );
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
    const next = this.queue[0];
    if (!next || !this.running) return;
    this.timer = this.opts.clock.setTimeout(() => this.fire(), Math.max(0, next.at - this.opts.clock.now()));
  }

  private fire(): void {
    this.timer = null;
    const now = this.opts.clock.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now && this.running) {
      const e = this.queue.shift()!;
      this.opts.emit({ ...e.report, observed_at: now });
    }
    this.arm();
  }
}

