import type { Logger } from '../log/logger.ts';
import type { TruthEngineConfig } from '../../config/sections/truth.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { parseBestOf, parseScore, type ReportStatus, type SourceReport, type Tier } from '../../domain/truth/report.ts';
import { resolveTeam } from '../../domain/truth/teams.ts';
import type { Rng } from '../../domain/util/random.ts';
import { isRecord, str } from './http.ts';
import { ReconnectingSocket, type SocketErrorListener } from './reconnecting-socket.ts';
import type { ReportListener, TruthSource, WatchedMatch } from './source.ts';
import { captureTap } from '../capture/tap.ts';

/**
 * Esports scores look like "000-000|2-0|Bo3" (current map | maps | series length); other sports
 * send a plain "3-16". Returns maps won (home, away) and the series length when present.
 */
export function parseSportsScore(score: string | null): { maps: number[] | null; best_of: number | null } {
  if (score === null) return { maps: null, best_of: null };
  const parts = score.split('|').map((p) => p.trim());
  const bestOfPart = parts.find((p) => /^bo\d+$/i.test(p));
  const scored = parts.filter((p) => parseScore(p) !== undefined);
  const maps = parts.length > 1 ? scored[scored.length - 1] : scored[0];
  return { maps: maps === undefined ? null : parseScore(maps)!, best_of: parseBestOf(bestOfPart ?? null) };
}

function statusOf(msg: Record<string, unknown>): ReportStatus {
  const status = (str(msg.status) ?? '').toLowerCase();
  if (msg.ended === true) return 'finished';
  if (/cancel|abandon/.test(status)) return 'canceled';
  if (/postpone|delay|suspend/.test(status)) return 'postponed';
  if (msg.live === true || /progress|live|running|break|pause/.test(status)) return 'running';
  if (/final|finished|ended|complete/.test(status)) return 'finished';
  return 'not_started';
}

/**
 * A `sport_result` message → report. The socket carries no winner field: once `ended`, the team
 * with more maps won; an ended series without a map lead stays without a winner.
 */
export function sportResultToReport(msg: unknown, watched: WatchedMatch, observedAt: number, tier: Tier): SourceReport | null {
  if (!isRecord(msg)) return null;
  const teams = [str(msg.homeTeam) ?? '', str(msg.awayTeam) ?? ''].map((t) => resolveTeam([t], watched.outcomes) ?? t);
  const { maps, best_of } = parseSportsScore(str(msg.score));
  const period = /^(\d+)\s*\/\s*(\d+)$/.exec(str(msg.period) ?? '');
  const status = statusOf(msg);
  const finishedAt = str(msg.finished_timestamp) ?? str(msg.finishedTimestamp);
  const finishedTs = finishedAt === null ? NaN : Date.parse(finishedAt);
  let winner: string | null = null;
  if (status === 'finished' && maps !== null && maps[0] !== maps[1]) winner = maps[0]! > maps[1]! ? teams[0]! : teams[1]!;
  return {
    source: 'polymarket_sports',
    tier,
    match_id: watched.match_id,
    observed_at: observedAt,
    source_ts: Number.isFinite(finishedTs) ? finishedTs : null,
    status,
    teams,
    winner,
    result: winner !== null ? 'win' : null,
    score: maps,
    game: period ? { current: Number(period[1]), best_of: best_of ?? parseBestOf(Number(period[2])) } : best_of !== null ? { current: null, best_of } : null,
  };
}

export interface PolymarketSportsSourceOptions {
  config: TruthEngineConfig['sources']['polymarket_sports'];
  tier: Tier;
  staleMs: number | null;
  clock: Clock;
  emit: ReportListener;
  rng: Rng;
  logger?: Logger;
  /** The socket failed (see ReconnectingSocketOptions.onError). */
  onSocketError?: SocketErrorListener;
}

/**
 * Tier B: Polymarket's public sports socket (what Polymarket's own UI sees). It only speaks on
 * change, so while the connection answers its pings each match's last known state is re-affirmed;
 * after a disconnect nothing is re-affirmed until the match is heard from again.
 */
export class PolymarketSportsSource implements TruthSource {
  readonly name = 'polymarket_sports';
  readonly tier: Tier;
  readonly staleMs: number | null;
  private readonly byGameId = new Map<string, WatchedMatch>();
  private readonly last = new Map<string, SourceReport>();
  private readonly socket: ReconnectingSocket;

  constructor(private readonly opts: PolymarketSportsSourceOptions) {
    this.tier = opts.tier;
    this.staleMs = opts.staleMs;
    this.socket = new ReconnectingSocket({
      url: opts.config.ws_url,
      clock: opts.clock,
      policy: opts.config,
      rng: opts.rng,
      logger: opts.logger,
      onError: opts.onSocketError,
      onMessage: (text) => {
        captureTap()?.frame(opts.config.ws_url, this, text);
        this.onMessage(text);
      },
      onClose: () => {
        this.last.clear();
        return 'reconnect';
      },
    });
  }

  start(): void {
    this.socket.start();
  }

  watch(match: WatchedMatch): void {
    this.byGameId.set(match.external_id, match);
  }

  unwatch(matchId: string): void {
    for (const [gameId, m] of this.byGameId) if (m.match_id === matchId) this.byGameId.delete(gameId);
    this.last.delete(matchId);
  }

  async stop(): Promise<void> {
    await this.socket.stop();
  }

  private onMessage(text: string): void {
    if (text === 'ping') {
      this.socket.send('pong');
      this.reaffirm();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.opts.logger?.warn({ text: text.slice(0, 100) }, 'polymarket sports message is not JSON');
      return;
    }
    for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!isRecord(msg)) continue;
      const gameId = str(msg.gameId);
      const watched = gameId === null ? undefined : this.byGameId.get(gameId);
      if (!watched) continue;
      const report = sportResultToReport(msg, watched, this.opts.clock.now(), this.tier);
      if (!report) continue;
      this.last.set(watched.match_id, report);
      this.opts.emit(report);
    }
  }

  private reaffirm(): void {
    const now = this.opts.clock.now();
    for (const id of [...this.last.keys()].sort()) {
      const r = { ...this.last.get(id)!, observed_at: now };
      this.last.set(id, r);
      this.opts.emit(r);
    }
  }
}
