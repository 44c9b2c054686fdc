import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import type { Component } from '../../src/apps/daemon/component.ts';
import type { DaemonContext } from '../../src/apps/daemon/context.ts';
import { loadConfig } from '../../src/config/load.ts';
import { sharesByToken } from '../../src/domain/trading/pnl-ledger.ts';
import { runCli } from '../support/cli.ts';
import { realDaemonOverrides, startedDaemon, venueHarness, type Closer } from './daemon-support.ts';
import { TEST_ADDRESS, TEST_KEY } from './support.ts';

/**
 * The daemon against the stand-in CLOB: fills an earlier process left MATCHED are held pending on
 * the ledger rebuilt from the venue, through a restart of the trading component around the same
 * venue adapter too, and their CONFIRMED / FAILED is applied once (README, "Real orders").
 */

const closers: Closer[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('real execution in the daemon: fills matched before a restart, answered after it', () => {
  it('an earlier process\'s unsettled fills, then a trading-component restart: a FAILED takes its shares out, a CONFIRMED counts once', { timeout: 90_000 }, async () => {
    const h = await venueHarness(closers);
    const token = h.tokens[0]!;
    // What an earlier process left: two buys whose trades stay MATCHED until the test answers them.
    h.standIn.venue.scriptTrades([], []);
    for (const size of ['10', '6']) {
      const bought = await runCli(['orders', 'place', '--token-id', token, '--side', 'BUY', '--price', '0.99', '--size', size, '--type', 'FAK', '--execution', 'real', '--clob-url', h.clob.http, '--json'], {
        HELIOS_CONFIRM_REAL_ORDERS: 'yes',
        HELIOS_POLY_PRIVATE_KEY: TEST_KEY,
      });
      expect(bought.code, bought.err).toBe(0);
    }
    const [failing, confirming] = [...h.standIn.venue.trades.values()].filter((t) => t.asset_id === token).map((t) => t.id);
    expect(h.standIn.venue.scriptedPending()).toBe(0);
    const held = h.standIn.venue.position(TEST_ADDRESS, token);
    const config = loadConfig({ env: {}, overrides: realDaemonOverrides(h) }).config;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'helios-real-restart-fills-'));
    closers.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const daemon = await startedDaemon(closers, config, dataDir, { HELIOS_POLY_PRIVATE_KEY: TEST_KEY }, createLogger({ destination: new PassThrough(), format: 'json', level: 'silent' }));
    const ctx = (daemon as unknown as { ctx: DaemonContext }).ctx;
    const ledger = () => {
      const runtime = ctx.trading!.node.runtime;
      const id = runtime.marketIds().find((m) => [runtime.marketSnapshot(m)?.context.spec.yes_token, runtime.marketSnapshot(m)?.context.spec.no_token].includes(token))!;
      return runtime.marketSnapshot(id)!.context.ledger;
    };
    const pendingOfToken = () => Object.keys(ledger().pending).filter((f) => f.endsWith(`:${failing}`) || f.endsWith(`:${confirming}`)).sort();
    // Rebuilt from the venue: the shares held, both fills pending on them.
    await vi.waitFor(() => expect(pendingOfToken()).toHaveLength(2), 15_000);
    expect(sharesByToken(ledger())[token]).toBeCloseTo(held, 6);
    // The trading component restarts around the same venue adapter, as its supervisor restarts it.
    const trading = (daemon as unknown as { components: { list: Component[] } }).components.list.find((c) => c.name === 'trading')!;
    const before = ctx.trading!.node;
    await trading.stop();
    await trading.start();
    expect(ctx.trading!.node).not.toBe(before);
    await vi.waitFor(() => expect(pendingOfToken()).toHaveLength(2), 15_000);
    h.standIn.venue.settle(failing!, 'FAILED');
    h.standIn.venue.settle(confirming!, 'CONFIRMED');
    await vi.waitFor(() => expect(pendingOfToken()).toEqual([]), 15_000);
    const venue = h.standIn.venue.position(TEST_ADDRESS, token);
    expect(venue).toBeCloseTo(held - h.standIn.venue.trades.get(failing!)!.size, 6);
    expect(sharesByToken(ledger())[token]).toBeCloseTo(venue, 6);
    expect(await daemon.stop()).toBe(0);
  });
});
