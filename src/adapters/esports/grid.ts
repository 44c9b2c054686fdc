import type { TruthEngineConfig } from '../../config/sections/truth.ts';
import { parseBestOf, type SourceReport, type Tier } from '../../domain/truth/report.ts';
import { resolveTeam } from '../../domain/truth/teams.ts';
import { requestJson } from '../http/request-json.ts';
import { isRecord, num, str } from './http.ts';
import { PolledSource, type PolledSourceOptions, type PolledWatch } from './polled-source.ts';
import { ReconnectingSocket } from './reconnecting-socket.ts';
import type { WatchedMatch } from './source.ts';

export const SERIES_STATE_QUERY = `query SeriesState($id: ID!) {
  seriesState(id: $id) {
    id valid updatedAt format started finished
    teams { id name won score }
    games { sequenceNumber started finished }
  }
}`;

/**
 * GRID series state → report. Terminal only when `finished && valid` with exactly one team
 * `won`; `valid == false` is an invalidation (it revokes an earlier terminal state).
 */
export function gridStateToReport(state: unknown, match: WatchedMatch, observedAt: number, tier: Tier): SourceReport | null {
  if (!isRecord(state)) return null;
  const teamsRaw = Array.isArray(state.teams) ? state.teams.filter(isRecord) : [];
  const teams = teamsRaw.map((t) => pickName(str(t.name) ?? '', match.outcomes));
  const scores = teamsRaw.map((t) => num(t.score));
  const games = Array.isArray(state.games) ? state.games.filter(isRecord) : [];
  const started = games.filter((g) => g.started === true).length;
  const updated = str(state.updatedAt);
  const base = {
    source: 'grid',
    tier,
    match_id: match.match_id,
    observed_at: observedAt,
    source_ts: updated !== null && Number.isFinite(Date.parse(updated)) ? Date.parse(updated) : null,
    teams,
    score: scores.length === teams.length && scores.length > 0 && scores.every((s) => s !== null) ? (scores as number[]) : null,
    game: { current: started > 0 ? started : null, best_of: parseBestOf(str(state.format)) },
  };
  if (state.valid === false) return { ...base, status: 'invalidated', winner: null, result: null };
  if (state.started !== true) return { ...base, status: 'not_started', winner: null, result: null };
  if (state.finished !== true) return { ...base, status: 'running', winner: null, result: null };
  const winners = teamsRaw.map((t, i) => (t.won === true ? teams[i]! : null)).filter((w): w is string => w !== null);
  const terminal = state.valid === true && winners.length === 1;
  return { ...base, status: 'finished', winner: terminal ? winners[0]! : null, result: terminal ? 'win' : null };
}

/** What a series-events message asks of the adapter. */
export function gridEventSignals(message: unknown): { invalidated: boolean; refresh: boolean } {
  const envelopes = Array.isArray(message) ? message : [message];
  let invalidated = false;
  let refresh = false;
  for (const env of envelopes) {
    if (!isRecord(env) || !Array.isArray(env.events)) continue;
    for (const e of env.events) {
      const type = isRecord(e) ? str(e.type) : null;
      if (type === null) continue;
      if (type === 'grid-invalidated-series') invalidated = true;
      else refresh = true;
    }
  }
  return { invalidated, refresh };
}

function pickName(name: string, outcomes: readonly string[]): string {
  return resolveTeam([name], outcomes) ?? name;
}

export interface GridSourceOptions extends PolledSourceOptions<TruthEngineConfig['sources']['grid']> {
  apiKey: string;
}

interface GridWatch extends PolledWatch {
  /** Bumped by an invalidation event: poll answers requested before it are discarded. */
  epoch: number;
}

/** Tier A: GRID series state polled over GraphQL, refreshed early and invalidated by the series-events feed. */
export class GridSource extends PolledSource<GridWatch, GridSourceOptions> {
  override readonly name = 'grid';

  constructor(opts: GridSourceOptions) {
    if (!opts.apiKey) throw new Error('grid source needs an API key (HELIOS_GRID_API_KEY)');
    super(opts);
  }

  protected override openWatch(match: WatchedMatch): GridWatch {
    const w: GridWatch = {
      match,
      timer: null,
      inflight: null,
      again: false,
      epoch: 0,
      last: null,
      socket: new ReconnectingSocket({
        url: `${this.opts.config.series_events_url.replace(/\/$/, '')}/${encodeURIComponent(match.external_id)}`,
        headers: { 'x-api-key': this.opts.apiKey },
        clock: this.opts.clock,
        policy: this.opts.config,
        rng: this.opts.rng,
        logger: this.opts.logger,
        onError: this.opts.onSocketError,
        onMessage: (text) => this.onEvents(w, text),
      }),
    };
    return w;
  }

  protected override async readOnce(w: GridWatch): Promise<void> {
    try {
      await this.limiter.acquire();
      const epoch = w.epoch;
      const res = await requestJson(
        this.fetchFn,
        this.opts.config.series_state_url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': this.opts.apiKey },
          body: JSON.stringify({ query: SERIES_STATE_QUERY, variables: { id: w.match.external_id } }),
        },
        { clock: this.opts.clock, ms: this.opts.config.timeout_ms },
      );
      const body = res.body;
      if (isRecord(body) && Array.isArray(body.errors) && body.errors.length > 0) throw new Error(`GRID GraphQL error: ${JSON.stringify(body.errors).slice(0, 200)}`);
      const state = isRecord(body) && isRecord(body.data) ? body.data.seriesState : undefined;
      if (epoch !== w.epoch || !this.running) return;
      const report = gridStateToReport(state, w.match, this.opts.clock.now(), this.tier);
      if (report) this.deliver(w, report);
    } catch (err) {
      if (this.running) this.opts.logger?.warn({ err, match_id: w.match.match_id }, 'grid series state read failed');
    }
  }

  private onEvents(w: GridWatch, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.opts.logger?.warn({ match_id: w.match.match_id }, 'grid series event is not JSON');
      return;
    }
    const signals = gridEventSignals(message);
    if (signals.invalidated) {
      w.epoch += 1;
      this.deliver(w, {
        source: 'grid',
        tier: this.tier,
        match_id: w.match.match_id,
        observed_at: this.opts.clock.now(),
        source_ts: null,
        status: 'invalidated',
        teams: w.last?.teams ?? [],
        winner: null,
        result: null,
        score: null,
        game: null,
      });
    }
    if (signals.refresh || signals.invalidated) void this.refresh(w);
  }
}
