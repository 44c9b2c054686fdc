import type { Logger } from '../log/logger.ts';
import type { TruthEngineConfig } from '../../config/sections/truth.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { SourceReport, Tier } from '../../domain/truth/report.ts';
import { resolveTeam } from '../../domain/truth/teams.ts';
import { requestJson, type FetchLike } from '../http/request-json.ts';
import { isRecord, str } from './http.ts';
import { parseWikiMatches, type WikiMatch } from './liquipedia-wikitext.ts';
import { RateLimiter } from '../http/rate-limiter.ts';
import type { ReportListener, TruthSource, WatchedMatch } from './source.ts';

/** The page's entry for this match: both opponents map onto the match's two outcomes. */
export function findWikiMatch(matches: readonly WikiMatch[], outcomes: readonly string[]): { match: WikiMatch; order: [string, string] } | null {
  const hits: Array<{ match: WikiMatch; order: [string, string] }> = [];
  for (const m of matches) {
    const a = resolveTeam([m.teams[0]], outcomes);
    const b = resolveTeam([m.teams[1]], outcomes);
    if (a !== null && b !== null && a !== b) hits.push({ match: m, order: [a, b] });
  }
  const decided = hits.filter((h) => h.match.winner !== null);
  const pool = decided.length > 0 ? decided : hits;
  const results = new Set(pool.map((h) => (h.match.winner === 0 ? 'draw' : h.order[(h.match.winner ?? 1) - 1])));
  // The same pairing twice on a page with different results: we cannot tell which one is ours.
  return pool.length > 0 && results.size === 1 ? pool[pool.length - 1]! : null;
}

export interface LiquipediaSourceOptions {
  config: TruthEngineConfig['sources']['liquipedia'];
  tier: Tier;
  clock: Clock;
  emit: ReportListener;
  fetch?: FetchLike;
  logger?: Logger;
}

/**
 * Tier C: Liquipedia, confirmation only. It never polls: `confirm(match)` reads the match page
 * (external id "wiki/Page_Title") within the API terms — one request per 2 s, action=parse one per
 * 30 s, a User-Agent with contact details, gzip — and reports only a result that is entered.
 */
export class LiquipediaSource implements TruthSource {
  readonly name = 'liquipedia';
  readonly tier: Tier;
  readonly staleMs = null;
  readonly limiter: RateLimiter;
  readonly parseLimiter: RateLimiter;
  private readonly watches = new Map<string, WatchedMatch>();
  private readonly cache = new Map<string, { at: number; text: Promise<string> }>();
  private readonly fetchFn: FetchLike;
  private running = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: LiquipediaSourceOptions) {
    if (opts.config.contact.trim() === '') {
      throw new Error('liquipedia source needs truth_engine.sources.liquipedia.contact (Liquipedia blocks clients without contact details)');
    }
    this.tier = opts.tier;
    this.limiter = new RateLimiter(opts.clock, [{ max: 1, windowMs: opts.config.min_interval_ms }]);
    this.parseLimiter = new RateLimiter(opts.clock, [{ max: 1, windowMs: opts.config.parse_min_interval_ms }]);
    this.fetchFn = opts.fetch ?? fetch;
  }

  get userAgent(): string {
    return `${this.opts.config.user_agent} (${this.opts.config.contact})`;
  }

  start(): void {
    this.running = true;
  }

  watch(match: WatchedMatch): void {
    this.watches.set(match.match_id, match);
  }

  unwatch(matchId: string): void {
    this.watches.delete(matchId);
  }

  confirm(matchId: string): void {
    const match = this.watches.get(matchId);
    if (!match || !this.running) return;
    const p = this.check(match).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.limiter.close();
    this.parseLimiter.close();
    await Promise.all([...this.pending]);
  }

  private async check(match: WatchedMatch): Promise<void> {
    try {
      const text = await this.wikitext(match.external_id);
      if (!this.running) return;
      const found = findWikiMatch(parseWikiMatches(text), match.outcomes);
      if (!found || found.match.winner === null) return;
      const draw = found.match.winner === 0;
      const report: SourceReport = {
        source: 'liquipedia',
        tier: this.tier,
        match_id: match.match_id,
        observed_at: this.opts.clock.now(),
        source_ts: null,
        status: 'finished',
        teams: found.order,
        winner: draw ? null : found.order[found.match.winner! - 1]!,
        result: draw ? 'draw' : 'win',
        score: found.match.scores.every((s) => s !== null) ? (found.match.scores as number[]) : null,
        game: null,
      };
      this.opts.emit(report);
    } catch (err) {
      if (this.running) this.opts.logger?.warn({ err, match_id: match.match_id }, 'liquipedia read failed');
    }
  }

  /** Pages held in the cache (those fetched within cache_ms at the last fetch). */
  get pagesCached(): number {
    return this.cache.size;
  }

  /** One page's wikitext, cached for cache_ms; concurrent asks share one request. */
  private wikitext(externalId: string): Promise<string> {
    const now = this.opts.clock.now();
    const hit = this.cache.get(externalId);
    if (hit && now - hit.at < this.opts.config.cache_ms) return hit.text;
    // Pages past cache_ms are never served again: they go, or every match ever confirmed keeps its page's text.
    for (const [id, e] of this.cache) if (now - e.at >= this.opts.config.cache_ms) this.cache.delete(id);
    const text = this.fetchPage(externalId);
    this.cache.set(externalId, { at: now, text });
    text.catch(() => this.cache.delete(externalId));
    return text;
  }

  private async fetchPage(externalId: string): Promise<string> {
    const slash = externalId.indexOf('/');
    if (slash <= 0) throw new Error(`liquipedia id "${externalId}" is not "wiki/Page_Title"`);
    const wiki = externalId.slice(0, slash);
    const page = externalId.slice(slash + 1);
    await this.parseLimiter.acquire();
    await this.limiter.acquire();
    const url = `${this.opts.config.api_url.replace(/\/$/, '')}/${encodeURIComponent(wiki)}/api.php?action=parse&format=json&formatversion=2&prop=wikitext&page=${encodeURIComponent(page)}`;
    const res = await requestJson(this.fetchFn, url, { headers: { 'user-agent': this.userAgent, 'accept-encoding': 'gzip' } }, { clock: this.opts.clock, ms: this.opts.config.timeout_ms });
    const parse = isRecord(res.body) ? res.body.parse : undefined;
    const wikitext = isRecord(parse) ? parse.wikitext : undefined;
    const text = str(wikitext) ?? (isRecord(wikitext) ? str(wikitext['*']) : null);
    if (text === null) throw new Error(`liquipedia: no wikitext for ${externalId}`);
    return text;
  }
}
