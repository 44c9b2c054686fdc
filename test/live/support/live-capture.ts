import { readFileSync } from 'node:fs';
import { CaptureRecorder } from '../../../src/adapters/capture/recorder.ts';
import type { Clock } from '../../../src/domain/time/clock.ts';
import { temperatureEventSlug } from '../../../src/domain/discovery/temperature-event.ts';
import { JudgeCalendar } from '../../../src/domain/weather/judge-calendar.ts';

type Raw = Record<string, unknown>;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The sources' base URLs the synthetic capture pretends to have recorded (never contacted). */
export const CAPTURED_SOURCES = {
  gamma: 'https://gamma-api.polymarket.com',
  clob: 'https://clob.polymarket.com',
  market: 'wss://ws-subscriptions-clob.polymarket.com/ws/market',
  awc: 'https://aviationweather.gov',
};

export interface LiveCaptureFacts {
  slug: string;
  judgeDate: string;
  /** Condition id and tokens per bucket title. */
  markets: Array<{ title: string; condition_id: string; yes: string; no: string }>;
  /** The bucket the observations put the day's high in (and the one that resolves YES). */
  winner: string;
  /** The books the venue holds once the change is in: token → levels, best first, as numbers. */
  books: Record<string, { bids: Array<[number, number]>; asks: Array<[number, number]> }>;
}

/**
 * The repo's Gamma event shape (NYC daily high, rule text version B) moved to the station's
 * judge day of `now`, so the live scanner's slug for today finds it.
 */
export function eventForToday(now: number): { event: Raw; slug: string; judgeDate: string } {
  const judgeDate = new JudgeCalendar('America/New_York').dayOf(now);
  const [y, m, d] = judgeDate.split('-').map(Number) as [number, number, number];
  const slug = temperatureEventSlug({ metric: 'highest', city_slug: 'nyc', date: judgeDate, with_year: true });
  const month = MONTHS[m - 1]!;
  const next = new Date(Date.UTC(y, m - 1, d + 1, 12)).toISOString().replace('.000', '');
  const text = readFileSync(new URL('../../fixtures/market/gamma-event-nyc-highest-2026-06-12.json', import.meta.url), 'utf8')
    .replaceAll('highest-temperature-in-nyc-on-june-12-2026', slug)
    .replaceAll('June 12', `${month} ${d}`)
    .replaceAll("12 Jun '26", `${d} ${month.slice(0, 3)} '${String(y).slice(2)}`)
    .replaceAll('2026-06-13T12:00:00Z', next);
  return { event: (JSON.parse(text) as Raw[])[0]!, slug, judgeDate };
}

/**
 * Writes a capture as `helios capture` would have recorded it at `clock.now()`: the event from
 * Gamma, the METARs of the day so far (up to 31.1 °C = 88 °F), the market channel's initial dump
 * of every token's book, a change on the 88-89 °F book a second later, sells printing through
 * every bid every 2 s, and `market_resolved` for every bucket after `resolveAfterMs`.
 */
export async function writeLiveCapture(dir: string, clock: Clock, resolveAfterMs: number): Promise<LiveCaptureFacts> {
  const start = clock.now();
  const { event, slug, judgeDate } = eventForToday(start);
  const rec = new CaptureRecorder({ dir, clock, sources: CAPTURED_SOURCES, heliosVersion: 'test', note: 'synthetic live capture' });
  const answer = (url: string, body: unknown, status = 200) => rec.http({ method: 'GET', url, requestBody: null, status, contentType: 'application/json', text: JSON.stringify(body) });
  answer(`${CAPTURED_SOURCES.gamma}/events?slug=${slug}`, [event]);
  // Hourly reports of the last 3 h (AWC's lookback), warming to 31.1 °C. The warmest is the judge
  // day's: in the day's first 51 minutes (the last hourly report is yesterday's) it is taken at the
  // day's start, so the day's high so far is 88 °F at any hour the test runs.
  const hour = 3_600_000;
  const lastHourly = Math.floor((start - 51 * 60_000) / hour) * hour + 51 * 60_000;
  const last = Math.max(lastHourly, new JudgeCalendar('America/New_York').dayStartMs(judgeDate));
  const metars = [2, 1, 0].map((k, i) => {
    const t = new Date(last - k * hour);
    const [dd, hh, mm] = [t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()].map((n) => String(n).padStart(2, '0'));
    const tc = [289, 300, 311][i]!;
    return { icaoId: 'KLGA', obsTime: (last - k * hour) / 1000, metarType: 'METAR', rawOb: `METAR KLGA ${dd}${hh}${mm}Z 21010KT 10SM FEW047 ${Math.round(tc / 10)}/19 A2992 RMK AO2 T0${tc}0189` };
  });
  answer(`${CAPTURED_SOURCES.awc}/api/data/metar?ids=KLGA&format=json&hours=3`, metars);

  const markets = (event.markets as Raw[]).map((m) => {
    const [yes, no] = JSON.parse(m.clobTokenIds as string) as [string, string];
    return { title: m.groupItemTitle as string, condition_id: m.conditionId as string, yes, no };
  });
  const winner = '88-89°F';
  const books: LiveCaptureFacts['books'] = {};
  const socket = {};
  const frame = (body: unknown) => rec.frame(CAPTURED_SOURCES.market, socket, JSON.stringify(body));
  const at = (ms: number) => ('advanceTo' in clock ? (clock as unknown as { advanceTo(t: number): void }).advanceTo(start + ms) : undefined);
  const book = (asset: string, market: string, bid: string, ask: string) => {
    books[asset] = { bids: [[Number(bid), 200], [0.01, 500]], asks: [[Number(ask), 200], [0.99, 500]] };
    return { event_type: 'book', market, asset_id: asset, bids: [{ price: '0.01', size: '500' }, { price: bid, size: '200' }], asks: [{ price: '0.99', size: '500' }, { price: ask, size: '200' }], timestamp: String(clock.now()), hash: `h-${asset.slice(0, 6)}`, tick_size: '0.001', last_trade_price: '0.5' };
  };
  at(500);
  // The win bucket is priced far under what 88 °F by mid-afternoon says: paper buys it.
  frame(markets.flatMap((m) => (m.title === winner ? [book(m.yes, m.condition_id, '0.2', '0.25'), book(m.no, m.condition_id, '0.74', '0.79')] : [book(m.yes, m.condition_id, '0.04', '0.06'), book(m.no, m.condition_id, '0.93', '0.95')])));
  at(1500);
  const w = markets.find((m) => m.title === winner)!;
  books[w.yes]!.bids.unshift([0.21, 50]);
  frame({ market: w.condition_id, price_changes: [{ asset_id: w.yes, price: '0.21', size: '50', side: 'BUY', hash: 'c1', best_bid: '0.21', best_ask: '0.25' }], timestamp: String(clock.now()), event_type: 'price_change' });
  // Sellers hit through every bid now and then (prints at 0.011): resting paper buys fill as makers.
  for (let t = 4000; t < resolveAfterMs - 3000; t += 2000) {
    at(t);
    for (const m of markets) for (const token of [m.yes, m.no]) frame({ event_type: 'last_trade_price', market: m.condition_id, asset_id: token, price: '0.011', size: '1000', side: 'SELL', fee_rate_bps: '0', timestamp: String(clock.now()) });
  }
  at(resolveAfterMs);
  // The whole event resolves at once: YES of the winning bucket, NO of every other.
  for (const m of markets) {
    const won = m.title === winner;
    frame({ event_type: 'market_resolved', id: m.condition_id.slice(2, 10), market: m.condition_id, assets_ids: [m.yes, m.no], winning_asset_id: won ? m.yes : m.no, winning_outcome: won ? 'Yes' : 'No', timestamp: String(clock.now()) });
  }
  await rec.close();
  return { slug, judgeDate, markets, winner, books };
}
