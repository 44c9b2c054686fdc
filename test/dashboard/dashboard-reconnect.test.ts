import { PassThrough } from 'node:stream';
import type { Browser, Page, WebSocketRoute } from '@playwright/test';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChannelServer } from '../../src/adapters/api/channel-server.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { RecentEvents } from '../../src/apps/dashboard/recent-events.ts';
import type { HeliosEvent } from '../../src/domain/events/catalog.ts';
import { testFactory } from '../support/events.ts';
import { launchChromium, requireChromium, watchErrors } from './support/browser.ts';
import { dashboardFilesServer } from './support/files-server.ts';

/**
 * The page's socket closes and opens again: against a daemon restarted on the same port (another
 * state), or the same one that went on meanwhile. The page then shows what a page opened now
 * shows — nothing of the old session, nothing missed, nothing twice — and goes on with the pushes.
 * A stand-in daemon on loopback (the dashboard's files, recent.json, /markets, the channel server)
 * so the state on either side of the restart is known exactly.
 */

const hasChromium = requireChromium();
const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
const { factory } = testFactory(7);
const MARKETS = [{ market_id: 'm1', label: '80-81°F', station_id: 'KLGA', match_id: null, fair_source: 'nowcast', yes_token: 'y1', no_token: 'n1', state: 'IDLE', halt_causes: [] }];

const order = (id: string) =>
  factory.make('ORDER_UPDATE', { client_order_id: id, venue_order_id: null, status: 'pending', side: 'BUY', order_type: 'FAK', price: 0.4, size: 5, filled_size: 0, strategy: 'temporal', reason: null }, { market_id: 'm1', token_id: 'y1' });
const fill = (id: string) =>
  factory.make('FILL', { client_order_id: id, fill_id: `${id}-f`, status: 'MATCHED', side: 'BUY', price: 0.4, size: 5, fee_usdc: 0, liquidity: 'taker', strategy: 'temporal' }, { market_id: 'm1', token_id: 'y1' });
const position = (shares: number, unrealized: number) =>
  factory.make('POSITION', { shares, avg_cost: 0.4, realized_pnl: 0, unrealized_pnl: unrealized, fees_paid: 0, by_strategy: {} }, { market_id: 'm1', token_id: 'y1' });

interface StandIn {
  url: string;
  port: number;
  /** As the daemon publishes: into the recent past and to the connected pages. */
  emit(e: HeliosEvent): void;
  close(): Promise<void>;
}

const running: StandIn[] = [];

async function standIn(port: number, events: HeliosEvent[]): Promise<StandIn> {
  const recent = new RecentEvents();
  for (const e of events) recent.emit(e);
  const http = dashboardFilesServer({ mode: 'sim · paper', name: 'stand-in daemon', port, recent, logger, routes: { '/markets': { method: 'GET', handler: () => MARKETS } } });
  const channels = new ChannelServer(http.server, { path: '/ws', maxFrameBytes: 4096, maxBufferedBytes: 1 << 20, slowPolicy: 'coalesce', maxClients: 8, logger });
  const url = await http.listen();
  let closed = false;
  const s: StandIn = {
    url,
    port: http.port,
    emit: (e) => (recent.emit(e), channels.emit(e)),
    close: async () => {
      if (closed) return;
      closed = true;
      await channels.close();
      await http.close();
    },
  };
  running.push(s);
  return s;
}

describe.skipIf(!hasChromium)('dashboard after its socket reopens (Chromium)', () => {
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
    await Promise.all(running.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const open = async (url: string, route?: (page: Page) => Promise<void>) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    pages.push(page);
    await route?.(page);
    await page.goto(`${url}/`);
    await expect.poll(() => page.evaluate(() => (globalThis as any).__helios?.ready === true)).toBe(true);
    await expect.poll(() => page.locator('[data-testid=connection]').innerText()).toContain('open');
    return page;
  };
  const seen = (page: Page) =>
    page.evaluate(() => {
      const s = (globalThis as any).__helios.store;
      return {
        orders: [...s.orders.keys()].sort(),
        fills: s.fills.map((f: any) => f.fill_id).sort(),
        counts: s.counts,
        positions: [...s.positions.entries()].map(([t, p]: [string, any]) => [t, p.shares, p.unrealized_pnl]),
      };
    });
  const shown = (page: Page) => page.locator('main').innerText();

  it('a daemon restarted on the same port: the old session\'s orders, fills and position are gone, the new one\'s shown once, then its pushes', { timeout: 60_000 }, async () => {
    const first = await standIn(0, [order('a1'), order('a2'), order('a3'), fill('a1'), fill('a2'), fill('a3'), position(12.3, 0.1853)]);
    const page = await open(first.url);
    const errors = watchErrors(page);
    await expect.poll(() => page.locator('[data-testid=orders-count]').innerText()).toBe('3');
    expect(await page.locator('[data-testid=markets] tr[data-market=m1]').innerText()).toContain('+0.1853');

    await first.close();
    await expect.poll(() => page.locator('[data-testid=connection]').innerText()).toContain('closed');
    const second = await standIn(first.port, [order('b1'), fill('b1')]);
    await expect.poll(() => page.locator('[data-testid=connection]').innerText(), { timeout: 15_000 }).toContain('open');
    await expect.poll(() => seen(page), { timeout: 10_000 }).toEqual({ orders: ['b1'], fills: ['b1-f'], counts: { orders: 1, fills: 1, fills_failed: 0 }, positions: [] });
    // The store is ahead of the page by a render (it draws on the next animation frame).
    await expect.poll(() => page.locator('[data-testid=orders-count]').innerText()).toBe('1');
    await expect.poll(() => page.locator('[data-testid=fills-count]').innerText()).toBe('1');
    expect(await page.locator('[data-testid=markets] tr[data-market=m1]').innerText()).not.toContain('12.3');
    // Exactly what a page opened now on the new daemon shows.
    const fresh = await open(second.url);
    expect(await shown(page)).toBe(await shown(fresh));
    expect(await page.evaluate(() => (globalThis as any).__helios.store.connection.reconnects)).toBe(1);

    // The new daemon's pushes fold on top, once.
    second.emit(order('b2'));
    second.emit(position(2, -0.05));
    await expect.poll(() => seen(page)).toEqual({ orders: ['b1', 'b2'], fills: ['b1-f'], counts: { orders: 2, fills: 1, fills_failed: 0 }, positions: [['y1', 2, -0.05]] });
    await expect.poll(() => page.locator('[data-testid=orders-count]').innerText()).toBe('2');
    expect(errors).toEqual([]);
  });

  it('the same daemon, socket away for a while: what happened meanwhile shows once it is back, nothing twice', { timeout: 60_000 }, async () => {
    const daemon = await standIn(0, [order('c1'), fill('c1'), position(5, 0.01)]);
    let away = false;
    const sockets: WebSocketRoute[] = [];
    const page = await open(daemon.url, (p) =>
      p.routeWebSocket(/\/ws$/, (ws) => {
        if (away) return void ws.close();
        ws.connectToServer();
        sockets.push(ws);
      }),
    );
    const errors = watchErrors(page);
    await expect.poll(() => page.locator('[data-testid=orders-count]').innerText()).toBe('1');

    away = true;
    await Promise.all(sockets.map((s) => s.close()));
    await expect.poll(() => page.locator('[data-testid=connection]').innerText()).toContain('closed');
    // Published while the page's socket is away: no frame reaches it.
    daemon.emit(order('c2'));
    daemon.emit(fill('c2'));
    daemon.emit(position(10, 0.02));
    away = false;

    await expect.poll(() => seen(page), { timeout: 15_000 }).toEqual({ orders: ['c1', 'c2'], fills: ['c1-f', 'c2-f'], counts: { orders: 2, fills: 2, fills_failed: 0 }, positions: [['y1', 10, 0.02]] });
    // What happened meanwhile comes from the recent past the page reads as it reconnects: the
    // socket may still be opening when it shows (under load it was, once).
    await expect.poll(() => page.locator('[data-testid=connection]').innerText(), { timeout: 15_000 }).toContain('open');
    expect(await shown(page)).toBe(await shown(await open(daemon.url)));
    daemon.emit(order('c3'));
    await expect.poll(() => page.locator('[data-testid=orders-count]').innerText()).toBe('3');
    expect(errors).toEqual([]);
  });
});
