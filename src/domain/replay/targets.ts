import type { HeliosEvent } from '../events/catalog.ts';
import { isShockTrigger } from '../storage/windows.ts';

/**
 * Where "step" stops: the next event of any kind, the next METAR, the next event window opening,
 * the next mid-price shock (a window opened by the shock rule), or any predicate.
 */
export type StepTarget = 'event' | 'metar' | 'window' | 'shock' | ((event: HeliosEvent) => boolean);

/**
 * What "run to the next decision" stops at: a policy or a new order. A market machine's state
 * change is a decision too, but a halt on a stale book has no input event to show.
 */
export function isTradingDecision(event: HeliosEvent): boolean {
  if (event.type === 'POLICY') return true;
  return event.type === 'ORDER_UPDATE' && event.payload.status === 'pending';
}

export function matchesStepTarget(event: HeliosEvent, target: StepTarget): boolean {
  if (typeof target === 'function') return target(event);
  switch (target) {
    case 'event':
      return true;
    case 'metar':
      return event.type === 'METAR_OBS';
    case 'window':
      return event.type === 'WINDOW_OPEN';
    case 'shock':
      return event.type === 'WINDOW_OPEN' && isShockTrigger(event.payload.trigger);
  }
}

