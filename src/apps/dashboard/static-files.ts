import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Answer } from '../../adapters/api/http-server.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import { serializeEnvelope } from '../../domain/util/stable-json.ts';
import type { MachineGraph } from './machine-graphs.ts';
import { listBacktests, readBacktest } from './backtest-reports.ts';
import type { SessionTotals } from './recent-events.ts';

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * The browser's third-party modules, straight from node_modules (no build step): URL → file.
 * Resolved through each package's own entry so a hoisted or nested install both work.
 */
function vendorFiles(): Record<string, string> {
  const preactDist = path.dirname(require.resolve('preact'));
  const hooksDist = path.dirname(require.resolve('preact/hooks'));
  const htmDist = path.dirname(require.resolve('htm'));
  const uplotDist = path.dirname(require.resolve('uplot'));
  return {
    '/vendor/preact.mjs': path.join(preactDist, 'preact.module.js'),
    '/vendor/preact-hooks.mjs': path.join(hooksDist, 'hooks.module.js'),
    '/vendor/htm.mjs': path.join(htmDist, 'htm.module.js'),
    '/vendor/uplot.mjs': path.join(uplotDist, 'uPlot.esm.js'),
    '/vendor/uplot.css': path.join(uplotDist, 'uPlot.min.css'),
  };
}

/** The bare specifiers the page's modules import, mapped onto /vendor (the page's import map). */
export const IMPORT_MAP = {
  imports: {
    preact: '/vendor/preact.mjs',
    'preact/hooks': '/vendor/preact-hooks.mjs',
    htm: '/vendor/htm.mjs',
    uplot: '/vendor/uplot.mjs',
  },
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The channels' recent past (RecentEvents), and what the session counted since its start. */
export interface RecentPast {
  snapshot(): HeliosEvent[];
  totals(): SessionTotals;
}

/** The trading side's global risk as it is now: what the page shows before any RISK_STATE reaches it. */
export interface GlobalRiskNow {
  state: string;
  reason: string | null;
  size_scale: number;
}

/** Route-table paths the page's requests can never shadow. */
const WEB_FILE = /^\/dashboard\/([a-z0-9-]+\/)*[a-z0-9-]+\.(js|css)$/;

/** What the page cannot learn from the channels: the thresholds it colours against. */
export interface DashboardSettings {
  /** What runs behind the page: `sim · paper`, `live · real`, `replay`. */
  mode: string;
  /** The server has /replay/* controls (`helios replay --serve`): the page shows the replay bar. */
  replay_controls: boolean;
  /**
   * Why this server takes no halt, resume or reconciliation (a daemon without HELIOS_API_TOKEN, a
   * replay): the Controls view says so and offers none. Null: it takes them, with the token.
   */
  actions_refused: string | null;
  /** Feed staleness thresholds (daemon.staleness_ms). */
  staleness_ms: Readonly<Record<string, number>>;
}

/** settings.json as served: the settings, and the markets retired so far (sorted). */
export interface DashboardSettingsAnswer extends DashboardSettings {
  /**
   * Markets the trading side retired, in this daemon life or (carried) an earlier one. The recent
   * past holds MARKET_RETIRED only for this life's, so without this list a page would make a row
   * again from a later frame of a market an earlier life retired.
   */
  retired_markets: string[];
}

/**
 * The operator's dashboard as static files: `/` (the page with its import map), `/dashboard/*`
 * (the page's own ES modules, and `settings.json`) and `/vendor/*` (preact, htm, uPlot from node_modules). Everything
 * else is the JSON API's. The page may load scripts only from here and connect only back to this
 * origin (CSP), and may not be framed.
 */
export class DashboardFiles {
  private readonly vendor = vendorFiles();
  private readonly index: { body: string; csp: string };
  private readonly cache = new Map<string, Buffer>();

  private readonly settings: DashboardSettings;

  private machines: string | null = null;

  private readonly recent: RecentPast | undefined;
  private readonly retiredMarkets: (() => Iterable<string>) | undefined;
  private readonly risk: (() => GlobalRiskNow | null) | undefined;
  private readonly graphs: (() => MachineGraph[]) | undefined;
  private readonly dataDir: string | undefined;

  /**
   * `recent` answers /dashboard/recent.json (the channels' recent past; without it the page starts
   * empty) and /dashboard/snapshot.json (the same with the session's totals, taken together), `graphs` /dashboard/machines.json (built on the first request), `dataDir` the backtest
   * reports under it (/dashboard/backtests.json, /dashboard/backtests/NAME.json), `retiredMarkets`
   * the markets retired so far (read at each settings.json: the trading side retires more as it runs),
   * `risk` the global risk state for snapshot.json (none, or null: the page shows it unknown until a RISK_STATE).
   */
  constructor(
    settings: DashboardSettings,
    sources: { recent?: RecentPast; graphs?: () => MachineGraph[]; dataDir?: string; retiredMarkets?: () => Iterable<string>; risk?: () => GlobalRiskNow | null } = {},
  ) {
    this.recent = sources.recent;
    this.retiredMarkets = sources.retiredMarkets;
    this.risk = sources.risk;
    this.graphs = sources.graphs;
    this.dataDir = sources.dataDir;
    this.settings = settings;
    const map = JSON.stringify(IMPORT_MAP);
    const html = readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8').replace('<!--IMPORT_MAP-->', `<script type="importmap">${map}</script>`);
    const hash = createHash('sha256').update(map).digest('base64');
    this.index = {
      body: html,
      csp: [
        "default-src 'self'",
        `script-src 'self' 'sha256-${hash}'`,
        "style-src 'self' 'unsafe-inline'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; '),
    };
  }

  /** The answer for a GET of `urlPath`, or undefined when it is not one of the dashboard's files. */
  answer = (urlPath: string): Answer | undefined => {
    if (urlPath === '/dashboard/recent.json') {
      // The channel frames' own serialization: a page cannot tell these from pushed ones.
      return new Answer(200, this.recentBody(), TYPES['.json'], { 'cache-control': 'no-store' });
    }
    if (urlPath === '/dashboard/snapshot.json') {
      // One answer, so the totals count exactly the events up to `through`, the recent past among them.
      const totals: SessionTotals = this.recent?.totals() ?? { orders: 0, fills: 0, fills_failed: 0, through: null };
      const risk = this.risk?.() ?? null;
      return new Answer(200, `{"totals":${JSON.stringify(totals)},"risk":${JSON.stringify(risk)},"events":${this.recentBody()}}`, TYPES['.json'], { 'cache-control': 'no-store' });
    }
    if (urlPath === '/dashboard/backtests.json') return new Answer(200, JSON.stringify(this.dataDir ? listBacktests(this.dataDir) : []), TYPES['.json'], { 'cache-control': 'no-store' });
    const report = /^\/dashboard\/backtests\/([^/]+)\.json$/.exec(urlPath);
    if (report) {
      const name = safeDecode(report[1]!);
      const text = this.dataDir && name !== null ? readBacktest(this.dataDir, name) : null;
      return text === null ? undefined : new Answer(200, text, TYPES['.json'], { 'cache-control': 'no-store' });
    }
    if (urlPath === '/dashboard/machines.json') {
      this.machines ??= JSON.stringify(this.graphs?.() ?? []);
      return new Answer(200, this.machines, TYPES['.json'], { 'cache-control': 'no-cache' });
    }
    if (urlPath === '/dashboard/settings.json') {
      const answer: DashboardSettingsAnswer = { ...this.settings, retired_markets: [...(this.retiredMarkets?.() ?? [])].sort() };
      return new Answer(200, JSON.stringify(answer), TYPES['.json'], { 'cache-control': 'no-store' });
    }
    if (urlPath === '/' || urlPath === '/index.html') {
      return new Answer(200, this.index.body, TYPES['.html'], { 'content-security-policy': this.index.csp, 'x-frame-options': 'DENY', 'cache-control': 'no-cache' });
    }
    const vendorFile = Object.hasOwn(this.vendor, urlPath) ? this.vendor[urlPath] : undefined;
    if (vendorFile !== undefined) return this.file(vendorFile, 'public, max-age=3600');
    if (WEB_FILE.test(urlPath)) return this.file(path.join(WEB_DIR, urlPath.slice('/dashboard/'.length)), 'no-cache');
    return undefined;
  };

  private recentBody(): string {
    return `[${(this.recent?.snapshot() ?? []).map(serializeEnvelope).join(',')}]`;
  }

  private file(file: string, cacheControl: string): Answer | undefined {
    let body = this.cache.get(file);
    if (body === undefined) {
      try {
        body = readFileSync(file);
      } catch {
        return undefined;
      }
      this.cache.set(file, body);
    }
    return new Answer(200, body, TYPES[path.extname(file)] ?? 'application/octet-stream', { 'cache-control': cacheControl, 'x-content-type-options': 'nosniff' });
  }
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
