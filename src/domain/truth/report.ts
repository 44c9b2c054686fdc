/**
 * What one esports data source says about one match at one moment, after its adapter has
 * translated the source's own vocabulary. Every adapter (and the replay CLI) produces exactly this.
 */
export type Tier = 'A' | 'B' | 'C';

/** Source names the adapters use; other names (e.g. an official league feed) are allowed. */
export const KNOWN_SOURCES = ['grid', 'pandascore', 'polymarket_sports', 'liquipedia'] as const;

export const REPORT_STATUSES = ['not_started', 'running', 'finished', 'canceled', 'postponed', 'invalidated'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** How a finished match ended: a normal win, a draw, or a win by the opponent's forfeit. */
export type MatchResult = 'win' | 'draw' | 'forfeit';

export interface SourceReport {
  source: string;
  tier: Tier;
  /** helios' match id (adapters map their own ids onto it). */
  match_id: string;
  /** When helios observed the report, epoch ms. */
  observed_at: number;
  /** The source's own timestamp for the state, when it gives one. */
  source_ts: number | null;
  status: ReportStatus;
  /** Team names as the source spells them (normalized against outcomes later). */
  teams: string[];
  /** The winner as the source spells it; null unless status is finished with a winner. */
  winner: string | null;
  /** Only for status finished: null when the source said finished without saying how. */
  result: MatchResult | null;
  /** Maps/games won, aligned with `teams`. */
  score: number[] | null;
  /** Map/game progress: the game being played (1-based) and the series length, when known. */
  game: GameProgress | null;
}

export interface GameProgress {
  current: number | null;
  best_of: number | null;
}

/** "2-1" → [2, 1]; anything else → undefined (callers decide whether that is an error). */
export function parseScore(text: string): number[] | undefined {
  const m = /^\s*(\d{1,3})\s*[-:]\s*(\d{1,3})\s*$/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2])];
}

/** "Bo3", "bo5", "best-of-3", "BEST_OF_5", "3" → 3; otherwise null. */
export function parseBestOf(text: string | number | null | undefined): number | null {
  if (typeof text === 'number') return Number.isInteger(text) && text > 0 ? text : null;
  if (!text) return null;
  const m = /(?:^|bo|best[\s_-]*of[\s_-]*)(\d{1,2})$/i.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
}
