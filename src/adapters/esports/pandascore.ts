import { z } from 'zod';
import type { TruthEngineConfig } from '../../config/sections/truth.ts';
import { parseBestOf, type ReportStatus, type SourceReport, type Tier } from '../../domain/truth/report.ts';
import { resolveTeam } from '../../domain/truth/teams.ts';
import { captureTap } from '../capture/tap.ts';
import { requestJson } from '../http/request-json.ts';
import { isRecord, num, str } from './http.ts';
import { PolledSource, type PolledSourceOptions, type PolledWatch } from './polled-source.ts';
import { ReconnectingSocket, type CloseDecision } from './reconnecting-socket.ts';
import type { WatchedMatch } from './source.ts';

const STATUS: Record<string, ReportStatus> = {
  not_started: 'not_started',
  running: 'running',
  finished: 'finished',
  canceled: 'canceled',
  postponed: 'postponed',
};

const team = z.looseObject({ id: z.number(), name: z.string(), acronym: z.string().nullable().optional() });

/**
 * The fields of a PandaScore match (REST `/matches/{id}`) a report is built from, checked where
 * the answer enters: an answer without them is refused with its reason, never read as a match
 * that has not started. Other fields pass through (the real object has dozens).
 */
export const pandascoreMatchSchema = z.looseObject({
  id: z.number(),
  status: z.string(),
  winner_id: z.number().nullable().optional(),
  number_of_games: z.number().int().nullable().optional(),
  forfeit: z.boolean().nullable().optional(),
  draw: z.boolean().nullable().optional(),
  end_at: z.string().nullable().optional(),
  modified_at: z.string().nullable().optional(),
  opponents: z.array(z.looseObject({ opponent: team })),
  results: z.array(z.looseObject({ team_id: z.number(), score: z.number() })).optional(),
  games: z.array(z.looseObject({ position: z.number().nullable(), status: z.string() })).optional(),
});

/**
 * PandaScore match (REST `/matches/{id}`) → report. Final only as `status=finished` with a
 * `winner_id`, or an explicit draw; a forfeit keeps its winner but is marked as such.
 */
export function pandascoreMatchToReport(match: unknown, watched: WatchedMatch, observedAt: number, tier: Tier): SourceReport | null {
  if (!isRecord(match)) return null;
  const rawStatus = str(match.status) ?? '';
  // Own keys only: "toString" must not find Object.prototype's.
  const status = Object.hasOwn(STATUS, rawStatus) ? STATUS[rawStatus]! : 'not_started';
  const opponents = (Array.isArray(match.opponents) ? match.opponents : [])
    .map((o) => (isRecord(o) && isRecord(o.opponent) ? o.opponent : null))
    .filter((o): o is Record<string, unknown> => o !== null);
  const names = opponents.map((o) => {
    const spellings = [str(o.name), str(o.acronym)].filter((s): s is string => s !== null && s !== '');
    return resolveTeam(spellings, watched.outcomes) ?? spellings[0] ?? '';
  });
  const ids = opponents.map((o) => num(o.id));
  const results = Array.isArray(match.results) ? match.results.filter(isRecord) : [];
  const score = ids.map((id) => num(results.find((r) => num(r.team_id) === id)?.score));
  const games = Array.isArray(match.games) ? match.games.filter(isRecord) : [];
  const current = games.filter((g) => str(g.status) === 'running').map((g) => num(g.position) ?? 0)[0] ?? null;
  const base = {
    source: 'pandascore',
    tier,
    match_id: watched.match_id,
    observed_at: observedAt,
    source_ts: parseTime(match.end_at) ?? parseTime(match.modified_at),
    teams: names,
    score: score.length > 0 && score.every((s) => s !== null) ? (score as number[]) : null,
    game: { current, best_of: parseBestOf(num(match.number_of_games)) },
  };
  if (status !== 'finished') return { ...base, status, winner: null, result: null };
  const winnerIdx = ids.indexOf(num(match.winner_id));
  if (winnerIdx >= 0) return { ...base, status, winner: names[winnerIdx]!, result: match.forfeit === true ? 'forfeit' : 'win' };
  return { ...base, status, winner: null, result: match.draw === true ? 'draw' : null };
}

function parseTime(v: unknown): number | null {
  const s = str(v);
  const t = s === null ? NaN : Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/** How to react to the live socket closing (PandaScore close codes). */
export function pandascoreCloseDecision(code: number): { decision: CloseDecision; confirm: boolean } {
  // 1000: the match finished. Only a hint: the REST read decides.
  if (code === 1000) return { decision: 'stop', confirm: true };
  if (code === 4001 || code === 4003) return { decision: 'stop', confirm: false };
  if (code === 4029) return { decision: 'reconnect_slow', confirm: false };
  return { decision: 'reconnect', confirm: true };
}

export interface PandascoreSourceOptions extends PolledSourceOptions<TruthEngineConfig['sources']['pandascore']> {
  token: string;
}

interface PandascoreWatch extends PolledWatch {
  /** REST reads caused by socket closes (observable for tests and health). */
  confirmations: number;
  lastFrameRefresh: number | null;
}

/**
 * Tier B: PandaScore REST polling plus the live socket. Live frames keep the source fresh between
 * polls; a close with code 1000 only triggers a REST confirmation (never a final by itself).
 */
export class PandascoreSource extends PolledSource<PandascoreWatch, PandascoreSourceOptions> {
  override readonly name = 'pandascore';
  /** Last X-Rate-Limit-Remaining seen. */
  remaining: number | null = null;
  /** REST answers refused because they were not match objects. */
  malformedAnswers = 0;

  constructor(opts: PandascoreSourceOptions) {
    if (!opts.token) throw new Error('pandascore source needs a token (HELIOS_PANDASCORE_TOKEN)');
    super(opts);
  }

  /** REST confirmations triggered by socket closes for a match. */
  confirmationsFor(matchId: string): number {
    return this.watchOf(matchId)?.confirmations ?? 0;
  }

  protected override openWatch(match: WatchedMatch): PandascoreWatch {
    const url = `${this.opts.config.ws_url.replace(/\/$/, '')}/matches/${encodeURIComponent(match.external_id)}?token=${encodeURIComponent(this.opts.token)}`;
    const w: PandascoreWatch = {
      match,
      timer: null,
      inflight: null,
      again: false,
      last: null,
      confirmations: 0,
      lastFrameRefresh: null,
      socket: new ReconnectingSocket({
        url,
        clock: this.opts.clock,
        policy: this.opts.config,
        rng: this.opts.rng,
        logger: this.opts.logger,
        onError: this.opts.onSocketError,
        onMessage: (text) => {
          captureTap()?.frame(url, w, text);
          this.onFrame(w, text);
        },
        onClose: (code) => this.onClose(w, code),
      }),
    };
    return w;
  }

  protected override async readOnce(w: PandascoreWatch): Promise<void> {
    try {
      await this.limiter.acquire();
      const res = await requestJson(
        this.fetchFn,
        `${this.opts.config.rest_url.replace(/\/$/, '')}/matches/${encodeURIComponent(w.match.external_id)}`,
        { headers: { authorization: `Bearer ${this.opts.token}` } },
        { clock: this.opts.clock, ms: this.opts.config.timeout_ms },
      );
      const remaining = Number(res.headers.get('x-rate-limit-remaining'));
      if (res.headers.get('x-rate-limit-remaining') !== null && Number.isFinite(remaining)) this.remaining = remaining;
      if (!this.running) return;
      const parsed = pandascoreMatchSchema.safeParse(res.body);
      if (!parsed.success) {
        this.malformedAnswers++;
        const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        this.opts.logger?.warn({ match_id: w.match.match_id, reason }, 'pandascore answer refused: not a match object');
        return;
      }
      const report = pandascoreMatchToReport(parsed.data, w.match, this.opts.clock.now(), this.tier);
      if (report) this.deliver(w, report);
    } catch (err) {
      if (this.running) this.opts.logger?.warn({ err, match_id: w.match.match_id }, 'pandascore read failed');
    }
  }

  /**
   * Frame formats differ per title, so frames are read only for liveness: while the last REST
   * read says running, each frame re-affirms it; any other frame asks REST what changed.
   */
  private onFrame(w: PandascoreWatch, text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (isRecord(frame) && str(frame.type) === 'hello') return;
    if (w.last?.status === 'running') {
      this.deliver(w, { ...w.last, observed_at: this.opts.clock.now() });
    } else if (w.last?.status !== 'finished') {
      const now = this.opts.clock.now();
      if (w.lastFrameRefresh !== null && now - w.lastFrameRefresh < this.opts.config.frame_refresh_min_ms) return;
      w.lastFrameRefresh = now;
      void this.refresh(w);
    }
  }

  private onClose(w: PandascoreWatch, code: number): CloseDecision {
    const { decision, confirm } = pandascoreCloseDecision(code);
    if (code === 4001 || code === 4003) this.opts.logger?.error({ code, match_id: w.match.match_id }, 'pandascore live socket refused (token or plan)');
    if (confirm && this.running) {
      w.confirmations += 1;
      void this.refresh(w);
    }
    return decision;
  }
}
