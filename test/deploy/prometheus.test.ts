import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireTool, run } from './support/tools.ts';

const DIR = path.resolve(import.meta.dirname, '../../deploy/prometheus');
const promtool = requireTool('promtool');

describe.skipIf(!promtool)('Prometheus configuration (promtool)', () => {
  it('promtool check config: the scrape configuration and the rule file it loads', () => {
    const r = run(promtool!, ['check', 'config', 'prometheus.yml'], DIR);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('promtool check rules', () => {
    const r = run(promtool!, ['check', 'rules', 'helios-alerts.yml'], DIR);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.code).toBe(0);
  });

  it('promtool test rules: synthetic series through the feed, kill-switch, daily-loss, heartbeat, restart, backlog and reconciliation alerts', () => {
    const r = run(promtool!, ['test', 'rules', 'helios-alerts.test.yml'], DIR);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});
