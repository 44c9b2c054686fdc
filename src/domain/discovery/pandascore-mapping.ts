import { resolveTeam } from '../truth/teams.ts';
import { accept, refuse, type DiscoveryResult } from './result.ts';

/** What a PandaScore match listing (`/matches/upcoming`, `/matches/running`) says about a match. */
export interface PandascoreListing {
  id: string;
  /** Each opponent's spellings (name, acronym). */
  opponents: ReadonlyArray<readonly string[]>;
  /** `begin_at` (else `scheduled_at`); null when neither is given. */
  begin_ms: number | null;
}

/**
 * The PandaScore match of a discovered moneyline: the one listing whose two opponents are the
 * moneyline's two teams and whose start is within `toleranceMs` of the moneyline's. Refused when
 * the moneyline has no start time, when no listing fits, and when more than one does (a rematch
 * the same day, a name two teams share): a wrong mapping would settle the market on another match.
 */
export function mapPandascoreMatch(
  moneyline: { teams: readonly [string, string]; game_start_ms: number | null },
  listings: readonly PandascoreListing[],
  toleranceMs: number,
): DiscoveryResult<string> {
  const start = moneyline.game_start_ms;
  const what = `${moneyline.teams[0]} vs ${moneyline.teams[1]}`;
  if (start === null) return refuse('no_pandascore_match', `${what}: the moneyline has no start time to match on`);
  const fits = listings.filter((l) => {
    if (l.opponents.length !== 2 || l.begin_ms === null || Math.abs(l.begin_ms - start) > toleranceMs) return false;
    const a = resolveTeam(l.opponents[0]!, moneyline.teams);
    const b = resolveTeam(l.opponents[1]!, moneyline.teams);
    return a !== null && b !== null && a !== b;
  });
  if (fits.length === 0) return refuse('no_pandascore_match', `${what}: no PandaScore match with both teams within ${toleranceMs} ms of the start`);
  const ids = [...new Set(fits.map((l) => l.id))].sort();
  if (ids.length > 1) return refuse('ambiguous_pandascore_match', `${what}: PandaScore matches ${ids.join(', ')} all fit`);
  return accept(ids[0]!);
}
