import type { AnyStateMachine } from 'xstate';
import type { HeliosConfig } from '../../config/schema.ts';
import { feedConnectionMachine } from '../../machines/feed-connection/feed-connection.machine.ts';
import { createMarketGroupMachine } from '../../machines/market-group/market-group.machine.ts';
import { marketTradingMachine } from '../../machines/market-trading/market-trading.machine.ts';
import { stationQcMachine } from '../../machines/station-qc/station-qc.machine.ts';
import { supervisorMachine } from '../../machines/supervisor/supervisor.machine.ts';
import { systemMachine } from '../../machines/system/system.machine.ts';
import { truthMachine } from '../../machines/truth/truth.machine.ts';

export interface MachineEntry {
  name: string;
  description: string;
  /** Builds the machine definition (nothing runs: machines built from config are only shaped by it). */
  build(config: HeliosConfig): AnyStateMachine;
}

/**
 * Every state machine of `src/machines`, by the name `helios inspect` knows it under. Machines made
 * by a factory are built with the loaded configuration.
 */
export const MACHINES: readonly MachineEntry[] = [
  { name: 'system', description: 'root of the actor tree: one supervisor per daemon component, escalates to exit 3', build: () => systemMachine },
  { name: 'supervisor', description: 'runs one component, restarts it with backoff under a restart-intensity limit', build: () => supervisorMachine },
  { name: 'feed-connection', description: 'one Polymarket market-channel connection: connect, subscribe, heartbeat, resync, backoff', build: () => feedConnectionMachine },
  { name: 'station-qc', description: 'quality state of one weather station (ok, outlier_likely, degraded, stale)', build: () => stationQcMachine },
  { name: 'truth', description: 'esports match truth: scheduled, live, stale, pending_final, effectively_final, disputed, invalidated, settled', build: () => truthMachine },
  {
    name: 'market-trading',
    description: 'one market: IDLE, BUILDING_PAIR, LOCKED_PAIR, TEMPORAL_ACTIVE, HALT, FINALIZING, RESOLVED',
    build: () => marketTradingMachine,
  },
  {
    name: 'market-group',
    description: 'a shard of market actors with one-for-one supervision',
    build: (config) =>
      createMarketGroupMachine({
        supervision: config.trading.supervision,
        market: marketTradingMachine,
        respawnInput: (_id, last) => last,
        watchdogMs: config.trading.staleness.watchdog_ms,
      }),
  },
];

export function machineNames(): string[] {
  return MACHINES.map((m) => m.name).sort();
}

export function findMachine(name: string): MachineEntry | undefined {
  return MACHINES.find((m) => m.name === name);
}
