import type { Logger } from '../../adapters/log/logger.ts';
import type { TruthEngineConfig } from '../../config/sections/truth.ts';
import type { Secrets } from '../../config/secrets.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { TruthMatch } from '../../domain/truth/match.ts';
import type { SourceReport } from '../../domain/truth/report.ts';
import { staleMsOf, tierOf } from '../../domain/truth/rules.ts';
import type { Rng } from '../../domain/util/random.ts';
import { TruthEngine } from './truth-engine.ts';
import { GridSource } from '../../adapters/esports/grid.ts';
import type { FetchLike } from '../../adapters/http/request-json.ts';
import { LiquipediaSource } from '../../adapters/esports/liquipedia.ts';
import { PandascoreSource } from '../../adapters/esports/pandascore.ts';
import { PolymarketSportsSource } from '../../adapters/esports/polymarket-sports.ts';
import type { ReportListener, TruthSource } from '../../adapters/esports/source.ts';
import type { SocketErrorListener } from '../../adapters/esports/reconnecting-socket.ts';

/** A match to follow, with each source's own id for it (sources without an id skip the match). */
export interface MatchSpec extends TruthMatch {
  source_ids: Readonly<Record<string, string>>;
}

export interface TruthRuntimeOptions {
  config: TruthEngineConfig;
  clock: Clock;
  sink: EventSink;
  events: EventFactory;
  logger?: Logger;
  /** Builds the sources; `emit` feeds the engine. */
  sources: (emit: ReportListener) => TruthSource[];
}

/** The truth engine with its sources: reports flow in, TRUTH_STATE flows out, confirmations fan out. */
export class TruthRuntime {
  readonly engine: TruthEngine;
  readonly sources: readonly TruthSource[];
  /** Reports taken in, and refused (unknown match, unattributable team names). */
  readonly stats = { accepted: 0, refused: 0 };

  constructor(opts: TruthRuntimeOptions) {
    this.engine = new TruthEngine({
      rules: opts.config,
      team_aliases: opts.config.team_aliases,
      clock: opts.clock,
      sink: opts.sink,
      events: opts.events,
      logger: opts.logger,
      heartbeatMs: opts.config.heartbeat_ms,
      onConfirmationNeeded: (req) => {
        for (const s of this.sources) s.confirm?.(req.match_id);
      },
    });
    this.sources = opts.sources((report: SourceReport) => {
      if (this.engine.ingest(report).ok) this.stats.accepted++;
      else this.stats.refused++;
    });
  }

  addMatch(spec: MatchSpec): void {
    const { source_ids, ...match } = spec;
    this.engine.addMatch(match);
    for (const s of this.sources) {
      const external = source_ids[s.name] ?? (s.name === 'simulator' ? spec.match_id : undefined);
      if (external !== undefined) s.watch({ match_id: spec.match_id, outcomes: spec.outcomes, external_id: external });
    }
  }

  removeMatch(matchId: string): void {
    for (const s of this.sources) s.unwatch(matchId);
    this.engine.removeMatch(matchId);
  }

  start(): void {
    for (const s of this.sources) s.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.stop()));
    this.engine.stop();
  }
}

export interface LiveSourceDeps {
  config: TruthEngineConfig;
  secrets: Secrets;
  clock: Clock;
  rng: Rng;
  logger?: Logger;
  fetch?: FetchLike;
  /** An esports socket failed: reported like a source's HTTP request that got no answer. */
  onSocketError?: SocketErrorListener;
}

/**
 * The real sources whose credentials are present: GRID (HELIOS_GRID_API_KEY), PandaScore
 * (HELIOS_PANDASCORE_TOKEN), Polymarket's sports socket (public), Liquipedia (when a contact is configured).
 */
export function liveSources(deps: LiveSourceDeps): (emit: ReportListener) => TruthSource[] {
  const { config, secrets, clock, rng, logger, onSocketError } = deps;
  const common = (name: string) => ({ tier: tierOf(name, config), staleMs: staleMsOf(name, config), clock, rng, logger, onSocketError });
  return (emit) => {
    const out: TruthSource[] = [];
    const gridKey = secrets.grid_api_key?.reveal();
    if (gridKey) out.push(new GridSource({ ...common('grid'), config: config.sources.grid, apiKey: gridKey, emit, fetch: deps.fetch }));
    const psToken = secrets.pandascore_token?.reveal();
    if (psToken) out.push(new PandascoreSource({ ...common('pandascore'), config: config.sources.pandascore, token: psToken, emit, fetch: deps.fetch }));
    out.push(new PolymarketSportsSource({ ...common('polymarket_sports'), config: config.sources.polymarket_sports, emit }));
    if (config.sources.liquipedia.contact.trim() !== '') {
      out.push(new LiquipediaSource({ tier: tierOf('liquipedia', config), clock, logger, config: config.sources.liquipedia, emit, fetch: deps.fetch }));
    }
    return out;
  };
}
