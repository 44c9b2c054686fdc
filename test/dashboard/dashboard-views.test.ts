import { PassThrough } from 'node:stream';
import type { Browser, Page } from '@playwright/test';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChannelServer } from '../../src/adapters/api/channel-server.ts';
import type { JsonHttpServer } from '../../src/adapters/api/http-server.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { RecentEvents } from '../../src/apps/dashboard/recent-events.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import type { OrderStatus } from '../../src/domain/trading/orders.ts';
import { testFactory } from '../support/events.ts';
import { launchChromium, requireChromium, screenshot, watchErrors } from './support/browser.ts';
import { dashboardFilesServer } from './support/files-server.ts';

/**
 * What single views show for a known state: a stand-in daemon on loopback (the dashboard's files,
 * its recent past, /markets and the channel server) fed exactly the frames each test names.
 */

const hasChromium = requireChromium();
const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });

/** Token ids as long as Polymarket's (77 digits): what makes a decision's summary wide. */
const token = (n: number) => `${'7'.repeat(70)}${String(n).padStart(7, '0')}`;
const market = (id: string, yes: string, no: string, state: string) => ({ market_id: id, label: `${id} bucket`, station_id: 'KLGA', match_id: null, fair_source: 'nowcast', yes_token: yes, no_token: no, state, halt_causes: [] });

describe.skipIf(!hasChromium)('dashboard views on a stand-in daemon (Chromium)', () => {
  let browser: Browser;
  const pages: Page[] = [];
  const servers: Array<{ channels: ChannelServer; http: JsonHttpServer }> = [];

  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
    for (const { channels, http } of servers.splice(0)) {
      await channels.close();
      await http.close();
    }
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A page open on a stand-in whose recent past is `events` and whose /markets is `markets`. */
  const open = async (markets: unknown[], events: HeliosEvent[], viewport: { width: number; height: number }, hash = '', actionsRefused?: string, mode = 'sim · paper') => {
    const recent = new RecentEvents();
    for (const e of events) recent.emit(e);
    const http = dashboardFilesServer({ mode, ...(actionsRefused ? { actionsRefused } : {}), name: 'stand-in daemon', recent, logger, routes: { '/markets': { method: 'GET', handler: () => markets } } });
    const channels = new ChannelServer(http.server, { path: '/ws', maxFrameBytes: 4096, maxBufferedBytes: 1 << 20, slowPolicy: 'coalesce', maxClients: 8, logger });
    servers.push({ channels, http });
    const url = await http.listen();
    const page = await browser.newPage({ viewport });
    pages.push(page);
    const errors = watchErrors(page);
    await page.goto(`${url}/${hash}`);
    await expect.poll(() => page.evaluate(() => (globalThis as any).__helios?.ready === true)).toBe(true);
    return { page, errors };
  };

  it('overview: a market that can no longer trade (FINALIZING, RESOLVED) shows no edge; a trading one its edge, highlighted beyond the threshold', { timeout: 60_000 }, async () => {
    const { factory } = testFactory(11);
    const markets = [market('live', 'y1', 'n1', 'TEMPORAL_ACTIVE'), market('done', 'y2', 'n2', 'FINALIZING'), market('ending', 'y3', 'n3', 'TEMPORAL_ACTIVE')];
    const book = (t: string) =>
      factory.make('L2_SNAPSHOT', { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.39, 10]], asks: [[0.41, 10]], best_bid: 0.39, best_ask: 0.41, mid: 0.4, spread: 0.02, microprice: 0.4, imbalance: 0, hash: null }, { market_id: markets.find((m) => m.yes_token === t)!.market_id, token_id: t });
    const policy = (m: (typeof markets)[number]) =>
      factory.make('POLICY', { fair_value: { [m.yes_token]: 0.6, [m.no_token]: 0.4 }, edge_threshold: 0.05, max_position_usdc: 50, max_order_usdc: 10, source: 'nowcast', valid_until_ms: 2_000_000_000_000 }, { market_id: m.market_id });
    const events: HeliosEvent[] = [book('y1'), book('y2'), book('y3'), ...markets.map(policy)];
    events.push(factory.make('MARKET_STATE', { state: 'RESOLVED', previous: 'FINALIZING', reason: null }, { market_id: 'done' }));
    const { page, errors } = await open(markets, events, { width: 1400, height: 900 });
    const edge = (id: string) => page.locator(`[data-testid=markets] tr[data-market=${id}] [data-testid=market-edge]`);
    await expect.poll(() => edge('live').innerText()).toBe('+0.200');
    expect(await edge('live').getAttribute('class')).toContain('hot');
    // The same fair and price, but settled: no edge to act on, and the cell says why on hover.
    expect(await edge('done').innerText()).toBe('—');
    expect(await edge('done').getAttribute('class')).not.toContain('hot');
    expect(await edge('done').getAttribute('title')).toBe('no edge: a RESOLVED market no longer trades');
    // A market entering FINALIZING loses its edge as the state arrives.
    const { channels } = servers.at(-1)!;
    channels.emit(factory.make('MARKET_STATE', { state: 'FINALIZING', previous: 'TEMPORAL_ACTIVE', reason: 'finalizing' }, { market_id: 'ending' }));
    await expect.poll(() => edge('ending').innerText()).toBe('—');
    expect(await edge('ending').getAttribute('class')).not.toContain('hot');
    expect(errors).toEqual([]);
  });

  it('decisions: the list never scrolls sideways, at 1400×900 and at a narrow width; long summaries wrap', { timeout: 60_000 }, async () => {
    const { factory } = testFactory(12);
    const markets = [market('m1', token(1), token(2), 'TEMPORAL_ACTIVE')];
    const events: HeliosEvent[] = [];
    for (let i = 0; i < 40; i++) {
      events.push(factory.make('POLICY', { fair_value: { [token(1)]: 0.61 + i / 1000, [token(2)]: 0.39 - i / 1000 }, edge_threshold: 0.05, max_position_usdc: 50, max_order_usdc: 10, source: 'nowcast', valid_until_ms: 2_000_000_000_000 }, { market_id: 'm1' }));
      events.push(factory.make('ORDER_UPDATE', { client_order_id: `o${i}`, venue_order_id: null, status: 'partially_filled', side: 'BUY', order_type: 'GTD', price: 0.41, size: 123.45, filled_size: 1, strategy: 'temporal_with_a_long_strategy_name', reason: null }, { market_id: 'm1', token_id: token(1) }));
      events.push(factory.make('MARKET_STATE', { state: 'HALT', previous: 'TEMPORAL_ACTIVE', reason: 'circuit_breaker,reconcile_break,stale_book,stale_nowcast' }, { market_id: 'm1' }));
    }
    for (const viewport of [{ width: 1400, height: 900 }, { width: 720, height: 900 }]) {
      const { page, errors } = await open(markets, events, viewport, '#/decisions');
      await expect.poll(() => page.locator('[data-testid=decision-list] tr').count()).toBeGreaterThan(50);
      const overflow = () =>
        page.evaluate(() => {
          const doc = (globalThis as any).document;
          const list = doc.querySelector('.decisions .list');
          return { list: list.scrollWidth - list.clientWidth, page: doc.documentElement.scrollWidth - doc.documentElement.clientWidth };
        });
      expect(await overflow(), `at ${viewport.width} px`).toEqual({ list: 0, page: 0 });
      // With a decision open beside (or under) it, too.
      await page.locator('[data-testid=decision-list] tr').first().click();
      await expect.poll(() => page.locator('[data-testid=correlation-id]').count()).toBe(1);
      expect(await overflow(), `at ${viewport.width} px, a decision open`).toEqual({ list: 0, page: 0 });
      expect(errors).toEqual([]);
    }
  });

  it('overview: the risk state and kill switch are unknown (—) until a RISK_STATE says, not ACTIVE and off by default', { timeout: 60_000 }, async () => {
    const { factory } = testFactory(15);
    // A replay's server: no trading side to ask, and nothing played yet.
    const { page, errors } = await open([market('m1', 'y1', 'n1', 'IDLE')], [], { width: 1400, height: 900 }, '', undefined, 'replay');
    const risk = page.locator('[data-testid=risk-state]');
    const killSwitch = page.locator('[data-testid=kill-switch]');
    await expect.poll(() => page.locator('[data-testid=markets] tbody tr').count()).toBe(1);
    expect(await risk.innerText()).toBe('—');
    expect(await killSwitch.innerText()).toBe('—');
    const { channels } = servers.at(-1)!;
    channels.emit(factory.make('RISK_STATE', { state: 'REDUCING', reason: 'drawdown', size_scale: 0.5 }, {}));
    await expect.poll(() => risk.innerText()).toBe('REDUCING');
    expect(await killSwitch.innerText()).toBe('off');
    channels.emit(factory.make('RISK_STATE', { state: 'HALTED', reason: 'daily loss', size_scale: 0 }, {}));
    await expect.poll(() => killSwitch.innerText()).toBe('ON');
    expect(await risk.innerText()).toBe('HALTED');
    expect(errors).toEqual([]);
  });

  it('decision inspector: with condition and token ids as long as Polymarket\'s, the inputs keep readable columns at 1400 px and narrow, the page never scrolls sideways', { timeout: 60_000 }, async () => {
    const { factory } = testFactory(14);
    const condition = `0x${'ab'.repeat(32)}`;
    const markets = [{ ...market(condition, token(1), token(2), 'TEMPORAL_ACTIVE'), label: null }];
    const policy = factory.make('POLICY', { fair_value: { [token(1)]: 0.61, [token(2)]: 0.39 }, edge_threshold: 0.05, max_position_usdc: 50, max_order_usdc: 10, source: 'nowcast', valid_until_ms: 2_000_000_000_000 }, { market_id: condition });
    const flow = { market_id: condition, token_id: token(1), correlation_id: policy.correlation_id };
    const order = factory.make('ORDER_UPDATE', { client_order_id: `${condition}-${token(1)}-1`, venue_order_id: null, status: 'pending', side: 'BUY', order_type: 'FAK', price: 0.41, size: 12, filled_size: 0, strategy: 'temporal', reason: null }, { ...flow, causation_id: policy.event_id });
    const fill = factory.make('FILL', { client_order_id: `${condition}-${token(1)}-1`, fill_id: `${condition}-${token(1)}-1-f`, status: 'MATCHED', side: 'BUY', price: 0.41, size: 12, fee_usdc: 0, liquidity: 'taker', strategy: 'temporal' }, { ...flow, causation_id: order.event_id });
    for (const viewport of [{ width: 1400, height: 900 }, { width: 720, height: 900 }]) {
      const { page, errors } = await open(markets, [policy, order, fill], viewport, `#/decisions/${fill.event_id}`);
      const rows = page.locator('[data-testid=decision-inputs] tr');
      await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
      await screenshot(page, `decision-inputs-${viewport.width}`);
      // What and when on one row, whole; the payload under it, across the inspector, not squeezed beside the ids.
      const inspector = await page.locator('[data-testid=decision]').evaluate((e) => e.clientWidth);
      const head = await rows.first().locator('td').evaluateAll((tds) => tds.map((td) => Math.round(td.getBoundingClientRect().width)));
      expect(head.length, 'role, time, type, event id').toBe(4);
      expect(head.reduce((a, b) => a + b, 0), 'the table inside the inspector').toBeLessThanOrEqual(inspector);
      expect(await clipped(page, '[data-testid=decision-inputs] td'), 'no cell cut short').toEqual([]);
      const payloadWidth = await rows.nth(1).locator('td').first().evaluate((td) => td.getBoundingClientRect().width);
      expect(payloadWidth / inspector, 'the payload has most of the inspector').toBeGreaterThan(0.8);
      // The payload's first line is no column of broken digits: a few lines at most.
      const lines = await rows.nth(1).locator('summary, span.mono').first().evaluate((e) => Math.round(e.getBoundingClientRect().height / parseFloat((globalThis as any).getComputedStyle(e).lineHeight)));
      expect(lines).toBeLessThanOrEqual(2);
      // A long id is cut with an ellipsis and read whole on hover.
      const titled = await page.locator('[data-testid=decision-inputs] [title]').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
      expect(titled.some((t) => t?.includes(token(1)))).toBe(true);
      const overflow = await page.evaluate(() => ((d) => d.scrollWidth - d.clientWidth)((globalThis as any).document.documentElement));
      expect(overflow, `at ${viewport.width} px`).toBe(0);
      expect(errors).toEqual([]);
    }
  });

  /** Cells (or elements) whose text is cut short: wider than the box that shows them. */
  const clipped = (page: Page, selector: string) =>
    page.locator(selector).evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => `${e.textContent} ${e.scrollWidth}>${e.clientWidth}`));

  it('overview at 1400 px: a state, a match id, halt causes and the last change are shown whole; at 900 px the table scrolls, not the page', { timeout: 60_000 }, async () => {
    const { factory } = testFactory(13);
    const row = (id: string, state: string, halt: string[]) => ({ ...market(id, `y-${id}`, `n-${id}`, state), station_id: null, match_id: 'sim-3455337962-1', halt_causes: halt });
    const markets = [row('a', 'TEMPORAL_ACTIVE', []), row('b', 'BUILDING_PAIR', []), row('c', 'HALT', ['risk_halted', 'stale_book'])];
    // A held position marked a hair under its cost: at 4 decimals that is no loss, neither in figures nor in colour.
    const position = factory.make('POSITION', { shares: 10, avg_cost: 0.4, realized_pnl: 0, unrealized_pnl: -0.00001, fees_paid: 0, by_strategy: { temporal: -0.00001 } }, { market_id: 'a', token_id: 'y-a' });
    const events = [factory.make('MARKET_STATE', { state: 'TEMPORAL_ACTIVE', previous: 'IDLE', reason: 'buy edge 0.1015' }, { market_id: 'a' }), position];
    const { page, errors } = await open(markets, events, { width: 1400, height: 900 });
    await expect.poll(() => page.locator('[data-testid=markets] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid=market-state]').allInnerTexts()).toEqual(['TEMPORAL_ACTIVE', 'BUILDING_PAIR', 'HALT']);
    expect(await clipped(page, '[data-testid=markets] td:not(:first-child)')).toEqual([]);
    const upnl = page.locator('[data-testid=markets] tr[data-market=a] [data-testid=market-upnl]');
    expect(await upnl.innerText()).toBe('0.0000');
    expect(await upnl.getAttribute('class')).not.toContain('bad');
    expect(await page.locator('[data-testid=net-pnl]').innerText()).toBe('0.0000');
    expect(await page.locator('[data-testid=net-pnl]').getAttribute('class')).toBe('ok');
    expect(errors).toEqual([]);
    // Narrow: every figure still whole, the table scrolled sideways inside its own box.
    await page.setViewportSize({ width: 900, height: 800 });
    await expect.poll(() => clipped(page, '[data-testid=markets] td:not(:first-child)')).toEqual([]);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).document.documentElement.clientWidth)).toBe(0);
    expect(await clipped(page, '.table-scroll')).toHaveLength(1);
  });

  it("market: each transition's reason is read whole, also halt causes that changed inside a halt", { timeout: 60_000 }, async () => {
    const { factory } = testFactory(14);
    const markets = [market('m1', 'y1', 'n1', 'TEMPORAL_ACTIVE')];
    const state = (previous: string, s: string, reason: string | null) => factory.make('MARKET_STATE', { state: s, previous, reason }, { market_id: 'm1' });
    const events: HeliosEvent[] = [
      state('IDLE', 'HALT', 'circuit_breaker,reconcile_break,stale_book,stale_nowcast'),
      state('HALT', 'HALT', 'reconcile_break,stale_nowcast'),
      state('HALT', 'HALT', null),
      state('HALT', 'TEMPORAL_ACTIVE', 'buy edge 0.1015 on the newest nowcast'),
    ];
    // Both books ten levels deep with four-digit sizes, and a tape: the market row's widest content.
    const levels = (from: number, step: number) => Array.from({ length: 10 }, (_, i) => [Number((from + step * i).toFixed(2)), 4441.4 + i] as [number, number]);
    for (const [t, bid] of [['y1', 0.7], ['n1', 0.24]] as const) {
      events.push(factory.make('L2_SNAPSHOT', { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: levels(bid, -0.01), asks: levels(bid + 0.02, 0.01), best_bid: bid, best_ask: bid + 0.02, mid: bid + 0.01, spread: 0.02, microprice: bid + 0.01, imbalance: 0, hash: null }, { market_id: 'm1', token_id: t }));
      for (let i = 0; i < 5; i++) events.push(factory.make('TRADE', { price: bid, size: 4441.4 + i, side: i % 2 ? 'BUY' : 'SELL', fee_rate_bps: null }, { market_id: 'm1', token_id: t }));
    }
    for (const viewport of [{ width: 1400, height: 900 }, { width: 1280, height: 800 }, { width: 900, height: 800 }]) {
      const { page, errors } = await open(markets, events, viewport, '#/market/m1');
      await expect.poll(() => page.locator('[data-testid=transitions] tr').count()).toBe(2);
      expect(await page.locator('[data-testid=transitions] tr').allInnerTexts()).toEqual([
        expect.stringMatching(/HALT\s+→\s+TEMPORAL_ACTIVE\s+buy edge 0\.1015 on the newest nowcast$/),
        expect.stringMatching(/IDLE\s+→\s+HALT\s+circuit_breaker,reconcile_break,stale_book,stale_nowcast$/),
      ]);
      expect(await clipped(page, '.panel:has([data-testid=transitions]), [data-testid=transitions] td, [data-testid=transitions] .reason'), `at ${viewport.width} px`).toEqual([]);
      // Nor are the ladders and the tape (their widest rows: four-digit sizes, every level).
      await expect.poll(() => page.locator('[data-testid=ladder] tbody tr').count()).toBeGreaterThan(0);
      expect(await clipped(page, '.market-row > .panel'), `at ${viewport.width} px`).toEqual([]);
      // The Decisions list says what a HALT → HALT is: the causes now.
      await page.goto(page.url().replace(/#.*$/, '#/decisions'));
      await expect.poll(() => page.locator('[data-testid=decision-list] tr').count()).toBe(4);
      expect(await page.locator('[data-testid=decision-list] td.summary').allInnerTexts()).toEqual([
        'HALT → TEMPORAL_ACTIVE (buy edge 0.1015 on the newest nowcast)',
        'HALT, causes now: none (cool-down)',
        'HALT, causes now: reconcile_break,stale_nowcast',
        'IDLE → HALT (circuit_breaker,reconcile_break,stale_book,stale_nowcast)',
      ]);
      expect(errors).toEqual([]);
    }
  });

  it("market: the ladder marks our resting orders on its token alone, the order list its market's orders alone (read by market)", { timeout: 60_000 }, async () => {
    const { factory } = testFactory(15);
    const markets = [market('m1', 'y1', 'n1', 'TEMPORAL_ACTIVE'), market('m2', 'y2', 'n2', 'TEMPORAL_ACTIVE')];
    const events: HeliosEvent[] = [];
    for (const [m, t] of [['m1', 'y1'], ['m1', 'n1'], ['m2', 'y2']] as const) {
      events.push(factory.make('L2_SNAPSHOT', { resync_epoch_id: 1, synced: true, tick_size: 0.01, bids: [[0.4, 50], [0.39, 50]], asks: [[0.42, 50]], best_bid: 0.4, best_ask: 0.42, mid: 0.41, spread: 0.02, microprice: null, imbalance: null, hash: null }, { market_id: m, token_id: t }));
    }
    const order = (id: string, m: string, t: string, status: OrderStatus, size: number, filled = 0) =>
      factory.make('ORDER_UPDATE', { client_order_id: id, venue_order_id: null, status, side: 'BUY', order_type: 'GTC', price: 0.4, size, filled_size: filled, strategy: 'temporal', reason: null }, { market_id: m, token_id: t });
    // Resting on m1's YES: 10 left of one, 3 of another; a filled one and another market's order rest nowhere here.
    events.push(order('o1', 'm1', 'y1', 'open', 10), order('o2', 'm1', 'y1', 'partially_filled', 5, 2), order('o3', 'm1', 'y1', 'filled', 4, 4), order('o4', 'm2', 'y2', 'open', 7), order('o5', 'm1', 'n1', 'open', 6));
    const { page, errors } = await open(markets, events, { width: 1400, height: 900 }, '#/market/m1');
    await expect.poll(() => page.locator('[data-testid=ladder]').count()).toBe(2);
    const mine = (t: string) => page.locator(`[data-testid=ladder][data-token=${t}] td.mine`).allInnerTexts();
    await expect.poll(async () => (await mine('y1')).filter(Boolean)).toEqual(['◆ 13.0']);
    expect((await mine('n1')).filter(Boolean)).toEqual(['◆ 6.0']);
    // All stamped alike: newest first keeps the order they were first seen in.
    expect(await page.locator('[data-testid=orders] tbody tr td.mono').allInnerTexts()).toEqual(['o1', 'o2', 'o3', 'o5']);
    expect(errors).toEqual([]);
  });

  it('controls: a server that takes no actions says why and offers none; one that takes them asks for the token', { timeout: 60_000 }, async () => {
    const why = 'mutating endpoints are disabled: set HELIOS_API_TOKEN to enable them';
    const refusing = await open([], [], { width: 1400, height: 900 }, '#/controls', why);
    await expect.poll(() => refusing.page.locator('[data-testid=actions-refused]').innerText()).toBe(`this server takes no actions: ${why}`);
    for (const b of ['halt', 'resume', 'reconcile']) expect(await refusing.page.locator(`[data-testid=${b}]`).isDisabled(), b).toBe(true);
    expect(await refusing.page.locator('[data-testid=token]').count()).toBe(0);
    const taking = await open([], [], { width: 1400, height: 900 }, '#/controls');
    await expect.poll(() => taking.page.locator('[data-testid=token]').count()).toBe(1);
    expect(await taking.page.locator('[data-testid=actions-refused]').count()).toBe(0);
    for (const b of ['halt', 'resume', 'reconcile']) expect(await taking.page.locator(`[data-testid=${b}]`).isDisabled(), b).toBe(false);
    expect([...refusing.errors, ...taking.errors]).toEqual([]);
  });

  it('health: a replay without HEALTH events says why the view is empty; a daemon waits for its first', { timeout: 60_000 }, async () => {
    const replay = await open([], [], { width: 1400, height: 900 }, '#/health', undefined, 'replay');
    await expect.poll(() => replay.page.locator('[data-testid=health-waiting]').innerText()).toMatch(/^no HEALTH event replayed so far \(a recording holds them only if its daemon recorded the health channel/);
    const live = await open([], [], { width: 1400, height: 900 }, '#/health');
    await expect.poll(() => live.page.locator('[data-testid=health-waiting]').innerText()).toBe('waiting for the first HEALTH event…');
    // (The stand-in has no /subscriptions or /reconciler/metrics, which the view polls off replay: those 404s aside.)
    expect([...replay.errors, ...live.errors].filter((e) => !e.includes('404 (Not Found)'))).toEqual([]);
  });
});
