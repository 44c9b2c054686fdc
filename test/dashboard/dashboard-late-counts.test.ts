import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { childEnv, processScope } from '../daemon/support/helios-process.ts';
import { openDaemonPage } from './support/daemon-page.ts';
import { requireChromium, watchErrors } from './support/browser.ts';

/**
 * A page opened late on a real `helios run` whose dashboard backlog keeps only the newest two order
 * updates and fills (api.dashboard_backlog_*): the orders and fills cards show the session's
 * totals from the first paint, then add what is pushed, each order and fill once.
 */

const scope = processScope('helios-dash-counts-');
const hasChromium = requireChromium();

interface Snapshot {
  totals: { orders: number; fills: number; fills_failed: number; through: string | null };
  risk: { state: string } | null;
  events: Array<{ type: string; payload: { status?: string } }>;
}

describe.skipIf(!hasChromium)('dashboard orders and fills counts on a page opened late (Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    const dir = scope.tempDir();
    const config = path.join(dir, 'config.yaml');
    // The simulated day pinned to a morning (the stations' time): from mid-afternoon on the day's
    // highs are nearly settled and the daemon trades little, so a run started then by the wall
    // clock placed no order after the page opened.
    writeFileSync(config, "api:\n  dashboard_backlog_order_updates: 2\n  dashboard_backlog_fills: 2\ndaemon:\n  sim:\n    start_at: '2026-12-07T10:00:00-05:00'\n");
    ({ url, browser, page } = await openDaemonPage(scope, childEnv(), { args: ['--data-dir', path.join(dir, 'data'), '--config', config], viewport: { width: 1400, height: 900 } }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const snapshot = async () => (await (await fetch(`${url}/dashboard/snapshot.json`)).json()) as Snapshot;
  const cards = async () => ({ orders: Number(await page.locator('[data-testid=orders-count]').innerText()), fills: Number(await page.locator('[data-testid=fills-count]').innerText()) });
  const totals = async () => ((t) => ({ orders: t.orders, fills: t.fills }))((await snapshot()).totals);

  it('the cards equal the server totals though the backlog rolled past the first orders and fills, and grow with the pushes', { timeout: 150_000 }, async () => {
    // Trading until the backlog no longer holds the first orders and fills.
    await vi.waitFor(
      async () => {
        const s = await snapshot();
        expect(s.totals.orders).toBeGreaterThanOrEqual(4);
        expect(s.totals.fills).toBeGreaterThanOrEqual(3);
      },
      { timeout: 100_000, interval: 500 },
    );
    const late = await snapshot();
    const backlogOrders = late.events.filter((e) => e.type === 'ORDER_UPDATE' && e.payload.status === 'pending').length;
    const backlogFills = late.events.filter((e) => e.type === 'FILL' && e.payload.status === 'MATCHED').length;
    expect(backlogOrders).toBeLessThan(late.totals.orders);
    expect(backlogFills).toBeLessThan(late.totals.fills);
    // The server's totals are the daemon's own run counters (counted apart, by the observer).
    const stats = (await (await fetch(`${url}/stats`)).json()) as { summary: { orders: number; fills: number } };
    expect(stats.summary.orders).toBeGreaterThanOrEqual(late.totals.orders);
    expect(stats.summary.fills).toBeGreaterThanOrEqual(late.totals.fills);

    const errors = watchErrors(page);
    await page.goto(`${url}/`);
    await expect.poll(() => page.evaluate(() => (globalThis as any).__helios?.ready === true), { timeout: 20_000 }).toBe(true);
    // The daemon trades on: the cards and a fresh answer agree once no order lands between the two reads.
    await expect.poll(async () => JSON.stringify(await cards()) === JSON.stringify(await totals()), { timeout: 20_000 }).toBe(true);
    const opened = await cards();
    // The risk state is the trading side's at connect, not a default.
    expect((await snapshot()).risk?.state).toMatch(/^(ACTIVE|REDUCING|HALTED)$/);
    await expect.poll(async () => (await page.locator('[data-testid=risk-state]').innerText()) === (await snapshot()).risk?.state).toBe(true);
    expect(opened.orders).toBeGreaterThanOrEqual(late.totals.orders);

    // Orders and fills pushed after the page opened add to the cards, once each.
    await vi.waitFor(async () => expect((await totals()).orders).toBeGreaterThan(opened.orders + 1), { timeout: 100_000, interval: 500 });
    await expect.poll(async () => JSON.stringify(await cards()) === JSON.stringify(await totals()), { timeout: 20_000 }).toBe(true);
    expect((await cards()).orders).toBeGreaterThan(opened.orders);
    expect(errors).toEqual([]);
  });
});
