import type { TruthEngineConfig } from '../../config/sections/truth.ts';
import { hash32, seededRng, type Rng } from '../../domain/util/random.ts';

/** One simulated source's behaviour during one match. */
export interface SimSourcePlan {
  source: 'grid' | 'pandascore' | 'polymarket_sports';
  /** Latency of everything the source says. */
  delay_ms: number;
  /** How often it re-affirms while the match runs (poll interval, frames, socket pings). */
  heartbeat_ms: number;
  /** Windows, in ms from the match start, in which it says nothing. */
  silent: Array<[number, number]>;
  /** Names the wrong winner at the end; corrects itself after fix_after_ms (null: never). */
  wrong_winner: { fix_after_ms: number | null } | null;
  /** How this source spells the two teams. */
  spellings: [string, string];
}

export interface SimMatchPlan {
  match_id: string;
  title: string;
  /** Polymarket outcome names. */
  teams: [string, string];
  best_of: number;
  start_at: number;
  map_ms: number;
  /** Winner (team index) of each map played. */
  map_winners: Array<0 | 1>;
  sources: SimSourcePlan[];
  /** GRID invalidates the series after the end; re-validates after restore_after_ms (null: never). */
  late_invalidation: { after_end_ms: number; restore_after_ms: number | null } | null;
  /** PandaScore's live socket drops (not 1000) at these offsets from the start, back after reconnect_ms. */
  ws_drops: Array<{ at_ms: number; reconnect_ms: number }>;
  /** PandaScore's socket closes with 1000 at the end; its REST read confirms this much later. */
  rest_confirm_ms: number;
  /** Liquipedia answers confirmations with the result once edited, updated_after_end_ms after the end. */
  liquipedia: { delay_ms: number; updated_after_end_ms: number; spellings: [string, string] };
  external_ids: Record<string, string>;
}

/** How long before a match starts its sources first say it has not started. */
export const SOURCES_SPEAK_BEFORE_START_MS = 60_000;

/** When the last map of a planned match ends. */
export function planEnd(plan: Pick<SimMatchPlan, 'start_at' | 'map_ms' | 'map_winners'>): number {
  return plan.start_at + plan.map_winners.length * plan.map_ms;
}

/** The series winner (team index): the team with more maps, which is the one that won the last. */
export function seriesWinner(maps: ReadonlyArray<0 | 1>): 0 | 1 {
  const a = maps.filter((m) => m === 0).length;
  return a > maps.length - a ? 0 : 1;
}

export type SimFault = 'disagreement' | 'late_invalidation' | 'silent_source' | 'ws_drop' | 'no_tier_a';
export const SIM_FAULTS: readonly SimFault[] = ['disagreement', 'late_invalidation', 'silent_source', 'ws_drop', 'no_tier_a'];

const TEAM_POOL: Array<{ name: string; long: string; short: string }> = [
  { name: 'FaZe', long: 'FaZe Clan', short: 'FAZE' },
  { name: 'illwill', long: 'ILLWILL', short: 'ILL' },
  { name: 'Natus Vincere', long: 'Natus Vincere', short: 'NAVI' },
  { name: 'Team Spirit', long: 'Team Spirit', short: 'Spirit' },
  { name: 'G2', long: 'G2 Esports', short: 'G2' },
  { name: 'Vitality', long: 'Team Vitality', short: 'VIT' },
  { name: 'T1', long: 'T1', short: 'T1' },
  { name: 'Gen.G', long: 'Gen.G Esports', short: 'GEN' },
];
const TITLES = ['cs2', 'lol', 'dota2', 'valorant'] as const;

function between(rng: Rng, lo: number, hi: number): number {
  return Math.round(lo + (hi - lo) * rng());
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.min(list.length - 1, Math.floor(rng() * list.length))]!;
}

/** Map winners until one team has the maps it needs. */
function playSeries(rng: Rng, bestOf: number): Array<0 | 1> {
  const need = Math.floor(bestOf / 2) + 1;
  const won = [0, 0];
  const maps: Array<0 | 1> = [];
  while (won[0]! < need && won[1]! < need) {
    const w: 0 | 1 = rng() < 0.5 ? 0 : 1;
    won[w]! += 1;
    maps.push(w);
  }
  return maps;
}

/**
 * Seeded matches for the embedded default: realistic latencies per source plus, with
 * `fault_probability`, one fault per match (disagreement, late invalidation, a silent source,
 * a dropped socket, or no Tier-A coverage). `round` > 0: a later round of matches the embedded
 * venue lists (sim/match-rounds.ts), drawn from its own stream, its ids and external ids apart
 * from every other round's; round 0 is the start's.
 */
export function generateMatchPlans(seed: number, now: number, cfg: TruthEngineConfig['simulator'], round = 0): SimMatchPlan[] {
  const rng = seededRng(round === 0 ? seed : seed ^ hash32(`match-round:${round}`));
  const tag = round === 0 ? '' : `r${round}-`;
  const plans: SimMatchPlan[] = [];
  for (let n = 0; n < cfg.matches; n++) {
    const serial = round * cfg.matches + n;
    const a = pick(rng, TEAM_POOL);
    const rest = TEAM_POOL.filter((t) => t !== a);
    const b = pick(rng, rest);
    const bestOf = pick(rng, [3, 3, 3, 1, 5]);
    const mapWinners = playSeries(rng, bestOf);
    const fault: SimFault | null = rng() < cfg.fault_probability ? pick(rng, cfg.faults) : null;
    const start = now + cfg.first_start_after_ms + n * cfg.spacing_ms;
    const duration = mapWinners.length * cfg.map_ms;
    const sources: SimSourcePlan[] = [];
    if (fault !== 'no_tier_a') {
      sources.push({ source: 'grid', delay_ms: between(rng, 200, 1500), heartbeat_ms: 5000, silent: [], wrong_winner: null, spellings: [a.long, b.long] });
    }
    sources.push({ source: 'pandascore', delay_ms: between(rng, 2000, 8000), heartbeat_ms: 10000, silent: [], wrong_winner: null, spellings: [a.long, b.long] });
    sources.push({ source: 'polymarket_sports', delay_ms: between(rng, 1000, 4000), heartbeat_ms: 5000, silent: [], wrong_winner: null, spellings: [a.short, b.short] });
    if (fault === 'disagreement') sources[sources.length - 1]!.wrong_winner = { fix_after_ms: rng() < 0.5 ? between(rng, 20000, 90000) : null };
    if (fault === 'silent_source') {
      const from = between(rng, 0, Math.max(0, duration - 120000));
      for (const s of sources) s.silent.push([from, from + between(rng, 60000, 120000)]);
    }
    plans.push({
      match_id: `sim-${seed}-${tag}${n + 1}`,
      title: pick(rng, TITLES),
      teams: [a.name, b.name],
      best_of: bestOf,
      start_at: start,
      map_ms: cfg.map_ms,
      map_winners: mapWinners,
      sources,
      late_invalidation:
        fault === 'late_invalidation'
          ? { after_end_ms: between(rng, 15000, 60000), restore_after_ms: rng() < 0.5 ? between(rng, 30000, 120000) : null }
          : null,
      ws_drops: fault === 'ws_drop' ? [{ at_ms: between(rng, 0, duration - 1), reconnect_ms: between(rng, 20000, 90000) }] : [],
      rest_confirm_ms: between(rng, 500, 3000),
      liquipedia: { delay_ms: between(rng, 2000, 5000), updated_after_end_ms: between(rng, 60000, 600000), spellings: [a.name, b.name] },
      external_ids: {
        grid: `grid-${seed}-${tag}${n + 1}`,
        pandascore: `${100000 + serial}`,
        polymarket_sports: `${900000 + serial}`,
        liquipedia: `counterstrike/Sim_${seed}_${tag.replace('-', '_')}${n + 1}`,
      },
    });
  }
  return plans;
}
