/**
 * A client's message on the market channel as the venue reads it: the initial `{type: 'market'}`
 * subscription or a later `{operation: 'subscribe' | 'unsubscribe'}`. One reading for every
 * stand-in of the venue (the simulator and capture playback).
 */
export interface MarketChannelRequest {
  op: 'subscribe' | 'unsubscribe';
  ids: string[];
  /** The initial `type: market` message rather than a later `operation`. */
  initial: boolean;
  /** False only when the client sent `initial_dump: false`. */
  initialDump: boolean;
  customFeatureEnabled: boolean;
}

/** null for what the venue ignores: not JSON, no asset list, no operation it knows. */
export function parseMarketChannelRequest(text: string): MarketChannelRequest | null {
  let msg: { assets_ids?: unknown; operation?: unknown; type?: unknown; initial_dump?: unknown; custom_feature_enabled?: unknown } | null;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (msg === null || typeof msg !== 'object' || !Array.isArray(msg.assets_ids)) return null;
  const ids = msg.assets_ids.filter((x): x is string => typeof x === 'string');
  const initial = typeof msg.operation !== 'string';
  const op = !initial ? msg.operation : String(msg.type).toLowerCase() === 'market' ? 'subscribe' : '';
  if (op !== 'subscribe' && op !== 'unsubscribe') return null;
  return { op, ids, initial, initialDump: msg.initial_dump !== false, customFeatureEnabled: msg.custom_feature_enabled === true };
}
