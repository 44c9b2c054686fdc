import { z } from 'zod';
import { apiSection } from './sections/api.ts';
import { appSection, logSection } from './sections/app.ts';
import { busSection } from './sections/bus.ts';
import { daemonSection } from './sections/daemon.ts';
import { healthcheckSection } from './sections/healthcheck.ts';
import { discoverySection } from './sections/discovery.ts';
import { marketTapeSection } from './sections/market-tape.ts';
import { executionSection, riskSection, tradingSection } from './sections/trading.ts';
import { soakSection } from './sections/soak.ts';
import { storageSection } from './sections/storage.ts';
import { truthSection } from './sections/truth.ts';
import { weatherSection } from './sections/weather.ts';
import { misorderedBounds } from './ordered-bounds.ts';

/**
 * The whole configuration. Every object is strict (unknown keys are rejected) and every key is
 * required: config/default.yaml is the single place where defaults live.
 */
export const configSchema = z.strictObject({
  app: appSection,
  log: logSection,
  bus: busSection,
  api: apiSection,
  daemon: daemonSection,
  healthcheck: healthcheckSection,
  market_tape: marketTapeSection,
  discovery: discoverySection,
  trading: tradingSection,
  risk: riskSection,
  execution: executionSection,
  storage: storageSection,
  truth_engine: truthSection,
  weather: weatherSection,
  soak: soakSection,
}).superRefine((c, ctx) => {
  // A city settling on a station nobody watches would have every one of its events refused.
  const watched = new Set(c.weather.stations.map((s) => s.id));
  c.discovery.temperature.cities.forEach((city, i) => {
    if (!watched.has(city.station)) {
      ctx.addIssue({ code: 'custom', path: ['discovery', 'temperature', 'cities', i, 'station'], message: `one of weather.stations (${[...watched].sort().join(', ')}): add ${city.station} there, with its time zone` });
    }
  });
  for (const p of misorderedBounds(c)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  // At or past the journal's bound the journal drops before the simulated clock would stop for it.
  if (c.daemon.sim.hold_at_journal_backlog >= c.storage.journal.max_pending_events) {
    ctx.addIssue({ code: 'custom', path: ['daemon', 'sim', 'hold_at_journal_backlog'], message: `below storage.journal.max_pending_events (${c.storage.journal.max_pending_events}): the journal would drop events before the simulated clock stood still for it` });
  }
  if (c.daemon.sim.caught_up_lag_ms >= c.daemon.sim.max_lag_ms) {
    ctx.addIssue({ code: 'custom', path: ['daemon', 'sim', 'caught_up_lag_ms'], message: `below daemon.sim.max_lag_ms (${c.daemon.sim.max_lag_ms}): a clock behind by max_lag_ms would count as caught up at once` });
  }
});

export type HeliosConfig = z.infer<typeof configSchema>;
