import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { venueSimComponent } from '../../src/apps/daemon/components/venue-sim.ts';
import type { DaemonContext } from '../../src/apps/daemon/context.ts';
import { loadConfig } from '../../src/config/load.ts';

const listeningServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('the daemon\'s embedded venue simulator component', () => {
  it('stopped while its server is still binding (SIGTERM during start-up), it leaves no server listening', async () => {
    const config = loadConfig({ env: {} }).config;
    const ctx = { config, simVenue: [], simWeather: null, retiredMarkets: new Set(), universe: { markets: [], layouts: [] }, universeListeners: new Set(), clock: new VirtualClock(0), truthPlans: [], truthPlansListeners: new Set() } as unknown as DaemonContext;
    const component = venueSimComponent(ctx);
    const before = listeningServers();
    const starting = component.start();
    await component.stop();
    await starting;
    // A closed server's handle leaves the loop a turn after its close callback.
    await vi.waitFor(() => expect(listeningServers()).toBe(before));
    expect(ctx.venueUrls).toBeUndefined();
  });
});
