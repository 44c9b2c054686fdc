import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { venueSimComponent } from '../../src/apps/daemon/components/venue-sim.ts';
import type { DaemonContext } from '../../src/apps/daemon/context.ts';
import { loadConfig } from '../../src/config/load.ts';
import { WebSocket } from 'ws';
import { generateMatchPlans } from '../../src/sim/esports/simulator-plan.ts';
import { simMatchMarket } from '../../src/sim/match-rounds.ts';
import { specOfPlan } from '../../src/sim/esports/simulated-truth.ts';
import { syntheticMarketSpecs } from '../../src/sim/venue/synthetic-markets.ts';

const listeningServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('the daemon\'s embedded venue simulator component', () => {
  it('stopped while its server is still binding (SIGTERM during start-up), it leaves no server listening', async () => {
    const config = loadConfig({ env: {} }).config;
    const ctx = { config, simVenue: [], simWeather: null, retiredMarkets: new Set(), universe: { markets: [], layouts: [] }, universeListeners: new Set(), clock: new VirtualClock(0), truthPlans: [], truthPlansListeners: new Set(), simRoundPlans: new Map(), simVenueResolutions: new Map() } as unknown as DaemonContext;
    const component = venueSimComponent(ctx);
    const before = listeningServers();
    const starting = component.start();
    await component.stop();
    await starting;
    // A closed server's handle leaves the loop a turn after its close callback.
    await vi.waitFor(() => expect(listeningServers()).toBe(before));
    expect(ctx.venueUrls).toBeUndefined();
  });

  it('started again after it resolved a market, keeps that market resolved: no order flow on its book, while the others trade on', { timeout: 30_000 }, async () => {
    const config = loadConfig({ env: {}, overrides: { 'daemon.sim.crowd_follows_model': false, 'daemon.sim.venue_events_per_s': 400 } }).config;
    const [matchVenue, otherVenue] = syntheticMarketSpecs(2);
    // A match planned at the epoch is long over: its market resolves as soon as the venue starts.
    const plans = generateMatchPlans(config.app.seed, 0, config.truth_engine.simulator).slice(0, 1);
    const match = simMatchMarket(config, specOfPlan(plans[0]!), matchVenue!);
    const { venue: _venue, ...matchMarket } = match;
    const quiet = () => undefined;
    const log = { info: quiet, warn: quiet, error: quiet, child: () => log };
    const clock = new VirtualClock(1_800_000_000_000);
    const ctx = {
      config,
      log,
      clock,
      simVenue: [matchVenue, otherVenue],
      simWeather: null,
      retiredMarkets: new Set(),
      universe: { markets: [matchMarket], layouts: [] },
      universeListeners: new Set(),
      truthPlans: [{ plans, from: 0, to: null }],
      truthPlansListeners: new Set(),
      simRoundPlans: new Map(),
      simVenueResolutions: new Map(),
    } as unknown as DaemonContext;
    const component = venueSimComponent(ctx);
    await component.start();
    await clock.advanceBy(1);
    expect([...ctx.simVenueResolutions.keys()]).toEqual([matchVenue!.market]);
    await component.stop();
    await component.start();
    try {
      // What the started-again venue sends for each market's tokens over a second of order flow.
      const frames = new Map<string, number>();
      const ws = new WebSocket(ctx.venueUrls!.ws);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.on('message', (data) => {
        const text = String(data);
        if (text === 'PONG') return;
        const list = JSON.parse(text) as unknown;
        for (const f of (Array.isArray(list) ? list : [list]) as Array<Record<string, unknown>>) {
          const market = String(f.market ?? '');
          if (f.event_type !== 'book') frames.set(market, (frames.get(market) ?? 0) + 1);
        }
      });
      ws.send(JSON.stringify({ type: 'market', assets_ids: [matchVenue!.yes, matchVenue!.no, otherVenue!.yes, otherVenue!.no] }));
      await new Promise((r) => setTimeout(r, 1_000));
      ws.close();
      expect(frames.get(otherVenue!.market) ?? 0).toBeGreaterThan(0);
      expect(frames.get(matchVenue!.market) ?? 0).toBe(0);
    } finally {
      await component.stop();
    }
  });
});

