import type { TruthMatch } from './match.ts';
import { parseBestOf } from './report.ts';

/** Slug prefixes Polymarket uses for esports titles → the titles truth_engine.implied_p knows. */
const TITLE_BY_PREFIX: Readonly<Record<string, string>> = {
  cs2: 'cs2',
  csgo: 'cs2',
  lol: 'lol',
  dota2: 'dota2',
  val: 'valorant',
  valorant: 'valorant',
};

/** Own keys only: a slug starting "constructor-" must not find Object.prototype's. */
function titleOf(prefix: string): string | null {
  return Object.hasOwn(TITLE_BY_PREFIX, prefix) ? TITLE_BY_PREFIX[prefix]! : null;
}

export interface GammaTruthMatch extends TruthMatch {
  /** Polymarket's sports-socket id for the game (Gamma `gameId`). */
  polymarket_game_id: string | null;
}

/**
 * A Gamma esports moneyline market as a truth match: outcomes are the market's team names, the
 * title comes from the slug ("cs2-faze-ill-2026-04-05"), the series length from the question
 * ("(BO3)"). Null for anything that is not a two-team moneyline.
 */
export function truthMatchFromGamma(market: Record<string, unknown>): GammaTruthMatch | null {
  if (market.sportsMarketType !== undefined && market.sportsMarketType !== 'moneyline') return null;
  let outcomes: unknown;
  try {
    outcomes = typeof market.outcomes === 'string' ? JSON.parse(market.outcomes) : market.outcomes;
  } catch {
    return null;
  }
  if (!Array.isArray(outcomes) || outcomes.length !== 2 || !outcomes.every((o) => typeof o === 'string' && o !== '')) return null;
  const lower = outcomes.map((o: string) => o.toLowerCase());
  if (lower.includes('yes') && lower.includes('no')) return null;
  const slug = typeof market.slug === 'string' ? market.slug : '';
  const question = typeof market.question === 'string' ? market.question : '';
  const bo = /\(\s*(bo\d+)\s*\)/i.exec(question);
  const gameId = market.gameId;
  const id = typeof market.conditionId === 'string' ? market.conditionId : null;
  return {
    match_id: slug !== '' ? slug : (id ?? ''),
    title: titleOf(slug.split('-', 1)[0] ?? ''),
    outcomes: outcomes as string[],
    best_of: bo ? parseBestOf(bo[1]!) : null,
    market_id: id ?? undefined,
    polymarket_game_id: typeof gameId === 'string' || typeof gameId === 'number' ? String(gameId) : null,
  };
}
