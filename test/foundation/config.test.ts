import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';

/** The problems that make the configuration refuse `source` (none: it loads). */
function problemsOf(source: Parameters<typeof loadConfig>[0]): ConfigError['problems'] {
  try {
    loadConfig(source);
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
}
const problemOf = (env: Record<string, string>) => problemsOf({ env })[0] ?? null;
const problemPathsOf = (env: Record<string, string>) => problemsOf({ env }).map((p) => p.path);

const dir = mkdtempSync(path.join(tmpdir(), 'helios-config-'));
function yamlFile(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

// Secret handling (refused YAML keys, secret files, redaction in `config check`): test/security/config.test.ts.
describe('configuration layers', () => {
  it('defaults alone validate, in paper mode', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.app.mode).toBe('paper');
    expect(config.bus.kind).toBe('in_memory');
  });

  it('applies defaults < --config FILE < environment', () => {
    const file = yamlFile('layer.yaml', 'bus:\n  dedup_window: 5\n  read_batch: 7\n');
    const { config } = loadConfig({ file, env: { HELIOS_BUS__READ_BATCH: '9' } });
    expect(config.bus.dedup_window).toBe(5);
    expect(config.bus.read_batch).toBe(9);
    expect(config.bus.block_ms).toBe(1000);
  });

  it('selects Redis from HELIOS_REDIS_URL', () => {
    const { config } = loadConfig({ env: { HELIOS_REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(config.bus.kind).toBe('redis');
    expect(config.bus.redis_url).toBe('redis://127.0.0.1:1');
  });

  it('rejects unknown keys naming the exact path', () => {
    const file = yamlFile('unknown.yaml', 'bus:\n  dedup_windw: 5\n');
    expect(() => loadConfig({ file, env: {} })).toThrowError(/bus\.dedup_windw.*got 5.*no such key/);
  });

  it('names the key, the value and what was expected', () => {
    try {
      loadConfig({ env: { HELIOS_BUS__DEFAULT__OVERFLOW: 'explode' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const p = (err as ConfigError).problems[0]!;
      expect(p.path).toBe('bus.default.overflow');
      expect(p.value).toBe('explode');
      expect(p.expected).toMatch(/drop_oldest.*coalesce.*halt/);
      expect(p.source).toBe('environment HELIOS_BUS__DEFAULT__OVERFLOW');
    }
  });

  it('a problem set by the environment names the variable, among the many a deployment sets', () => {
    const env = { HELIOS_API__PORT: '8788', HELIOS_RISK__MAX_ORDER_USD: '5', HELIOS_BUS__DEDUP_WINDOW: '5000' };
    expect(problemOf(env)).toMatchObject({ path: 'risk.max_order_usd', source: 'environment HELIOS_RISK__MAX_ORDER_USD' });
    // A variable holding a mapping: the problem inside it names that variable.
    expect(problemOf({ HELIOS_RISK__DRAWDOWN: '{reducing_usdc: lots}' })).toMatchObject({ path: 'risk.drawdown.reducing_usdc', source: 'environment HELIOS_RISK__DRAWDOWN' });
    expect(problemOf({ HELIOS_REDIS_URL: 'http://x' })).toMatchObject({ path: 'bus.redis_url', source: 'environment HELIOS_REDIS_URL' });
  });

  it('a file that is not YAML names the line and column, ending there (not with the colon that led into the parser\'s code frame)', () => {
    const file = yamlFile('broken.yaml', 'risk: [\n');
    const [problem] = problemsOf({ file, env: {} });
    expect(problem).toMatchObject({ path: '', expected: 'valid YAML' });
    expect(problem!.source).toMatch(/^file .*broken\.yaml: .* at line 2, column 1$/);
  });

  it('an unknown section or key the environment sets from below names the variables that set it', () => {
    // A misspelt section is reported at `riskk`, which no variable sets by itself.
    const env = { HELIOS_API__PORT: '8788', HELIOS_RISKK__MAX_ORDER_USDC: '5', HELIOS_RISKK__MAX_TOTAL_USDC: '50' };
    expect(problemOf(env)).toMatchObject({ path: 'riskk', source: 'environment HELIOS_RISKK__MAX_ORDER_USDC, HELIOS_RISKK__MAX_TOTAL_USDC' });
    expect(problemOf({ HELIOS_RISK__DRAWDOWNN__START_USDC: '1' })).toMatchObject({ path: 'risk.drawdownn', source: 'environment HELIOS_RISK__DRAWDOWNN__START_USDC' });
  });

  it('real execution: a proxy/safe/deposit signature type needs its funder address; a chain id says which it takes', () => {
    for (const t of ['1', '2', '3']) {
      expect(problemOf({ HELIOS_EXECUTION__REAL__SIGNATURE_TYPE: t })).toMatchObject({ path: 'execution.real.funder_address', value: '', expected: expect.stringMatching(/signature_type 1, 2 or 3 needs funder_address/) });
    }
    expect(problemOf({ HELIOS_EXECUTION__REAL__SIGNATURE_TYPE: '2', HELIOS_EXECUTION__REAL__FUNDER_ADDRESS: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' })).toBeNull();
    expect(problemOf({ HELIOS_EXECUTION__REAL__CHAIN_ID: '1' })).toMatchObject({ path: 'execution.real.chain_id', expected: '137 (Polygon mainnet) or 80002 (Amoy)' });
    expect(problemOf({ HELIOS_EXECUTION__REAL__FUNDER_ADDRESS: '0x12' })).toMatchObject({ path: 'execution.real.funder_address', expected: "an address (0x and 40 hex digits), or '' for the signer's own" });
  });

  it('execution.reconcile.max_cancel_retries: 5 by default, a whole number of at least 1', () => {
    expect(loadConfig({ env: {} }).config.execution.reconcile.max_cancel_retries).toBe(5);
    expect(problemOf({ HELIOS_EXECUTION__RECONCILE__MAX_CANCEL_RETRIES: '0' })).toMatchObject({ path: 'execution.reconcile.max_cancel_retries', value: 0 });
    expect(problemOf({ HELIOS_EXECUTION__RECONCILE__MAX_CANCEL_RETRIES: '2.5' })).toMatchObject({ path: 'execution.reconcile.max_cancel_retries', value: 2.5 });
  });

  it('execution.reconcile.fill_answer_after_ms (3 min) and fill_answer_max_per_reconcile (20): whole numbers, the bound at least 1', () => {
    const { reconcile } = loadConfig({ env: {} }).config.execution;
    expect([reconcile.fill_answer_after_ms, reconcile.fill_answer_max_per_reconcile]).toEqual([180_000, 20]);
    expect(problemOf({ HELIOS_EXECUTION__RECONCILE__FILL_ANSWER_AFTER_MS: '-1' })).toMatchObject({ path: 'execution.reconcile.fill_answer_after_ms', value: -1 });
    expect(problemOf({ HELIOS_EXECUTION__RECONCILE__FILL_ANSWER_MAX_PER_RECONCILE: '0' })).toMatchObject({ path: 'execution.reconcile.fill_answer_max_per_reconcile', value: 0 });
    expect(problemOf({ HELIOS_EXECUTION__RECONCILE__FILL_ANSWER_MAX_PER_RECONCILE: '1.5' })).toMatchObject({ path: 'execution.reconcile.fill_answer_max_per_reconcile', value: 1.5 });
  });

  it('execution.reconcile.fill_answer_timeout_ms: 1 h by default, a whole number of ms above fill_answer_after_ms', () => {
    expect(loadConfig({ env: {} }).config.execution.reconcile.fill_answer_timeout_ms).toBe(3_600_000);
    expect(problemOf({ HELIOS_EXECUTION__RECONCILE__FILL_ANSWER_TIMEOUT_MS: '1.5' })).toMatchObject({ path: 'execution.reconcile.fill_answer_timeout_ms', value: 1.5 });
    expect(problemOf({ HELIOS_EXECUTION__RECONCILE__FILL_ANSWER_TIMEOUT_MS: '180000' })).toMatchObject({ path: 'execution.reconcile.fill_answer_timeout_ms', expected: expect.stringMatching(/more than execution.reconcile.fill_answer_after_ms \(180000\)/) });
    expect(problemOf({ HELIOS_EXECUTION__RECONCILE__FILL_ANSWER_TIMEOUT_MS: '180001' })).toBeNull();
  });

  it('execution.cancel_backoff_min_ms (1 s) … cancel_backoff_max_ms (30 s): whole ms of at least 1, the min at most the max', () => {
    const { execution } = loadConfig({ env: {} }).config;
    expect([execution.cancel_backoff_min_ms, execution.cancel_backoff_max_ms]).toEqual([1_000, 30_000]);
    expect(problemOf({ HELIOS_EXECUTION__CANCEL_BACKOFF_MIN_MS: '0' })).toMatchObject({ path: 'execution.cancel_backoff_min_ms', value: 0 });
    expect(problemOf({ HELIOS_EXECUTION__CANCEL_BACKOFF_MAX_MS: '2.5' })).toMatchObject({ path: 'execution.cancel_backoff_max_ms', value: 2.5 });
    expect(problemOf({ HELIOS_EXECUTION__CANCEL_BACKOFF_MIN_MS: '60000' })).toMatchObject({ path: 'execution.cancel_backoff_min_ms', expected: expect.stringMatching(/at most cancel_backoff_max_ms \(30000\)/) });
  });

  it('trading.resolved_fill_answer_timeout_ms: 1 h by default, a whole number of ms', () => {
    expect(loadConfig({ env: {} }).config.trading.resolved_fill_answer_timeout_ms).toBe(3_600_000);
    expect(problemOf({ HELIOS_TRADING__RESOLVED_FILL_ANSWER_TIMEOUT_MS: '-1' })).toMatchObject({ path: 'trading.resolved_fill_answer_timeout_ms', value: -1 });
    expect(problemOf({ HELIOS_TRADING__RESOLVED_FILL_ANSWER_TIMEOUT_MS: '1.5' })).toMatchObject({ path: 'trading.resolved_fill_answer_timeout_ms', value: 1.5 });
  });

  it('daemon.sim.start_at: null (now) by default, an ISO 8601 time with its offset from the environment, anything else refused naming it', () => {
    expect(loadConfig({ env: {} }).config.daemon.sim.start_at).toBeNull();
    expect(loadConfig({ env: { HELIOS_DAEMON__SIM__START_AT: '2026-12-07T00:05:00-05:00' } }).config.daemon.sim.start_at).toBe('2026-12-07T00:05:00-05:00');
    // Without its offset the time would be read in whatever zone the process runs in.
    for (const bad of ['2026-12-07T00:05:00', 'midnight', '2026-13-07T00:05:00Z']) {
      expect(problemOf({ HELIOS_DAEMON__SIM__START_AT: bad })).toMatchObject({ path: 'daemon.sim.start_at', expected: expect.stringMatching(/ISO 8601 time with its offset/) });
    }
  });

  it('keeps 0x… text as written, unquoted, in a file and in the environment (a wallet address, a condition id)', () => {
    const address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
    const condition = '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1';
    const file = yamlFile('hex.yaml', `discovery:\n  condition_ids: [${condition}]\n`);
    const { config } = loadConfig({ file, env: { HELIOS_EXECUTION__REAL__FUNDER_ADDRESS: address } });
    expect(config.execution.real.funder_address).toBe(address);
    expect(config.discovery.condition_ids).toEqual([condition]);
    // Numbers are still numbers; a hexadecimal one is no setting's, and is refused as text.
    expect(() => loadConfig({ env: { HELIOS_BUS__READ_BATCH: '0x10' } })).toThrowError(/bus\.read_batch.*got "0x10"/);
  });

  it('refuses a backoff whose first wait exceeds its last, wherever the pair is (bus, supervision, sources, the user channel)', () => {
    expect(problemPathsOf({ HELIOS_BUS__RECONNECT_MIN_MS: '5000', HELIOS_BUS__RECONNECT_MAX_MS: '2000' })).toEqual(['bus.reconnect_min_ms']);
    expect(problemPathsOf({ HELIOS_TRADING__SUPERVISION__RESTART_BACKOFF_MIN_MS: '999999999' })).toEqual(['trading.supervision.restart_backoff_min_ms']);
    expect(problemPathsOf({ HELIOS_EXECUTION__REAL__USER_CHANNEL__RECONNECT_INITIAL_MS: '999999999' })).toEqual(['execution.real.user_channel.reconnect_initial_ms']);
    // Equal bounds are a fixed wait, which is fine.
    expect(problemPathsOf({ HELIOS_BUS__RECONNECT_MIN_MS: '2000', HELIOS_BUS__RECONNECT_MAX_MS: '2000' })).toEqual([]);
  });

  it('refuses a range whose lower end exceeds its upper: the drawdown\'s sizing, the PWS QC temperature range', () => {
    // Sizes shrink from start_usdc to reducing_usdc: reversed, REDUCING would set in before any shrinking.
    expect(problemOf({ HELIOS_RISK__DRAWDOWN__START_USDC: '100', HELIOS_RISK__DRAWDOWN__REDUCING_USDC: '10' })).toMatchObject({ path: 'risk.drawdown.start_usdc', value: 100, expected: expect.stringMatching(/at most risk\.drawdown\.reducing_usdc \(10\)/) });
    // Reversed, every PWS reading would be out of range and rejected.
    expect(problemOf({ HELIOS_WEATHER__QC__RANGE_MIN_F: '200', HELIOS_WEATHER__QC__RANGE_MAX_F: '-50' })).toMatchObject({ path: 'weather.qc.range_min_f', value: 200, expected: expect.stringMatching(/below weather\.qc\.range_max_f \(-50\)/) });
    expect(problemOf({ HELIOS_RISK__DRAWDOWN__START_USDC: '15', HELIOS_RISK__DRAWDOWN__REDUCING_USDC: '15' })).toBeNull();
  });

  it('refuses a simulated clock that would hold for the journal only past the journal\'s own drop bound', () => {
    // At or past max_pending_events the journal drops before the clock stands still for it.
    expect(problemOf({ HELIOS_STORAGE__JOURNAL__MAX_PENDING_EVENTS: '1000', HELIOS_DAEMON__SIM__HOLD_AT_JOURNAL_BACKLOG: '1000' })).toMatchObject({
      path: 'daemon.sim.hold_at_journal_backlog',
      value: 1000,
      expected: expect.stringMatching(/below storage\.journal\.max_pending_events \(1000\)/),
    });
    expect(problemOf({ HELIOS_STORAGE__JOURNAL__MAX_PENDING_EVENTS: '1000', HELIOS_DAEMON__SIM__HOLD_AT_JOURNAL_BACKLOG: '999' })).toBeNull();
  });

  it('refuses a caught-up lag of the simulated clock at or past the lag that alerts: it would count as caught up at once', () => {
    expect(problemOf({ HELIOS_DAEMON__SIM__MAX_LAG_MS: '2000', HELIOS_DAEMON__SIM__CAUGHT_UP_LAG_MS: '2000' })).toMatchObject({
      path: 'daemon.sim.caught_up_lag_ms',
      value: 2000,
      expected: expect.stringMatching(/below daemon\.sim\.max_lag_ms \(2000\)/),
    });
    expect(problemOf({ HELIOS_DAEMON__SIM__MAX_LAG_MS: '0' })).toMatchObject({ path: 'daemon.sim.max_lag_ms', value: 0 });
    expect(problemOf({ HELIOS_DAEMON__SIM__MAX_LAG_MS: '2000', HELIOS_DAEMON__SIM__CAUGHT_UP_LAG_MS: '1999' })).toBeNull();
  });

  it('refuses what would only fail later: an unknown time zone, a station listed twice, a city on a station not watched', () => {
    const station = (id: string, tz: string) => `    - { id: ${id}, tz: ${tz}, pws: [], model_path: null }\n`;
    const yamlProblemOf = (text: string) => problemsOf({ file: yamlFile('cross.yaml', text), env: {} })[0] ?? null;
    expect(yamlProblemOf(`weather:\n  stations:\n${station('KLGA', 'Mars/Olympus')}`)).toMatchObject({ path: 'weather.stations.0.tz', value: 'Mars/Olympus', expected: expect.stringMatching(/IANA time zone/) });
    expect(yamlProblemOf(`weather:\n  stations:\n${station('KLGA', 'America/New_York')}${station('KLGA', 'Europe/London')}`)).toMatchObject({ path: 'weather.stations', expected: expect.stringMatching(/appear once/) });
    expect(yamlProblemOf('discovery:\n  temperature:\n    cities: [{ city_slug: london, station: EGLC }]\n')).toMatchObject({
      path: 'discovery.temperature.cities.0.station',
      expected: 'one of weather.stations (KLGA): add EGLC there, with its time zone',
    });
    expect(yamlProblemOf(`discovery:\n  temperature:\n    cities: [{ city_slug: london, station: EGLC }]\nweather:\n  stations:\n${station('KLGA', 'America/New_York')}${station('EGLC', 'Europe/London')}`)).toBeNull();
  });
});

describe('helios config check', () => {
  it('exits 2 naming the exact key path', async () => {
    const file = yamlFile('bad.yaml', 'bus:\n  channels:\n    l2:\n      queue_size: 0\n      overflow: coalesce\n      max_len: 10\n');
    const io = captureIo({});
    const code = await main(['config', 'check', '--config', file], io);
    expect(code).toBe(2);
    expect(io.stderr()).toMatch(/bus\.channels\.l2\.queue_size: got 0 \(from file .*bad\.yaml\); expected number to be >=1/);
  });

  it('exits 2 on an unreadable file', async () => {
    const io = captureIo({});
    expect(await main(['config', 'check', '--config', path.join(dir, 'missing.yaml')], io)).toBe(2);
    expect(io.stderr()).toMatch(/readable YAML file/);
  });

  it('a config file that is not there says what to check and where a relative path was looked for', async () => {
    const io = captureIo({});
    expect(await main(['config', 'check', '--config', 'missing.yaml'], io)).toBe(2);
    expect(io.stderr()).toContain(`ENOENT: no such file or directory, open 'missing.yaml')); expected a readable YAML file: check --config (or HELIOS_CONFIG); a relative path resolves against the working directory, ${process.cwd()}\n`);
  });
});
