import type { Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBacktestHtml } from '../../src/domain/replay/backtest-report.ts';
import { launchChromium, requireChromium, watchErrors } from '../dashboard/support/browser.ts';
import { longTitlesReport } from '../support/long-titles-report.ts';

/**
 * `report.html` of `helios backtest` laid out by a real Chromium: every chart's title and legend
 * entry is drawn whole inside its chart, however long (a station-day scored on a resolution names
 * its market; the pooled calibration chart is 420 px wide with four series).
 */

const hasChromium = requireChromium();

interface Placement {
  title: string;
  what: string;
  found: boolean;
  inside: boolean;
  fits: boolean;
  text: string;
  box: string;
}

/**
 * Run in the page (a string: this project's TypeScript has no DOM types): each chart's title (its
 * SVG's aria-label) and legend entries, where they are drawn and whether they lie inside the chart
 * — its figure when it has one, else the SVG itself.
 */
const MEASURE = `(() => {
  const out = [];
  const rect = (r) => Math.round(r.left) + '..' + Math.round(r.right) + ' × ' + Math.round(r.top) + '..' + Math.round(r.bottom);
  for (const svg of document.querySelectorAll('svg[role=img]')) {
    const title = svg.getAttribute('aria-label') ?? '';
    const chart = svg.closest('figure') ?? svg;
    const box = chart.getBoundingClientRect();
    const legend = [...svg.querySelectorAll('text'), ...chart.querySelectorAll('.legend > *')].map((e) => e.textContent ?? '').filter((t) => t.startsWith('■'));
    for (const [what, text] of [['title', title], ...legend.map((t) => ['legend', t])]) {
      // The innermost element whose text is exactly this one.
      const el = [...chart.querySelectorAll('*')].filter((e) => e.textContent?.trim() === text).pop();
      if (!el) {
        out.push({ title, what, found: false, inside: false, fits: false, text, box: rect(box) });
        continue;
      }
      const r = el.getBoundingClientRect();
      const inside = r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
      // HTML text must need no more width than it has (an SVG text has no scroll box).
      const fits = !(el instanceof HTMLElement) || el.scrollWidth <= el.clientWidth;
      out.push({ title, what, found: true, inside, fits, text: text + ' @ ' + rect(r), box: rect(box) });
    }
  }
  return out;
})()`;

describe.skipIf(!hasChromium)('backtest report.html in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows every chart title and legend entry whole, inside its chart', { timeout: 30_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    await page.setContent(renderBacktestHtml(longTitlesReport()));
    const placements = (await page.evaluate(MEASURE)) as Placement[];
    expect(placements.filter((p) => p.what === 'title').length, 'one title per chart').toBeGreaterThanOrEqual(6);
    expect(placements.some((p) => p.what === 'legend' && p.title.startsWith('Calibration')), 'the calibration legend is checked').toBe(true);
    // The longest titles are among them.
    expect(placements.some((p) => p.title.includes('resolved YES after the range'))).toBe(true);
    const clipped = placements.filter((p) => !p.found || !p.inside || !p.fits).map((p) => `${p.what} "${p.text}" in chart ${p.box}`);
    expect(clipped, 'clipped titles or legend entries').toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
