/**
 * Small inline SVG charts for static reports (no scripts, no external assets): an x/y chart with
 * lines and dots, and a bar chart. Deterministic text output: the same data gives the same bytes.
 *
 * Each chart is a `<figure class="chart">` as wide as its plot: the title (a `<figcaption>`) and the
 * legend are HTML text around the SVG, so they wrap within the chart's width. Drawn inside the SVG
 * they were cut at its edges — a long station-day or resolution title lost both ends, and a fourth
 * legend entry fell past a narrow chart. The page styles them with `CHART_CSS`.
 */

/** The report page's rules for charts (the figure, its wrapping title and legend). */
export const CHART_CSS =
  'figure.chart{display:inline-block;vertical-align:top;margin:6px;padding:0;box-sizing:content-box;border:1px solid #ddd;background:#fff}' +
  'figure.chart>figcaption{font-size:12px;font-weight:bold;text-align:center;padding:4px 6px 0;overflow-wrap:anywhere}' +
  'figure.chart>svg{display:block}' +
  'figure.chart>.legend{display:flex;flex-wrap:wrap;gap:2px 12px;padding:0 6px 4px;font-size:11px;overflow-wrap:anywhere}';

export interface XySeries {
  name: string;
  color: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Draw dots (sized by `sizes` when given) instead of a line. */
  dots?: boolean;
  sizes?: readonly number[];
  dashed?: boolean;
}

export interface XyChartOptions {
  title: string;
  series: readonly XySeries[];
  width?: number;
  height?: number;
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  xFormat?: (x: number) => string;
  yFormat?: (y: number) => string;
  /** A horizontal reference line (e.g. zero PnL). */
  yRule?: number;
}

const PAD = { l: 56, r: 20, t: 16, b: 30 };

export function xyChart(o: XyChartOptions): string {
  const w = o.width ?? 640;
  const h = o.height ?? 240;
  const all = o.series.flatMap((s) => s.points);
  if (all.length === 0) return emptyChart(o.title, w, h);
  const [x0, x1] = o.xDomain ?? padDomain(extent(all.map((p) => p[0])));
  const [y0, y1] = o.yDomain ?? padDomain(extent([...all.map((p) => p[1]), ...(o.yRule !== undefined ? [o.yRule] : [])]));
  const sx = (x: number) => PAD.l + ((x - x0) / (x1 - x0 || 1)) * (w - PAD.l - PAD.r);
  const sy = (y: number) => h - PAD.b - ((y - y0) / (y1 - y0 || 1)) * (h - PAD.t - PAD.b);
  const fx = o.xFormat ?? ((x: number) => fmt(x));
  const fy = o.yFormat ?? ((y: number) => fmt(y));
  const parts: string[] = [open(o.title, w, h)];
  for (const t of ticks(y0, y1, 4)) {
    parts.push(`<line x1="${PAD.l}" x2="${w - PAD.r}" y1="${n(sy(t))}" y2="${n(sy(t))}" stroke="#eee"/>`);
    parts.push(`<text x="${PAD.l - 4}" y="${n(sy(t) + 4)}" text-anchor="end" font-size="10">${esc(fy(t))}</text>`);
  }
  for (const t of ticks(x0, x1, 4)) parts.push(`<text x="${n(sx(t))}" y="${h - PAD.b + 14}" text-anchor="middle" font-size="10">${esc(fx(t))}</text>`);
  if (o.yRule !== undefined) parts.push(`<line x1="${PAD.l}" x2="${w - PAD.r}" y1="${n(sy(o.yRule))}" y2="${n(sy(o.yRule))}" stroke="#999" stroke-dasharray="3 3"/>`);
  o.series.forEach((s) => {
    if (s.dots) {
      s.points.forEach((p, j) => {
        const r = Math.max(2, Math.min(9, s.sizes ? Math.sqrt(s.sizes[j] ?? 1) : 3));
        parts.push(`<circle cx="${n(sx(p[0]))}" cy="${n(sy(p[1]))}" r="${n(r)}" fill="${s.color}" fill-opacity="0.7"/>`);
      });
    } else if (s.points.length) {
      const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${n(sx(p[0]))},${n(sy(p[1]))}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    }
  });
  const legend = o.series.map((s) => `<span style="color:${s.color}">■ ${esc(s.name)}</span>`).join('');
  return parts.join('') + close(legend);
}

export interface BarChartOptions {
  title: string;
  bars: ReadonlyArray<{ label: string; value: number }>;
  width?: number;
  height?: number;
  format?: (v: number) => string;
}

export function barChart(o: BarChartOptions): string {
  const w = o.width ?? 640;
  const h = o.height ?? 220;
  if (o.bars.length === 0) return emptyChart(o.title, w, h);
  const values = o.bars.map((b) => b.value);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || 1;
  const sy = (v: number) => h - PAD.b - ((v - lo) / span) * (h - PAD.t - PAD.b);
  const slot = (w - PAD.l - PAD.r) / o.bars.length;
  const f = o.format ?? fmt;
  const parts: string[] = [open(o.title, w, h), `<line x1="${PAD.l}" x2="${w - PAD.r}" y1="${n(sy(0))}" y2="${n(sy(0))}" stroke="#999"/>`];
  o.bars.forEach((b, i) => {
    const x = PAD.l + i * slot + slot * 0.15;
    const top = Math.min(sy(b.value), sy(0));
    const height = Math.abs(sy(b.value) - sy(0));
    parts.push(`<rect x="${n(x)}" y="${n(top)}" width="${n(slot * 0.7)}" height="${n(Math.max(0.5, height))}" fill="${b.value >= 0 ? '#2b8a3e' : '#c92a2a'}"/>`);
    parts.push(`<text x="${n(x + slot * 0.35)}" y="${h - PAD.b + 14}" text-anchor="middle" font-size="10">${esc(b.label)}</text>`);
    parts.push(`<text x="${n(x + slot * 0.35)}" y="${n(top - 3)}" text-anchor="middle" font-size="10">${esc(f(b.value))}</text>`);
  });
  return parts.join('') + close();
}

/** A chart's figure, its title, and the opening of its plot (`w` × `h`). */
function open(title: string, w: number, h: number): string {
  return (
    `<figure class="chart" style="width:${w}px"><figcaption>${esc(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}">`
  );
}

/** Ends the plot, then the legend's entries (HTML, already escaped) below it, and the figure. */
function close(legend = ''): string {
  return `</svg>${legend ? `<div class="legend">${legend}</div>` : ''}</figure>`;
}

function emptyChart(title: string, w: number, h: number): string {
  return open(title, w, h) + `<text x="${w / 2}" y="${h / 2}" text-anchor="middle" font-size="12" fill="#888">no data</text>` + close();
}

function extent(xs: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

function padDomain([lo, hi]: [number, number]): [number, number] {
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function ticks(lo: number, hi: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= count; i++) out.push(lo + ((hi - lo) * i) / count);
  return out;
}

function fmt(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

function n(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
