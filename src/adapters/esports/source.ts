import type { SourceReport, Tier } from '../../domain/truth/report.ts';

/** A match a source follows, in the source's own id space. */
export interface WatchedMatch {
  match_id: string;
  /** Polymarket outcome names, so the source can pick the spelling that matches. */
  outcomes: readonly string[];
  /** The source's id for the match (GRID series id, PandaScore match id, Polymarket gameId, "wiki/Page"). */
  external_id: string;
}

export type ReportListener = (report: SourceReport) => void;

/**
 * One esports data source. It normalizes whatever it receives into SourceReports for the matches
 * it watches; the truth engine does the rest.
 */
export interface TruthSource {
  readonly name: string;
  readonly tier: Tier;
  /** Silence threshold the truth machine applies to this source (null: never stale). */
  readonly staleMs: number | null;
  start(): void;
  watch(match: WatchedMatch): void;
  unwatch(matchId: string): void;
  /** Look at the match now (REST re-read, Liquipedia page); sources without an on-demand path omit it. */
  confirm?(matchId: string): void;
  stop(): Promise<void>;
}

/** Wall-clock-free reconnect state shared by the WebSocket sources. */
export interface ReconnectPolicy {
  reconnect_min_ms: number;
  reconnect_max_ms: number;
}
