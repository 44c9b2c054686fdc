import { isYesNo, type EventInfo, type MarketInfo, type MarketOutcome } from './gamma-market.ts';
import { tokenSharedAcrossMarkets } from './event-tokens.ts';
import { accept, refuse, type DiscoveryResult } from './result.ts';

/** One market of a match: the moneyline, a map winner, a handicap, a total… */
export interface EsportsMarket {
  /** Gamma `sportsMarketType` ("moneyline", "map_handicap", …); null when not given. */
  kind: string | null;
  title: string | null;
  line: number | null;
  outcomes: MarketOutcome[];
  /** Every outcome is one of the two teams (moneyline, map winners); false for Yes/No or Over/Under. */
  team_outcomes: boolean;
  market: MarketInfo;
}

/** A match event: its teams, start time and markets, the moneyline first. */
export interface EsportsEvent {
  event_id: string | null;
  slug: string;
  title: string | null;
  /** Slug prefix naming the title ("cs2", "lol", "dota2", "val"). */
  game: string;
  /** In the moneyline's outcome order. */
  teams: [string, string];
  game_start_ms: number | null;
  game_id: string | null;
  moneyline: EsportsMarket;
  markets: EsportsMarket[];
}

/**
 * Map a Gamma match event. The moneyline (sportsMarketType "moneyline", or titled "Match Winner")
 * must exist once, with exactly two distinct team names as outcomes; markets that cannot be mapped,
 * or that name another market's token, are refused with the event (a half-known match is not traded).
 */
export function parseEsportsEvent(event: EventInfo): DiscoveryResult<EsportsEvent> {
  const slug = event.slug ?? '';
  const game = /^([a-z0-9]+)-/.exec(slug)?.[1];
  if (game === undefined) return refuse('not_esports_event', `slug ${JSON.stringify(slug)} has no game prefix`);
  if (event.rejected_markets.length > 0) {
    const r = event.rejected_markets[0]!;
    return refuse(r.error.code, `market #${r.index}: ${r.error.message}`);
  }
  const moneylines = event.markets.filter(
    (m) => m.sports_market_type === 'moneyline' || (m.sports_market_type === null && m.group_item_title === 'Match Winner'),
  );
  if (moneylines.length !== 1) return refuse('no_moneyline', `${slug}: ${moneylines.length} moneyline markets`);
  const ml = moneylines[0]!;
  const names = ml.outcomes.map((o) => o.name.trim());
  if (names.length !== 2 || names[0] === '' || names[1] === '' || names[0] === names[1] || isYesNo(ml)) {
    return refuse('not_esports_event', `${slug}: moneyline outcomes ${JSON.stringify(names)} are not two team names`);
  }
  const shared = tokenSharedAcrossMarkets(slug, event.markets);
  if (shared !== null) return shared;
  const teams: [string, string] = [names[0]!, names[1]!];
  const teamSet = new Set(teams);
  const toEsports = (m: MarketInfo): EsportsMarket => ({
    kind: m.sports_market_type,
    title: m.group_item_title ?? m.question,
    line: m.line,
    outcomes: m.outcomes,
    team_outcomes: m.outcomes.length > 0 && m.outcomes.every((o) => teamSet.has(o.name.trim())),
    market: m,
  });
  const moneyline = toEsports(ml);
  return accept({
    event_id: event.gamma_id,
    slug,
    title: event.title,
    game,
    teams,
    game_start_ms: ml.game_start_ms ?? event.start_ms,
    game_id: ml.game_id,
    moneyline,
    markets: [moneyline, ...event.markets.filter((m) => m !== ml).map(toEsports)],
  });
}
