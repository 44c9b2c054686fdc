import type { OrderIntent } from './orders.ts';

/** The per-market trading states, exactly as the design names them. */
export const MARKET_STATES = ['IDLE', 'BUILDING_PAIR', 'LOCKED_PAIR', 'TEMPORAL_ACTIVE', 'HALT', 'FINALIZING', 'RESOLVED'] as const;
export type MarketStateName = (typeof MARKET_STATES)[number];

export interface Permissions {
  /** New exposure. */
  buy: boolean;
  /** Exits: reduce what is held. */
  sell: boolean;
  cancel: boolean;
}

/**
 * What each state may do. New entries only in IDLE, BUILDING_PAIR and TEMPORAL_ACTIVE; a pair
 * being built may sell (unwinding a naked leg); a locked pair buys nothing more; HALT and FINALIZING only cancel; RESOLVED does nothing.
 */
export const PERMISSIONS: Readonly<Record<MarketStateName, Permissions>> = {
  IDLE: { buy: true, sell: true, cancel: true },
  BUILDING_PAIR: { buy: true, sell: true, cancel: true },
  LOCKED_PAIR: { buy: false, sell: false, cancel: true },
  TEMPORAL_ACTIVE: { buy: true, sell: true, cancel: true },
  HALT: { buy: false, sell: false, cancel: true },
  FINALIZING: { buy: false, sell: false, cancel: true },
  RESOLVED: { buy: false, sell: false, cancel: false },
};

export function isPermitted(state: MarketStateName, intent: OrderIntent): boolean {
  const p = PERMISSIONS[state];
  if (intent.kind === 'cancel') return p.cancel;
  return intent.side === 'BUY' ? p.buy : p.sell;
}

/** The last line of defence: whatever a strategy proposes, a state only emits what it may. */
export function permittedIntents(state: MarketStateName, intents: readonly OrderIntent[]): OrderIntent[] {
  return intents.filter((i) => isPermitted(state, i));
}
