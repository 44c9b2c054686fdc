import { html } from '../html.js';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/**
 * A small uPlot line chart: created once, fed new data on each render (uPlot redraws its canvas
 * without touching the DOM tree). `series` is [{ label, values, color }] over shared `xs` (ms).
 */
export function Sparkline({ xs, series, width = 160, height = 36, threshold = null, title = null }) {
  const box = useRef(null);
  const plot = useRef(null);
  const data = [xs.map((t) => t / 1000), ...series.map((s) => s.values)];
  const drawn = useRef('');
  useEffect(() => {
    const opts = {
      width,
      height,
      legend: { show: false },
      cursor: { show: false },
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: false } },
      series: [{}, ...series.map((s) => ({ stroke: s.color ?? '#6cf', width: 1, points: { show: false } }))],
      hooks: threshold === null ? {} : { draw: [(u) => drawThreshold(u, threshold)] },
    };
    plot.current = new uPlot(opts, data, box.current);
    drawn.current = stamp(xs, series);
    return () => plot.current?.destroy();
  }, [series.length, width, height, threshold]);
  useEffect(() => {
    // Redrawn only when a point came: the page repaints far more often than HEALTH arrives.
    const now = stamp(xs, series);
    if (now === drawn.current) return;
    drawn.current = now;
    plot.current?.setData(data);
  });
  return html`<div class="spark" title=${title ?? ''} ref=${box}></div>`;
}

function stamp(xs, series) {
  return `${xs.length}:${xs.at(-1)}:${series.map((s) => s.values.at(-1)).join(',')}`;
}

function drawThreshold(u, value) {
  const y = u.valToPos(value, 'y', true);
  if (!Number.isFinite(y)) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = '#c55';
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, y);
  ctx.lineTo(u.bbox.left + u.bbox.width, y);
  ctx.stroke();
  ctx.restore();
}

/**
 * A labelled chart for the larger panels (backtests, nowcast): title above, legend below, both
 * outside the canvas so they never overlap the plot.
 */
export function Chart({ title, xs, series, width = 560, height = 200, xTime = true, yRange = null }) {
  const box = useRef(null);
  const plot = useRef(null);
  const data = [xTime ? xs.map((t) => t / 1000) : xs, ...series.map((s) => s.values)];
  useEffect(() => {
    const opts = {
      width,
      height,
      legend: { show: true },
      scales: { x: { time: xTime }, ...(yRange ? { y: { range: yRange } } : {}) },
      axes: [{ stroke: '#889', grid: { stroke: '#2a2f3a' } }, { stroke: '#889', grid: { stroke: '#2a2f3a' } }],
      series: [{ label: xTime ? 'time' : 'x' }, ...series.map((s) => ({ label: s.label, stroke: s.color ?? '#6cf', width: 1.5, points: { show: s.points ?? false } }))],
    };
    plot.current = new uPlot(opts, data, box.current);
    return () => plot.current?.destroy();
  }, [series.map((s) => s.label).join('|'), width, height, xTime]);
  useEffect(() => {
    plot.current?.setData(data);
  });
  return html`<figure class="chart"><figcaption>${title}</figcaption><div ref=${box}></div></figure>`;
}
