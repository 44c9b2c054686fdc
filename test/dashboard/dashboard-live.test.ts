import type { Browser, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { childEnv, processScope } from '../daemon/support/helios-process.ts';
import { openDaemonPage } from './support/daemon-page.ts';
import { requireChromium, screenshot } from './support/browser.ts';
import { JUDGE_DAYS, TWO_JUDGE_DAYS } from './support/two-judge-days.ts';

/**
 * The dashboard in a real Chromium against a real `helios run` (the embedded default: simulated
 * venue, weather and esports, paper execution): what an operator sees appears, updates with the
 * pushes, and a halt given on the page reaches the daemon and comes back on the control channel.
 */

const TOKEN = 'dash-token-7c2e';
const scope = processScope('helios-dash-');
const hasChromium = requireChromium();

describe.skipIf(!hasChromium)('dashboard on a live daemon (Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let url: string;
  let errors: string[];

  beforeAll(async () => {
    ({ url, browser, page, errors } = await openDaemonPage(scope, childEnv({ HELIOS_API_TOKEN: TOKEN, ...TWO_JUDGE_DAYS })));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const text = (selector: string) => page.locator(selector).first().innerText();

  it('overview: every market of the embedded default has a row whose figures update with the pushes', { timeout: 60_000 }, async () => {
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('[data-testid=markets] tbody tr').count(), { timeout: 20_000 }).toBe(13);
    // A bucket's label repeats across the two days: its row names its day.
    const names = await page.locator('[data-testid=markets] tbody tr td:first-child').allInnerTexts();
    expect(new Set(names).size).toBe(13);
    expect(names.filter((n) => / · 12-08$/.test(n))).toHaveLength(5);
    expect(names.filter((n) => / · 12-09$/.test(n))).toHaveLength(5);
    // The mode comes from its own request (settings.json), independent of the rows: it may land after them.
    await expect.poll(() => text('[data-testid=mode]')).toBe('sim · paper');
    await expect.poll(() => text('[data-testid=connection]')).toContain('open');
    // Every row gets its mid from the book pushes; then the page keeps repainting as frames come.
    await expect.poll(async () => (await page.locator('[data-testid=market-mid]').allInnerTexts()).filter((t) => t !== '—').length, { timeout: 20_000 }).toBe(13);
    const before = await page.evaluate(() => (globalThis as any).__helios.paints as number);
    const dataTimeBefore = await text('.card:last-child b');
    await expect.poll(() => text('.card:last-child b'), { timeout: 10_000 }).not.toBe(dataTimeBefore);
    expect(await page.evaluate(() => (globalThis as any).__helios.paints as number)).toBeGreaterThan(before);
    // Filter and sort act on the rows.
    await page.fill('[data-testid=market-filter]', 'KLGA');
    await expect.poll(() => page.locator('[data-testid=markets] tbody tr').count()).toBe(10);
    await page.fill('[data-testid=market-filter]', '');
    await page.click('th:has-text("mid")');
    const mids = (await page.locator('[data-testid=market-mid]').allInnerTexts()).map(Number);
    expect(mids.filter((m, i) => i > 0 && m < mids[i - 1]!)).toEqual([]);
    await page.click('th:has-text("market")');
    await screenshot(page, 'overview');
    expect(errors).toEqual([]);
  });

  it('health: feed staleness against thresholds, stage latency and sparklines from HEALTH pushes', { timeout: 60_000 }, async () => {
    await page.goto(`${url}/#/health`);
    await expect.poll(() => page.locator('[data-testid=feeds] tbody tr').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
    expect(await page.locator('[data-testid=feeds] tr[data-feed=market] td').nth(2).innerText()).toBe('15.0s');
    await expect.poll(() => page.locator('[data-testid=stages] tbody tr').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    // The hot path, stage by stage, with the p50/p99 the daemon measured on live traffic.
    expect(await page.locator('[data-testid=hot-path] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-stage')))).toEqual(['frame_to_book', 'book_to_best_price', 'best_price_to_decision', 'decision_to_order']);
    for (const stage of ['frame_to_book', 'book_to_best_price', 'best_price_to_decision']) {
      await expect.poll(() => text(`[data-testid=hot-path] tr[data-stage=${stage}] [data-testid=p99]`), { timeout: 20_000 }).toMatch(/^\d+(\.\d+)?ms$/);
    }
    // Orders are sporadic: some interval since the page opened has timed one.
    await expect.poll(() => page.evaluate(() => (globalThis as any).__helios.store.health.history.some((h: any) => typeof h.stage_latency_ms.decision_to_order_p99 === 'number')), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => text('[data-testid=reconciler]'), { timeout: 10_000 }).toBe('26 / 26'); // both tokens of the 13 markets
    // Sparklines draw once a few HEALTH events have come.
    await expect.poll(() => page.evaluate(() => (globalThis as any).__helios.store.health.history.length), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-testid=feeds] canvas').count()).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'health');
    expect(errors).toEqual([]);
  });

  it('market: the ladder of both tokens with spread, microprice and imbalance, and the tape', { timeout: 60_000 }, async () => {
    await page.goto(`${url}/#/market`);
    await expect.poll(() => page.locator('[data-testid=ladder]').count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => page.locator('[data-testid=ladder] tbody tr').count(), { timeout: 20_000 }).toBeGreaterThan(4);
    expect(await text('[data-testid=ladder] .stats')).toMatch(/mid \d\.\d{3}\s+spread \d\.\d{3}\s+micro \d\.\d{4}\s+imb -?\d+\.\d%/);
    const stamp = await text('[data-testid=ladder] .stats .dim');
    await expect.poll(() => text('[data-testid=ladder] .stats .dim'), { timeout: 10_000 }).not.toBe(stamp);
    await expect.poll(() => page.locator('[data-testid=tape] tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await screenshot(page, 'market');
    expect(errors).toEqual([]);
  });

  it('world, nowcast and truth: the station, its METARs and PWS cluster, P(bucket) beside the bucket prices, each match', { timeout: 90_000 }, async () => {
    await page.goto(`${url}/#/world`);
    const station = page.locator('[data-testid=station][data-station=KLGA]');
    await expect.poll(() => station.locator('[data-testid=metars] tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => station.locator('[data-testid=pws] tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await station.locator('[data-testid=judge-max]').innerText()).toMatch(/^-?\d+°F$/);
    await screenshot(page, 'world');

    await page.goto(`${url}/#/nowcast`);
    // One panel per judge day of KLGA, in order: each day's nowcast beside that day's five bucket markets.
    const panels = page.locator('[data-testid=nowcast][data-station=KLGA]');
    await expect.poll(() => panels.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-judge-day'))), { timeout: 30_000 }).toEqual(JUDGE_DAYS);
    const listed = (await (await fetch(`${url}/markets`)).json()) as Array<{ market_id: string; station_id: string | null; judge_day: string | null }>;
    for (const day of JUDGE_DAYS) {
      const nowcast = page.locator(`[data-testid=nowcast][data-station=KLGA][data-judge-day="${day}"]`);
      expect(await nowcast.locator('h3').first().textContent()).toContain(`judge day ${day}`);
      await expect.poll(() => nowcast.locator('[data-testid=buckets] tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(5);
      // The five traded buckets of the day carry their market's mid next to P(bucket).
      await expect.poll(async () => (await nowcast.locator('[data-testid=bucket-mid]').allInnerTexts()).filter((t) => t !== '—').length, { timeout: 20_000 }).toBe(5);
      // ... and those markets are the day's own, not the other day's of the same label.
      const paired = await nowcast.locator('[data-testid=buckets] tbody tr[data-market]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-market')));
      expect(paired.sort()).toEqual(listed.filter((m) => m.station_id === 'KLGA' && m.judge_day === day).map((m) => m.market_id).sort());
      const ps = (await nowcast.locator('[data-testid=bucket-p]').allInnerTexts()).map((t) => Number(t.replace('%', '')));
      expect(Math.abs(ps.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.5);
    }
    // A new nowcast replaces the shown one of its day as observations arrive.
    const today = page.locator(`[data-testid=nowcast][data-station=KLGA][data-judge-day="${JUDGE_DAYS[0]}"]`);
    const issued = await today.locator('h3').first().innerText();
    await expect.poll(() => today.locator('h3').first().innerText(), { timeout: 30_000 }).not.toBe(issued);
    await screenshot(page, 'nowcast');

    await page.goto(`${url}/#/truth`);
    await expect.poll(() => page.locator('[data-testid=match]').count(), { timeout: 30_000 }).toBe(3);
    expect(await page.locator('[data-testid=truth-state]').allInnerTexts()).not.toContain('—');
    await screenshot(page, 'truth');
    expect(errors).toEqual([]);
  });

  it('machines: the market machine drawn offline from its exported graph, the chosen market\'s state highlighted', { timeout: 60_000 }, async () => {
    await page.goto(`${url}/#/machines`);
    await expect.poll(() => page.locator('[data-testid=statechart] g.state').count(), { timeout: 10_000 }).toBe(7);
    const state = await page.locator('[data-testid=actor-state]').innerText();
    expect(['IDLE', 'BUILDING_PAIR', 'LOCKED_PAIR', 'TEMPORAL_ACTIVE', 'HALT', 'FINALIZING', 'RESOLVED']).toContain(state);
    // The highlighted box is the state the page shows for the chosen market (both follow the pushes).
    const highlighted = async () => (await page.locator('[data-testid=statechart] g.state.active').getAttribute('data-state')) === (await page.locator('[data-testid=actor-state]').innerText());
    await expect.poll(highlighted, { timeout: 10_000 }).toBe(true);
    expect(await page.locator('[data-testid=machine-transitions] tr').count()).toBeGreaterThan(10);
    // The transitions' panel shows each guard whole, without scrolling sideways.
    const sideways = () => page.locator('.machine-row > .panel:has([data-testid=machine-transitions])').evaluate((p) => p.scrollWidth - p.clientWidth);
    expect(await sideways()).toBe(0);
    await page.selectOption('[data-testid=machine-select]', 'truth');
    await expect.poll(() => page.locator('[data-testid=statechart] g.state.active').count(), { timeout: 10_000 }).toBe(1);
    await page.selectOption('[data-testid=machine-select]', 'market-trading');
    await screenshot(page, 'machines');
    expect(errors).toEqual([]);
  });

  it('controls: a market halt given on the page reaches the daemon, is answered, and shows on the overview', { timeout: 60_000 }, async () => {
    const markets = (await (await fetch(`${url}/markets`)).json()) as Array<{ market_id: string; label: string; fair_source: string }>;
    // A temperature bucket (the simulated ladder follows the season: no label is fixed).
    const target = markets.find((m) => m.fair_source === 'nowcast')!;
    expect(target.label).toMatch(/°F/);
    await page.goto(`${url}/#/controls`);
    // Without the token the daemon refuses, and the page says so.
    await page.click('[data-testid=reconcile]');
    await expect.poll(() => text('[data-testid=answer-status]')).toBe('401');
    await page.fill('[data-testid=token]', TOKEN);
    await page.click('[data-testid=token-save]');
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('helios.api_token'))).toBe(TOKEN);
    await page.selectOption('[data-testid=scope]', 'market');
    await page.selectOption('[data-testid=control-market]', target.market_id);
    await page.fill('[data-testid=reason]', 'operator check from the dashboard');
    await page.click('[data-testid=halt]');
    await expect.poll(() => text('[data-testid=answer-status]')).toBe('200');
    expect(await text('[data-testid=answers] td.mono')).toContain('"accepted":true');
    // The daemon has it, and the HALT came back on the control channel.
    await vi.waitFor(async () => {
      const now = (await (await fetch(`${url}/markets`)).json()) as Array<{ market_id: string; state: string; halt_causes: string[] }>;
      expect(now.find((m) => m.market_id === target.market_id)).toMatchObject({ state: 'HALT' });
    }, 10_000);
    await expect.poll(() => text('[data-testid=control-log]'), { timeout: 10_000 }).toContain('operator check from the dashboard');
    await screenshot(page, 'controls');
    await page.goto(`${url}/#/overview`);
    const row = page.locator(`[data-testid=markets] tr[data-market="${target.market_id}"]`);
    await expect.poll(() => row.locator('[data-testid=market-state]').innerText(), { timeout: 20_000 }).toBe('HALT');
    await page.goto(`${url}/#/controls`);
    await page.selectOption('[data-testid=scope]', 'market');
    await page.selectOption('[data-testid=control-market]', target.market_id);
    await page.click('[data-testid=resume]');
    await expect.poll(() => text('[data-testid=answer-status]')).toMatch(/^(200|409)$/);
    // The browser reports the refusals (the unauthenticated request, and a resume the risk engine
    // may refuse) as failed loads; nothing else went wrong.
    expect(errors).toContain('console: Failed to load resource: the server responded with a status of 401 (Unauthorized)');
    expect(errors.filter((e) => !/status of (401|409) /.test(e))).toEqual([]);
  });
});
