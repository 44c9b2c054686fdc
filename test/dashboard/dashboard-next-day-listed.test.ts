import type { Browser, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, processScope } from '../daemon/support/helios-process.ts';
import { openDaemonPage } from './support/daemon-page.ts';
import { requireChromium } from './support/browser.ts';
import { JUDGE_DAYS } from './support/two-judge-days.ts';

/**
 * A page open when a station's next judge day is listed (noon at KLGA): the new day's buckets get
 * their rows named with their day and a nowcast panel of their own, without a reload.
 */

const scope = processScope('helios-dash-next-day-');
const hasChromium = requireChromium();

describe.skipIf(!hasChromium)('dashboard open across noon at a station (Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let url: string;
  let errors: string[];

  beforeAll(async () => {
    // 10 simulated minutes before noon: 30 s of the test's time at --speed 20, enough to open the page first.
    ({ url, browser, page, errors } = await openDaemonPage(scope, childEnv({ HELIOS_DAEMON__SIM__START_AT: `${JUDGE_DAYS[0]}T11:50:00-05:00` })));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('lists the next day\'s buckets as they come: rows named by day, a panel per day', { timeout: 90_000 }, async () => {
    await page.goto(`${url}/#/nowcast`);
    const days = () => page.locator('[data-testid=nowcast][data-station=KLGA]').evaluateAll((ps) => ps.map((p) => p.getAttribute('data-judge-day')));
    await expect.poll(days, { timeout: 20_000 }).toEqual(JUDGE_DAYS.slice(0, 1));
    expect(await page.evaluate(() => (globalThis as any).__helios.store.markets.size)).toBe(8);
    // Noon at KLGA: the next day's five buckets are listed while the page is open.
    await expect.poll(days, { timeout: 60_000 }).toEqual(JUDGE_DAYS);
    const tomorrow = page.locator(`[data-testid=nowcast][data-station=KLGA][data-judge-day="${JUDGE_DAYS[1]}"]`);
    await expect.poll(() => tomorrow.locator('[data-testid=buckets] tbody tr[data-market]').count(), { timeout: 10_000 }).toBe(5);
    await page.goto(`${url}/#/overview`);
    await expect.poll(() => page.locator('[data-testid=markets] tbody tr').count(), { timeout: 10_000 }).toBe(13);
    const names = await page.locator('[data-testid=markets] tbody tr td:first-child').allInnerTexts();
    expect(names.filter((n) => / · 12-09$/.test(n))).toHaveLength(5);
    expect(new Set(names).size).toBe(13);
    expect(errors).toEqual([]);
  });
});
