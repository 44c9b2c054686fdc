import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { registerExecutionMetrics } from '../../src/adapters/metrics/execution-metrics.ts';
import { processScope, type HeliosProcess } from '../daemon/support/helios-process.ts';
import { exposedNames, metricNames } from './support/promql-names.ts';
import { run } from './support/tools.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEPLOY = path.join(ROOT, 'deploy');
/** Series Prometheus makes itself for every target. */
const PROMETHEUS_OWN = new Set(['up']);

interface Rule {
  alert: string;
  expr: string;
}
const rules = (parse(readFileSync(path.join(DEPLOY, 'prometheus/helios-alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}
const dashboard = JSON.parse(readFileSync(path.join(DEPLOY, 'grafana/helios-dashboard.json'), 'utf8')) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; definition?: string }> };
};
const panelQueries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));
// A template variable's `label_values(SELECTOR, label)`: the selector names a metric, the label does not.
const variableQueries = dashboard.templating.list
  .filter((v) => v.type === 'query')
  .map((v) => ({ where: `variable $${v.name}`, expr: /^label_values\((.*),\s*\w+\)$/.exec(v.definition ?? '')?.[1] ?? String(v.definition) }));

describe('the PromQL name extractor', () => {
  it('finds metric names, not functions, label lists, durations or variables', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(order_place_latency_ms_bucket{instance=~"$instance"}[$__rate_interval])))')).toEqual(['order_place_latency_ms_bucket']);
    expect(metricNames('feed_staleness_ms{feed!="pws"} > on(job, instance, feed) feed_staleness_threshold_ms')).toEqual(['feed_staleness_ms', 'feed_staleness_threshold_ms']);
    expect(metricNames('time() - process_start_time_seconds offset 5m and bool up')).toEqual(['process_start_time_seconds', 'up']);
  });
});

describe('every alert rule and dashboard query names a metric helios exports', () => {
  const scope = processScope('helios-deploy-');
  let daemon: HeliosProcess;
  let api = '';
  let scraped = new Set<string>();
  /** Series only a daemon with real execution registers (execution.adapter: real), from their definitions. */
  let realExecutionOnly = new Set<string>();

  beforeAll(async () => {
    // A faster virtual clock brings every simulated feed in sooner; the series are the same.
    daemon = scope.start(['run', '--port', '0', '--speed', '10', '--data-dir', scope.tempDir()]);
    api = await daemon.apiUrl();
    // Ready first: then every health-time series has been set once.
    await vi.waitFor(async () => expect((await fetch(`${api}/health`)).status).toBe(200), { timeout: 60_000, interval: 200 });
    await vi.waitFor(async () => expect(await (await fetch(`${api}/metrics`)).text()).toMatch(/^health_ready 1$/m), { timeout: 10_000, interval: 200 });
    scraped = exposedNames(await (await fetch(`${api}/metrics`)).text());
    const registry = new Registry();
    registerExecutionMetrics(registry, () => ({ placed: 0, rejected: 0, in_flight: 0, heartbeat_misses: 0, reconcile_breaks: 0, fail_closed: 0 }));
    realExecutionOnly = new Set([...exposedNames(await registry.metrics())].filter((n) => !scraped.has(n)));
  }, 90_000);

  afterAll(async () => {
    daemon?.kill('SIGTERM');
    await daemon?.exited;
  }, 60_000);

  const unknown = (expr: string) => metricNames(expr).filter((n) => !scraped.has(n) && !realExecutionOnly.has(n) && !PROMETHEUS_OWN.has(n));

  it('the scrape holds the series the rules and panels are built on', () => {
    for (const name of ['health_ready', 'books_unsynced', 'feed_staleness_ms', 'feed_staleness_threshold_ms', 'daily_loss_usdc', 'daily_loss_limit_usdc', 'process_start_time_seconds', 'fair_value', 'book_mid', 'bus_backlog']) {
      expect(scraped, name).toContain(name);
    }
    console.info(`deploy: metrics only under real execution (checked against their registry definitions): ${[...realExecutionOnly].sort().join(', ')}`);
  });

  it.each(rules.map((r) => [r.alert, r.expr] as const))('rule %s', (_alert, expr) => {
    expect(metricNames(expr).length).toBeGreaterThan(0);
    expect(unknown(expr)).toEqual([]);
  });

  it('the dashboard queries', () => {
    expect(panelQueries.length).toBeGreaterThan(20);
    const bad = [...panelQueries, ...variableQueries].map((q) => ({ ...q, unknown: unknown(q.expr), names: metricNames(q.expr) })).filter((q) => q.unknown.length > 0 || q.names.length === 0);
    expect(bad).toEqual([]);
  });

  it('the dashboard covers health, stage latency, bus, orders and fills, PnL and risk, nowcast vs price', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    for (const want of [/health/i, /latency/i, /bus/i, /orders and fills/i, /pnl and risk/i, /nowcast.*price/i]) expect(rows.some((r) => want.test(r)), String(want)).toBe(true);
  });

  it("the image's HEALTHCHECK command passes against a ready daemon and fails without one", () => {
    const dockerfile = readFileSync(path.join(DEPLOY, 'docker/Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
    const cmd = JSON.parse(/^HEALTHCHECK .*?CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(cmd[0]).toBe('node');
    const check = (port: string) => run('sh', ['-c', `HELIOS_API__PORT=${port} "${process.execPath}" "$@"`, 'sh', ...cmd.slice(1)]).code;
    expect(check(new URL(api).port)).toBe(0);
    expect(check('9')).toBe(1);
  });

  it('the readiness script returns once /health answers 200, and fails when the daemon is gone', () => {
    const script = path.join(DEPLOY, 'systemd/helios-ready.sh');
    const ok = run(script, [`${api}/health`]);
    expect(ok.stdout).toContain('helios ready');
    expect(ok.code).toBe(0);
    // No daemon on that port and a main pid that does not exist: the script gives up instead of waiting forever.
    const gone = run('sh', ['-c', `MAINPID=2147483646 ${script} http://127.0.0.1:9/health`]);
    expect(gone.stderr).toContain('exited before it was ready');
    expect(gone.code).toBe(1);
  });
});
