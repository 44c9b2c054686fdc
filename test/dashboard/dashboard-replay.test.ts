import type { Browser, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { childEnv, HeliosProcess, processScope } from '../daemon/support/helios-process.ts';
import { TWO_JUDGE_DAYS } from './support/two-judge-days.ts';
import { launchChromium, requireChromium, screenshot, watchErrors } from './support/browser.ts';

/**
 * Replay mode in a real Chromium: a daemon records a few minutes of the embedded default, then
 * `helios replay --serve --paused` serves that recorded range to the same page. The page plays
 * it, stops on the next trading decision and shows its correlation_id and the events behind it.
 */

const { procs, tempDir } = processScope('helios-dash-replay-');
const hasChromium = requireChromium();

describe.skipIf(!hasChromium)('dashboard in replay mode (Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let url: string;
  let errors: string[];
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir();
    const daemon = new HeliosProcess(['run', '--port', '0', '--data-dir', dataDir, '--speed', '20'], childEnv(TWO_JUDGE_DAYS));
    procs.push(daemon);
    const api = await daemon.apiUrl();
    // Recorded until the trading node has decided something (a policy and an order) and the world
    // feed has reported METARs: the embedded default's first order (the match already under way)
    // can come before the weather feed's first reports.
    await vi.waitFor(
      async () => {
        const stats = (await (await fetch(`${api}/stats`)).json()) as { summary: { orders: number }; counters: { metar_obs: number } };
        expect(stats.summary.orders).toBeGreaterThan(0);
        expect(stats.counters.metar_obs).toBeGreaterThan(0);
      },
      { timeout: 60_000, interval: 250 },
    );
    daemon.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const replay = new HeliosProcess(['replay', '--serve', '--paused', '--port', '0', '--data-dir', dataDir], childEnv());
    procs.push(replay);
    url = (await replay.waitForLine(/replay: serving ws:\/\/(127\.0\.0\.1:\d+)\//, 20_000))[1]!;
    url = `http://${url}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = watchErrors(page);
  }, 120_000);

  const replayStatus = async () =>
    (await (await fetch(`${url}/replay/status`)).json()) as {
      state: string;
      emitted: number;
      speed: number;
      now: number;
      from: number;
      to: number;
      last_event_ts: number | null;
      range: { from: number; to: number } | null;
    };

  afterAll(async () => {
    await browser?.close();
  });

  it('loads the recorded range, plays, pauses on a decision and shows its correlation_id and inputs', { timeout: 90_000 }, async () => {
    await page.goto(`${url}/`);
    // The same page: the replay bar appears because /replay/status answers, the markets from the recorded catalog.
    await expect.poll(() => page.locator('[data-testid=replay-state]').innerText(), { timeout: 10_000 }).toBe('idle');
    await expect.poll(() => page.locator('[data-testid=markets] tbody tr').count()).toBe(13);
    // The catalog names each bucket's judge day: the two days' rows of a label read apart.
    expect(new Set(await page.locator('[data-testid=markets] tbody tr td:first-child').allInnerTexts()).size).toBe(13);
    expect(await page.locator('[data-testid=mode]').innerText()).toBe('replay');
    // Nothing played: no risk event yet, so no risk state is claimed (a replay server has no trading side to ask).
    expect(await page.locator('[data-testid=risk-state]').innerText()).toBe('—');
    expect(await page.locator('[data-testid=kill-switch]').innerText()).toBe('—');
    expect(((await (await fetch(`${url}/dashboard/snapshot.json`)).json()) as { risk: unknown }).risk).toBeNull();
    // Before anything plays, the timeline already shows where the recorded METARs and orders are.
    await expect.poll(() => page.locator('[data-testid=timeline] .marker').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const kinds = await page.locator('[data-testid=timeline] .marker').evaluateAll((els) => els.map((e) => (e as any).title as string));
    expect(kinds.some((t) => /METAR/.test(t))).toBe(true);
    expect(kinds.some((t) => /(BUY|SELL) /.test(t))).toBe(true);
    // A speed none of the presets names (replay --serve --speed 30, or a POST) is shown, not a blank select.
    expect((await fetch(`${url}/replay/speed?x=30`, { method: 'POST' })).status).toBe(200);
    const speedSelect = page.locator('[data-testid=replay-speed]');
    await expect.poll(() => speedSelect.inputValue(), { timeout: 10_000 }).toBe('30');
    expect(await speedSelect.evaluate((s) => (s as any).selectedOptions[0]?.textContent as string)).toBe('30×');
    await page.selectOption('[data-testid=replay-speed]', '600');
    await expect.poll(async () => (await replayStatus()).speed).toBe(600);
    await page.click('[data-testid=replay-next-decision]');
    // Plays, then stops by itself on the first trading decision and opens it.
    await expect.poll(() => page.url(), { timeout: 60_000 }).toMatch(/#\/decisions\/[0-9A-Z]{26}$/);
    await expect.poll(() => page.locator('[data-testid=replay-state]').innerText(), { timeout: 10_000 }).toBe('paused');
    const status = await replayStatus();
    expect(status.state).toBe('paused');
    expect(status.emitted).toBeGreaterThan(0);
    const decision = page.locator('[data-testid=decision]');
    expect(await decision.locator('h3').first().innerText()).toMatch(/^(POLICY|ORDER_UPDATE) · /);
    const eventId = page.url().split('/').at(-1)!;
    const correlation = await decision.locator('[data-testid=correlation-id]').innerText();
    expect(correlation).toMatch(/^[0-9A-Z]{26}$/);
    // What was behind it: at least one event by causation or correlation, and the books of its market.
    const inputRows = () => decision.locator('[data-testid=decision-inputs] tr').allInnerTexts();
    const why = /policy in force|caused by|same correlation|nowcast input/;
    await expect.poll(async () => (await inputRows()).filter((t) => why.test(t)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const inputs = await inputRows();
    expect(inputs.join('\n')).not.toContain('not seen by this page');
    expect(await decision.locator('[data-testid=decision-books] tbody tr').count()).toBe(2);
    // The books' table keeps its panel's width: every column (the last is 'as of') inside the inspector.
    const booksOverflow = await decision.evaluate((panel) => {
      const table = panel.querySelector('[data-testid=decision-books]')!;
      return table.getBoundingClientRect().right - panel.getBoundingClientRect().right;
    });
    expect(booksOverflow, 'books table past the inspector panel (px)').toBeLessThanOrEqual(0);
    expect(await page.evaluate((id) => (globalThis as any).__helios.store.decisions.some((d: any) => d.ev.event_id === id), eventId)).toBe(true);
    await screenshot(page, 'replay');
    // Every view works on a replay's frames (no request the replay server cannot answer).
    for (const view of ['overview', 'health', 'market', 'world', 'nowcast', 'truth', 'machines', 'controls']) {
      await page.goto(`${url}/#/${view}`);
      await expect.poll(() => page.locator(`main[data-view=${view}]`).count()).toBe(1);
    }
    await expect.poll(() => page.locator('[data-testid=replay-state]').innerText()).toBe('paused');
    expect(errors).toEqual([]);
  });

  it('serves the whole recording; a range chosen in the page (typed, then dragged) plays and pauses exactly at its end', { timeout: 120_000 }, async () => {
    await page.goto(`${url}/#/overview`);
    await expect.poll(() => page.locator('[data-testid=replay-state]').innerText(), { timeout: 10_000 }).toBe('paused');
    const whole = await replayStatus();
    // Without --from/--to: the first to the last recorded event, not the journal's whole hours.
    expect(whole.from % 3_600_000).not.toBe(0);
    expect(whole.to - whole.from).toBeLessThan(3_600_000);
    expect(whole.range).toBeNull();
    const span = whole.to - whole.from;
    const second = (t: number) => Math.round(t / 1000) * 1000;
    const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
    const clockText = (t: number) => new Date(t).toISOString().slice(11, 23);

    // Typed: the middle of the recording.
    const from = second(whole.from + span * 0.3);
    const to = second(whole.from + span * 0.6);
    await page.fill('[data-testid=replay-range-from]', iso(from));
    await page.fill('[data-testid=replay-range-to]', iso(to));
    await page.click('[data-testid=replay-range-apply]');
    // Choosing the range seeks to its start and holds there.
    await expect.poll(async () => (await replayStatus()).range, { timeout: 10_000 }).toEqual({ from, to });
    expect(await replayStatus()).toMatchObject({ state: 'paused', now: from });
    await expect.poll(() => page.locator('[data-testid=timeline-range]').count()).toBe(1);
    await page.selectOption('[data-testid=replay-speed]', 'max');
    await page.click('[data-testid=replay-toggle]');
    // The server pauses at the range's end, exactly: the page only shows it.
    const stateAndTime = async () => ((s) => `${s.state} ${s.now}`)(await replayStatus());
    await expect.poll(stateAndTime, { timeout: 60_000 }).toBe(`paused ${to}`);
    const atEnd = await replayStatus();
    expect(atEnd.last_event_ts).toBeLessThan(to);
    expect(atEnd.emitted).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid=replay-now]').innerText(), { timeout: 10_000 }).toBe(clockText(to));
    expect(await page.locator('[data-testid=replay-state]').innerText()).toBe('paused');
    expect(await page.locator('[data-testid=replay-range]').innerText()).toContain('at range end');

    // Dragged: an earlier stretch, so choosing it is a backward seek (the replay restarts, the page clears).
    const box = (await page.locator('[data-testid=timeline]').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.05, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.15, y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await replayStatus()).range?.from ?? Infinity, { timeout: 10_000 }).toBeLessThan(from);
    const dragged = (await replayStatus()).range!;
    expect(dragged.to).toBeGreaterThan(dragged.from);
    expect(dragged.to).toBeLessThan(from);
    expect(await replayStatus()).toMatchObject({ state: 'paused', now: dragged.from });
    await page.click('[data-testid=replay-toggle]');
    await expect.poll(stateAndTime, { timeout: 60_000 }).toBe(`paused ${dragged.to}`);
    await expect.poll(() => page.locator('[data-testid=replay-now]').innerText(), { timeout: 10_000 }).toBe(clockText(dragged.to));

    // Back to the whole replay: no pause point.
    await page.click('[data-testid=replay-range-clear]');
    await expect.poll(async () => (await replayStatus()).range, { timeout: 10_000 }).toBeNull();
    expect(errors).toEqual([]);
  });

  it('backtests: a report of the recorded range, drawn with the same chart components, titles and legends outside the plots', { timeout: 120_000 }, async () => {
    const { from, to } = (await (await fetch(`${url}/replay/status`)).json()) as { from: number; to: number };
    const backtest = new HeliosProcess(['backtest', '--data-dir', dataDir, '--from', new Date(from).toISOString(), '--to', new Date(to).toISOString()], childEnv());
    procs.push(backtest);
    expect((await backtest.exited).code, backtest.stderr).toBe(0);
    await page.goto(`${url}/#/backtests`);
    await expect.poll(() => page.locator('[data-testid=backtest-list] tbody tr').count(), { timeout: 10_000 }).toBe(1);
    const report = page.locator('[data-testid=backtest-report]');
    await expect.poll(() => report.locator('figure.chart canvas').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    // Every chart's title sits above its plot and its legend below: no overlap.
    const overlaps = await page.evaluate(() => {
      const d = (globalThis as any).document;
      const bad: string[] = [];
      for (const fig of d.querySelectorAll('figure.chart')) {
        const title = fig.querySelector('figcaption').getBoundingClientRect();
        const plot = fig.querySelector('.u-over').getBoundingClientRect();
        const legend = fig.querySelector('.u-legend')?.getBoundingClientRect();
        if (title.bottom > plot.top) bad.push(`title over plot: ${fig.textContent.slice(0, 40)}`);
        if (legend && legend.top < plot.bottom) bad.push(`legend over plot: ${fig.textContent.slice(0, 40)}`);
      }
      return bad;
    });
    expect(overlaps).toEqual([]);
    await screenshot(page, 'backtests');
    // A name outside backtests/ is not served.
    expect((await fetch(`${url}/dashboard/backtests/..%2F..%2Fmarkets.json`)).status).toBe(404);
    expect(errors).toEqual([]);
  });
});
