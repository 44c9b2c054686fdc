import { PassThrough } from 'node:stream';
import { ChannelServer } from '../src/adapters/api/channel-server.ts';
import { SystemClock } from '../src/adapters/clock/system-clock.ts';
import { createLogger } from '../src/adapters/log/logger.ts';
import { EventFactory } from '../src/domain/events/factory.ts';
import { ulidGenerator } from '../src/domain/events/ids.ts';
import { seededRng } from '../src/domain/util/random.ts';
import { chromiumPath, launchChromium } from '../test/dashboard/support/browser.ts';
import { dashboardFilesServer } from '../test/dashboard/support/files-server.ts';
import { round } from './support/stats.ts';
import type { Benchmark } from './types.ts';

const TOKENS = 200;
const HZ = 10;
const WARMUP_MS = 2_000;
const MEASURE_MS = 6_000;
const VIEWS = ['overview', 'health', 'market', 'nowcast', 'decisions'] as const;
const BUCKETS = ['60°F or below', '61-62°F', '63-64°F', '65-66°F', '67-68°F', '69°F or higher'];

/**
 * The dashboard in Chromium while 200 tokens' books update 10 times a second each (2,000
 * L2_SNAPSHOT and 2,000 BEST_PRICE frames/s, plus trades, policies, orders, health and nowcasts),
 * over the real channel server on loopback. Per view, measured in the page: animation-frame
 * intervals, long tasks, the delay of a queued task, paints per second against frames per second,
 * and how long switching to the view takes. The reference, side by side: the same page and views
 * with the feed stopped.
 */
export const dashboardBenchmark: Benchmark = {
  title: `dashboard responsiveness in Chromium at ${TOKENS} tokens × ${HZ} updates/s (vs the same page idle)`,
  async run(ctx) {
    if (!chromiumPath()) {
      ctx.log('no Chromium (set CHROMIUM_PATH or apt-get install chromium): skipped');
      return { skipped: 'no chromium' };
    }
    const logger = createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' });
    const markets = syntheticMarkets();
    const http = dashboardFilesServer({ mode: 'bench', name: 'bench', logger, routes: { '/markets': { method: 'GET', handler: () => markets } } });
    const channels = new ChannelServer(http.server, { path: '/ws', maxFrameBytes: 1 << 20, maxBufferedBytes: 8 << 20, slowPolicy: 'coalesce', maxClients: 4, logger });
    const url = await http.listen();
    const feed = new SyntheticFeed(channels, markets);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const results: Record<string, unknown> = {};
      for (const loaded of [false, true]) {
        if (loaded) feed.start();
        await page.goto(`${url}/#/overview`);
        await page.waitForFunction('window.__helios?.ready === true');
        for (const view of VIEWS) {
          const switchMs = (await page.evaluate(`(${SWITCH_VIEW})(${JSON.stringify(view)})`)) as number;
          await page.waitForTimeout(WARMUP_MS);
          const m = (await page.evaluate(`(${MEASURE})(${MEASURE_MS})`)) as Measured;
          results[`${loaded ? 'loaded' : 'idle'}_${view}`] = { switch_ms: round(switchMs, 1), ...m };
        }
        feed.stop();
      }
      ctx.log(`frames sent: ${feed.sent.toLocaleString()} (${round(feed.sent / feed.seconds(), 0)}/s while running)`);
      ctx.log('view        load    frames/s  paints/s  frame p50  frame p99  frame max  long tasks (ms)  task delay p99  switch ms  render ms/s  frames ms/s');
      for (const view of VIEWS) {
        for (const load of ['idle', 'loaded']) {
          const r = results[`${load}_${view}`] as Measured & { switch_ms: number };
          ctx.log(
            `${view.padEnd(11)} ${load.padEnd(7)} ${String(r.frames_per_s).padStart(8)}  ${String(r.paints_per_s).padStart(8)}  ${String(r.frame_p50_ms).padStart(9)}  ${String(r.frame_p99_ms).padStart(9)}  ${String(r.frame_max_ms).padStart(9)}  ${`${r.long_tasks} (${r.long_task_ms})`.padStart(15)}  ${String(r.task_delay_p99_ms).padStart(14)}  ${String(r.switch_ms).padStart(9)}  ${String(r.render_ms_per_s).padStart(11)}  ${String(r.handle_ms_per_s).padStart(11)}`,
          );
        }
        const idle = results[`idle_${view}`] as Measured;
        const loaded = results[`loaded_${view}`] as Measured;
        results[`ratio_${view}_frame_p99`] = round(loaded.frame_p99_ms / Math.max(idle.frame_p99_ms, 1e-9), 2);
      }
      return { tokens: TOKENS, hz_per_token: HZ, frames_sent_per_s: round(feed.sent / feed.seconds(), 0), ...results };
    } finally {
      feed.stop();
      await browser.close();
      await channels.close();
      await http.close();
    }
  },
};

interface Measured {
  frames_per_s: number;
  paints_per_s: number;
  frame_p50_ms: number;
  frame_p99_ms: number;
  frame_max_ms: number;
  long_tasks: number;
  long_task_ms: number;
  task_delay_p99_ms: number;
  /** Main-thread ms per second spent rendering, and taking in frames (parse and fold). */
  render_ms_per_s: number;
  handle_ms_per_s: number;
}

// In-page code as source text: tsx would wrap named functions in a helper the page lacks.

/** In the page: hash route to `view`, resolved at the first animation frame after it is drawn. */
const SWITCH_VIEW = `async (view) => {
  const t0 = performance.now();
  location.hash = '#/' + view;
  await new Promise((resolve) => {
    const check = () => (document.querySelector('main[data-view=' + view + ']') ? resolve() : requestAnimationFrame(check));
    check();
  });
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
}`;

/** In the page, for `ms`: animation-frame intervals, long tasks, queued-task delay, frames and paints. */
const MEASURE = `async (ms) => {
  const h = window.__helios;
  const f0 = h.frames;
  const p0 = h.paints;
  const r0 = h.renderMs;
  const m0 = h.handleMs;
  const intervals = [];
  let last = performance.now();
  let running = true;
  const raf = (t) => {
    intervals.push(t - last);
    last = t;
    if (running) requestAnimationFrame(raf);
  };
  requestAnimationFrame(raf);
  const long = [];
  const po = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) long.push(e.duration);
  });
  po.observe({ type: 'longtask' });
  const delays = [];
  const probe = setInterval(() => {
    const t = performance.now();
    setTimeout(() => delays.push(performance.now() - t), 0);
  }, 50);
  await new Promise((r) => setTimeout(r, ms));
  running = false;
  clearInterval(probe);
  po.disconnect();
  const q = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
  };
  const r1 = (x) => Math.round(x * 10) / 10;
  const iv = intervals.slice(1);
  return {
    frames_per_s: Math.round(((h.frames - f0) * 1000) / ms),
    paints_per_s: r1(((h.paints - p0) * 1000) / ms),
    frame_p50_ms: r1(q(iv, 0.5)),
    frame_p99_ms: r1(q(iv, 0.99)),
    frame_max_ms: r1(Math.max(0, ...iv)),
    long_tasks: long.length,
    long_task_ms: Math.round(long.reduce((a, b) => a + b, 0)),
    task_delay_p99_ms: r1(q(delays, 0.99)),
    render_ms_per_s: Math.round(((h.renderMs - r0) * 1000) / ms),
    handle_ms_per_s: Math.round(((h.handleMs - m0) * 1000) / ms),
  };
}`;

interface SyntheticMarket {
  market_id: string;
  fair_source: 'nowcast' | 'truth';
  match_id: string | null;
  station_id: string | null;
  state: string;
  yes_token: string;
  no_token: string;
  label: string;
  halt_causes: string[];
}

function syntheticMarkets(): SyntheticMarket[] {
  return Array.from({ length: TOKENS / 2 }, (_, i) => {
    const bucket = i < BUCKETS.length;
    return {
      market_id: `0x${(0xbe00 + i).toString(16).padStart(64, '0')}`,
      fair_source: bucket ? 'nowcast' : 'truth',
      match_id: bucket ? null : `bench-${i}`,
      station_id: bucket ? 'KBNC' : null,
      state: 'IDLE',
      yes_token: String(9_000_000 + 2 * i),
      no_token: String(9_000_000 + 2 * i + 1),
      label: bucket ? BUCKETS[i]! : `team ${i}`,
      halt_causes: [],
    };
  });
}

/** Every token's book moving HZ times a second, and the slower streams the other views draw. */
class SyntheticFeed {
  private timer: NodeJS.Timeout | null = null;
  private readonly rng = seededRng(7);
  private readonly factory = new EventFactory(new SystemClock(), ulidGenerator(seededRng(8)));
  private readonly mids: number[];
  private tick = 0;
  private startedAt = 0;
  private ranMs = 0;
  sent = 0;

  constructor(
    private readonly channels: ChannelServer,
    private readonly markets: SyntheticMarket[],
  ) {
    this.mids = markets.map(() => 0.2 + 0.6 * this.rng());
  }

  seconds(): number {
    return Math.max(1e-9, (this.ranMs + (this.timer ? Date.now() - this.startedAt : 0)) / 1000);
  }

  start(): void {
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.step(), 1000 / HZ);
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.ranMs += Date.now() - this.startedAt;
  }

  private emit(e: Parameters<ChannelServer['emit']>[0]): void {
    this.channels.emit(e);
    this.sent++;
  }

  private step(): void {
    const f = this.factory;
    this.tick++;
    this.markets.forEach((m, i) => {
      const mid = (this.mids[i] = Math.min(0.95, Math.max(0.05, this.mids[i]! + (this.rng() - 0.5) * 0.01)));
      for (const [token, p] of [[m.yes_token, mid] as const, [m.no_token, 1 - mid] as const]) {
        const bids = Array.from({ length: 10 }, (_, k): [number, number] => [round(p - 0.01 * (k + 1), 2), round(50 + 400 * this.rng(), 2)]);
        const asks = Array.from({ length: 10 }, (_, k): [number, number] => [round(p + 0.01 * (k + 1), 2), round(50 + 400 * this.rng(), 2)]);
        const ids = { market_id: m.market_id, token_id: token };
        this.emit(f.make('L2_SNAPSHOT', { resync_epoch_id: 0, synced: true, tick_size: 0.01, bids, asks, best_bid: bids[0]![0], best_ask: asks[0]![0], mid: p, spread: 0.02, microprice: p, imbalance: 0, hash: null }, ids));
        this.emit(f.make('BEST_PRICE', { resync_epoch_id: 0, synced: true, best_bid: bids[0]![0], best_bid_size: bids[0]![1], best_ask: asks[0]![0], best_ask_size: asks[0]![1], updates_coalesced: 1 }, ids));
      }
      if (this.rng() < 0.05) this.emit(f.make('TRADE', { price: round(mid, 2), size: 10, side: 'BUY', fee_rate_bps: 0 }, { market_id: m.market_id, token_id: m.yes_token }));
      if (this.tick % 20 === i % 20) {
        this.emit(f.make('POLICY', { fair_value: { [m.yes_token]: round(mid + 0.03, 3), [m.no_token]: round(0.97 - mid, 3) }, edge_threshold: 0.05, max_position_usdc: 5, max_order_usdc: 5, source: m.station_id ? 'nowcast' : 'truth', valid_until_ms: Date.now() + 15_000 }, { market_id: m.market_id }));
      }
    });
    if (this.tick % HZ === 0) {
      this.emit(f.make('HEALTH', { ready: true, staleness_ms: { market: 100 }, stage_latency_ms: { decision_to_order: 50 }, event_loop_lag_ms: 5, bus_backlog: {}, reconnects: 0, resyncs: 0 }));
      const ps = BUCKETS.map(() => this.rng());
      const sum = ps.reduce((a, b) => a + b, 0);
      this.emit(
        f.make(
          'NOWCAST',
          {
            judge_day: '2026-12-04',
            max_so_far_f: 62,
            distribution: [],
            buckets: BUCKETS.map((label, k) => ({ label, lo_f: null, hi_f: null, p: ps[k]! / sum })),
            peak_time_bins: [{ start_hour: 14, p: 1 }],
            confidence: 0.9,
            qc_gate: 'open',
            inputs: [],
          },
          { station_id: 'KBNC' },
        ),
      );
    }
  }
}
