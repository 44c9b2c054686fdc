import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { fetchJson as json, journalRecords, postJson as post } from './support/daemon-io.ts';
import { processScope } from './support/helios-process.ts';

/**
 * End to end on the embedded default: a real `helios run` child process (simulated venue, weather
 * and esports feeds, in-process bus, paper execution, the inspector on), driven only through its
 * HTTP API, its WebSocket channel server and signals.
 */

const TOKEN = 'e2e-token-4f1c';
const METRIC_NAMES = [
  'event_lag_ms',
  'truth_confidence',
  'order_place_latency_ms',
  'order_fill_latency_ms',
  'slippage_bps',
  'reconcile_mismatch_total',
  'kill_switch_triggers_total',
  'ws_reconnects_total',
  'book_resyncs_total',
  'bus_backlog',
  'event_loop_lag_ms',
  'feed_staleness_ms',
];

interface Stats {
  summary: { markets: number; tokens_synced: number; orders: number; fills: number };
  counters: { nowcasts: number; truth_states: number; fills: number };
}

const { start, tempDir } = processScope('helios-e2e-');

/** Collects every frame of a WebSocket (parsed), so a test can wait for one matching a predicate. */
class FrameLog {
  readonly frames: any[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.frames.push(JSON.parse(d.toString())));
  }
  until(pred: (f: any) => boolean, what: string, timeoutMs = 10_000): Promise<any> {
    return vi.waitFor(() => {
      const frame = this.frames.find(pred);
      expect(frame, what).toBeDefined();
      return frame;
    }, timeoutMs);
  }
}

/** Opens a WebSocket with its frame log attached first (a server may send as soon as it accepts). */
async function openWs(url: string): Promise<FrameLog> {
  const ws = new WebSocket(url);
  const log = new FrameLog(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return log;
}

describe('helios run end to end (child process, embedded default)', () => {
  it('trades on paper, serves every endpoint, refuses unauthenticated changes and stops cleanly on SIGTERM', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    const daemon = start(['run', '--port', '0', '--data-dir', dataDir, '--speed', '20', '--inspect'], { HELIOS_API_TOKEN: TOKEN });
    // A second daemon without HELIOS_API_TOKEN: its mutating endpoints are disabled.
    const tokenless = start(['run', '--port', '0', '--data-dir', tempDir(), '--speed', '20'], {});
    const url = await daemon.apiUrl();
    const tokenlessUrl = await tokenless.apiUrl();

    expect((await post(`${tokenlessUrl}/halt`, { scope: 'global' }, TOKEN)).status).toBe(403);
    expect((await post(`${tokenlessUrl}/reconciler/force`, {}, TOKEN)).status).toBe(403);
    // Its dashboard says so up front (the Controls view offers no actions), the other's takes them.
    const actionsRefused = async (u: string) => ((await (await fetch(`${u}/dashboard/settings.json`)).json()) as { actions_refused: string | null }).actions_refused;
    expect(await actionsRefused(tokenlessUrl)).toBe('mutating endpoints are disabled: set HELIOS_API_TOKEN to enable them');
    expect(await actionsRefused(url)).toBeNull();
    tokenless.kill('SIGTERM');

    // The inspector: on loopback, relaying the root actor's inspection events.
    const inspectorUrl = (await daemon.waitForLine(/XState inspector listening on (http:\/\/127\.0\.0\.1:\d+)/, 10_000))[1]!;
    const inspector = await openWs(inspectorUrl.replace('http:', 'ws:'));
    await inspector.until((f) => f.type === '@xstate.actor' || f.type === '@xstate.snapshot', 'an inspection event');
    inspector.ws.close();

    // Books, nowcasts, truth states and at least one paper fill.
    const stats = await vi.waitFor(async () => {
      const s = (await json(`${url}/stats`)).body as Stats;
      const ready = s.summary.tokens_synced === 2 * s.summary.markets && s.counters.nowcasts > 0 && s.counters.truth_states > 0 && s.summary.fills >= 1;
      expect(ready, 'books, nowcasts, truth states and a paper fill').toBe(true);
      return s;
    }, { timeout: 45_000, interval: 250 });
    expect(stats.summary.markets).toBeGreaterThan(0);
    // A marketable order that sweeps several levels fills once per level: fills may outnumber orders.
    expect(stats.summary.orders).toBeGreaterThan(0);

    const health = await json(`${url}/health`);
    expect([200, 503]).toContain(health.status); // 503 = live but not ready (a feed still stale)
    expect(health.status === 200).toBe(health.body.ready);
    expect(health.body).toMatchObject({ live: true, mode: 'sim' });
    expect(typeof health.body.staleness_ms.market).toBe('number');

    const metricsRes = await fetch(`${url}/metrics`);
    expect(metricsRes.status).toBe(200);
    const metrics = await metricsRes.text();
    for (const name of METRIC_NAMES) expect(metrics, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    expect(metrics).toMatch(/^truth_confidence\{match_id="[^"]+"\} [\d.]+$/m);
    expect(metrics).toMatch(/^feed_staleness_ms\{feed="market"\} \d+/m);

    const subs = await json(`${url}/subscriptions`);
    expect(subs.status).toBe(200);
    expect(subs.body.subscribed).toEqual(subs.body.desired);
    expect(subs.body.subscribed).toHaveLength(stats.summary.tokens_synced);

    const reconciler = await json(`${url}/reconciler/metrics`);
    expect(reconciler.status).toBe(200);
    expect(reconciler.body).not.toBeNull();
    expect((await post(`${url}/reconciler/force`, {})).status).toBe(401);
    expect((await post(`${url}/reconciler/force`, {}, 'wrong-token')).status).toBe(401);
    const forced = await post(`${url}/reconciler/force`, {}, TOKEN);
    expect(forced.status).toBe(200);
    expect(forced.body).toBeTypeOf('object');

    const markets = await json(`${url}/markets`);
    expect(markets.status).toBe(200);
    expect(markets.body).toHaveLength(stats.summary.markets);
    for (const m of markets.body) expect(typeof m.state).toBe('string');
    const marketId: string = markets.body[0].market_id;

    // WebSocket: book frames of one market, and the control channel that carries halts.
    const ws = await openWs(`${url.replace('http:', 'ws:')}/ws`);
    ws.ws.send(JSON.stringify({ op: 'subscribe', channels: ['l2'], market_id: marketId }));
    ws.ws.send(JSON.stringify({ op: 'subscribe', channels: ['control'] }));
    await ws.until((f) => f.op === 'subscribed' && f.channels.includes('control'), 'the subscription acknowledgement');
    const book = await ws.until((f) => f.ch === 'l2', 'an l2 frame');
    expect(book.market_id).toBe(marketId);

    // Auth refusals, then halts and resumes (global and per market) that reach the bus.
    expect((await post(`${url}/halt`, { scope: 'global' })).status).toBe(401);
    expect((await post(`${url}/halt`, { scope: 'global' }, 'wrong-token')).status).toBe(401);
    expect((await post(`${url}/halt`, { scope: 'market' }, TOKEN)).status).toBe(400);
    for (const [endpoint, body] of [
      ['halt', { scope: 'market', market_id: marketId, reason: 'e2e' }],
      ['resume', { scope: 'market', market_id: marketId }],
      ['halt', { scope: 'global', reason: 'e2e' }],
    ] as const) {
      const r = await post(`${url}/${endpoint}`, body, TOKEN);
      // A market resume says 409 when another cause (a stale book, …) still halts the market.
      if (endpoint === 'resume') expect([200, 409], endpoint).toContain(r.status);
      else expect(r.status, endpoint).toBe(200);
      expect(r.body).toMatchObject({ type: endpoint.toUpperCase(), scope: body.scope });
      const frame = await ws.until((f) => f.event_id === r.body.event_id, `the ${endpoint} on the control channel`);
      expect(frame).toMatchObject({ ch: 'control', type: r.status === 200 ? endpoint.toUpperCase() : 'ALERT' });
      if (body.scope === 'market') expect(frame.market_id).toBe(marketId);
    }
    // A global resume within the risk cool-down is refused with its reason, on the control channel too.
    const refused = await post(`${url}/resume`, { scope: 'global' }, TOKEN);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ accepted: false, error: expect.stringMatching(/^resume refused: cool-down in progress \(\d+ s left\)$/) });
    expect(await ws.until((f) => f.event_id === refused.body.event_id, 'the refusal on the control channel')).toMatchObject({ type: 'ALERT', payload: { code: 'RESUME_REFUSED' } });
    // The trip is counted under a fixed label, never the operator's text.
    await vi.waitFor(async () => {
      const after = await (await fetch(`${url}/metrics`)).text();
      expect(after).toMatch(/^kill_switch_triggers_total\{reason="manual"\} [1-9]/m);
      expect(after).not.toMatch(/^kill_switch_triggers_total\{reason="e2e"/m);
    }, { timeout: 10_000, interval: 100 });
    ws.ws.close();

    // SIGTERM: exit 0, the final summary, a flushed journal.
    daemon.kill('SIGTERM');
    const { code } = await daemon.exited;
    expect(code).toBe(0);
    const summaries = daemon.jsonOfKind('run_summary');
    expect(summaries).toHaveLength(1);
    expect(daemon.lines.filter((l) => l.trim()).at(-1)).toBe(JSON.stringify(summaries[0]));
    expect(Object.keys(summaries[0]!)).toEqual(['kind', 'markets', 'tokens_synced', 'orders', 'fills', 'realized_pnl', 'reconnects', 'resyncs', 'errors', 'unconfirmed_fills_carried']);
    expect(summaries[0]!.fills as number).toBeGreaterThanOrEqual(stats.summary.fills);

    const fills = journalRecords(dataDir, 'fill');
    const orders = journalRecords(dataDir, 'order');
    expect(fills.filter((e) => e.type === 'FILL').length).toBeGreaterThanOrEqual(stats.summary.fills);
    expect(orders.some((e) => e.type === 'ORDER_UPDATE')).toBe(true);

    expect((await tokenless.exited).code).toBe(0);
  });
});
