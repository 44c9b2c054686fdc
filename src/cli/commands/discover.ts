import type { Command } from 'commander';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { HttpError } from '../../adapters/http/request-json.ts';
import { GammaClient, gammaClientOptions } from '../../adapters/polymarket/gamma-client.ts';
import { parseGammaEvent, parseGammaMarket } from '../../domain/discovery/gamma-market.ts';
import { selectOperatingSet, type DiscoveryRefusal, type GammaAnswers, type ScannerPolicy, type SelectedMarket } from '../../domain/discovery/operating-set.ts';
import { gatherGammaAnswers, scannerPolicy, type DiscoveryCategory } from '../../runtime/discovery/scanner.ts';
import { EXIT } from '../exit-codes.ts';
import { readTextFile, type CliIo } from '../io.ts';
import { loadCliConfig } from '../load-cli-config.ts';

interface DiscoverOptions {
  eventFile?: string;
  json?: boolean;
  category?: string;
  slug?: string;
  config?: string;
}

/** Titles whose match events `helios discover` recognises besides the configured ones. */
const KNOWN_GAMES = ['cs2', 'csgo', 'dota2', 'lol', 'val'];

/**
 * `helios discover`: what discovery makes of Gamma answers — a file (an event, an array of events,
 * or a `/markets` answer) or live Gamma (the configured scan, or one event by slug). One line per
 * market, one per refusal; exit 1 when anything was refused.
 */
export async function discover(opts: DiscoverOptions, io: CliIo): Promise<number> {
  if (opts.eventFile !== undefined && (opts.category !== undefined || opts.slug !== undefined)) {
    io.err('helios discover: --event-file reads a file; --category and --slug ask live Gamma (use one or the other)\n');
    return EXIT.CONFIG_ERROR;
  }
  if (opts.category !== undefined && opts.category !== 'weather' && opts.category !== 'esports') {
    io.err(`helios discover: --category must be weather or esports, not ${JSON.stringify(opts.category)}\n`);
    return EXIT.CONFIG_ERROR;
  }
  const loaded = loadCliConfig(io, 'helios discover', { file: opts.config });
  if (!loaded) return EXIT.CONFIG_ERROR;
  const { config } = loaded;
  const clock = new SystemClock();
  const configured = scannerPolicy(config);
  // What it is given is in scope (a file, or a slug asked for by name), as an event named in
  // discovery.event_slugs is: no city, metric, judge-day or league filter, but the configured
  // stations still judge it, so a file shows what the live scanner would refuse.
  const anything: ScannerPolicy = {
    ...configured,
    any_event: true,
    esports: { games: [...new Set([...KNOWN_GAMES, ...config.discovery.esports.games])].sort(), leagues: [] },
  };
  let answers: GammaAnswers;
  let policy: ScannerPolicy;
  if (opts.eventFile !== undefined) {
    const read = readAnswerFile(opts.eventFile);
    if (typeof read === 'string') {
      io.err(`helios discover: ${opts.eventFile}: ${read}\n`);
      return read.startsWith('cannot read') ? EXIT.CONFIG_ERROR : EXIT.DATA_ERROR;
    }
    answers = read;
    policy = anything;
  } else {
    const gamma = new GammaClient(gammaClientOptions(config.discovery, clock));
    const errors: string[] = [];
    // A request's error names it (method and full URL) already; anything else is named by what was asked of which Gamma.
    const onError = (what: string, err: unknown) => void errors.push(err instanceof HttpError ? err.message : `${config.discovery.gamma_url} ${what}: ${(err as Error).message}`);
    try {
      if (opts.slug !== undefined) {
        answers = { events: [], markets: [] };
        try {
          answers = { events: await gamma.events({ slug: opts.slug }), markets: [] };
        } catch (err) {
          onError(`GET /events?slug=${opts.slug}`, err);
        }
        policy = anything;
      } else {
        answers = (await gatherGammaAnswers(gamma, config.discovery, configured, clock.now(), [], onError, (opts.category as DiscoveryCategory | undefined) ?? null)).answers;
        policy = configured;
      }
    } finally {
      gamma.close();
    }
    if (errors.length > 0) {
      for (const e of errors) io.err(`helios discover: Gamma ${e}\n`);
      return EXIT.RUNTIME_ERROR;
    }
  }
  const set = selectOperatingSet(answers, policy, clock.now());
  let out = '';
  for (const m of set.markets) out += (opts.json ? JSON.stringify(marketLine(m)) : marketText(m)) + '\n';
  for (const r of set.refused) out += (opts.json ? JSON.stringify(refusalLine(r)) : refusalText(r)) + '\n';
  io.out(out);
  if (!opts.json) io.err(`helios discover: ${set.markets.length} market${set.markets.length === 1 ? '' : 's'}, ${set.refused.length} refused\n`);
  return set.refused.length > 0 ? EXIT.DATA_ERROR : EXIT.OK;
}

/** An event object, an array of events, or a `/markets` answer (objects with a conditionId and no markets). */
function readAnswerFile(file: string): GammaAnswers | string {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (err) {
    return `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) return 'an empty array: no event or market in it';
  const answers: { events: GammaAnswers['events'][number][]; markets: GammaAnswers['markets'][number][] } = { events: [], markets: [] };
  for (const item of items) {
    const isMarket = typeof item === 'object' && item !== null && 'conditionId' in item && !('markets' in item);
    if (isMarket) answers.markets.push(parseGammaMarket(item));
    else answers.events.push(parseGammaEvent(item));
  }
  return answers;
}

/** Exactly the fields of issue #15's NDJSON contract. */
export function marketLine(m: SelectedMarket): Record<string, unknown> {
  const line: Record<string, unknown> = {
    kind: 'market',
    event_slug: m.event_slug,
    condition_id: m.condition_id,
    question: m.question,
    yes_token: m.yes_token,
    no_token: m.no_token,
    tick_size: m.tick_size,
    min_size: m.min_size,
    neg_risk: m.neg_risk,
    fee_rate: m.fee?.rate ?? 0,
    closed: m.closed,
    winner: m.winner,
  };
  if (m.temperature !== null) {
    line.station = m.temperature.station;
    line.judge_date = m.temperature.judge_date;
    line.bucket = m.temperature.bucket;
  }
  if (m.esports !== null) {
    line.teams = m.esports.teams;
    line.match = { match_id: m.esports.match_id, game: m.esports.game, game_id: m.esports.game_id, start_ms: m.esports.game_start_ms };
  }
  return line;
}

function refusalLine(r: DiscoveryRefusal): Record<string, unknown> {
  return { kind: 'refused', event_slug: r.event_slug, condition_id: r.condition_id, reason: r.code, detail: r.message };
}

function marketText(m: SelectedMarket): string {
  const what = m.temperature
    ? `${m.temperature.station} ${m.temperature.judge_date} ${m.temperature.label}`
    : m.esports
      ? `${m.esports.teams.join(' vs ')} (${m.esports.match_id})`
      : (m.question ?? '');
  const state = m.closed ? `closed${m.winner === null ? '' : m.winner ? ', YES won' : ', NO won'}` : 'open';
  return `market   ${m.condition_id}  ${m.event_slug ?? '-'}  ${what}  tick ${m.tick_size} min ${m.min_size} fee ${m.fee?.rate ?? 0}${m.neg_risk ? ' neg-risk' : ''}  ${state}`;
}

function refusalText(r: DiscoveryRefusal): string {
  return `refused  ${r.condition_id ?? r.event_slug ?? '(answer)'}  ${r.code}: ${r.message}`;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('discover')
    .description('what discovery selects from Gamma answers (a file, or live Gamma); one line per market or refusal, exit 1 when anything was refused')
    .option('--event-file <file>', 'a Gamma event object, an array of events, or a /markets answer')
    .option('--category <weather|esports>', 'live: only the configured temperature cities, or only the esports tag')
    .option('--slug <slug>', 'live: one event by slug')
    .option('--json', 'NDJSON: one object per market or refusal')
    .option('--config <file>', 'YAML file layered over the defaults')
    .action(async (opts: DiscoverOptions) => io.exit(await discover(opts, io)));
}
