import type { FrameRecord } from '../../adapters/capture/records.ts';

/** A captured market-channel frame, read once: its elements and the assets each one is about. */
export interface MarketFrame {
  seq: number;
  at: number;
  text: string;
  /** The frame was a JSON array (the initial dump comes as one). */
  isArray: boolean;
  elements: unknown[];
  /** Per element, the assets it concerns. */
  assets: string[][];
  /** Sent to every subscriber whatever it subscribed (`new_market` announces assets nobody has yet). */
  broadcast: boolean;
}

/**
 * The captured market-channel frames in arrival order. Text that is not JSON (`PONG`, `NO NEW
 * ASSETS`) answered the capturing client and is left out: the stand-in answers those itself.
 */
export function readMarketFrames(records: readonly FrameRecord[]): MarketFrame[] {
  const out: MarketFrame[] = [];
  for (const r of records) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.text);
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null) continue;
    const isArray = Array.isArray(parsed);
    const elements: unknown[] = isArray ? (parsed as unknown[]) : [parsed];
    out.push({
      seq: r.seq,
      at: r.recv_ms,
      text: r.text,
      isArray,
      elements,
      assets: elements.map(assetsOf),
      broadcast: elements.some((e) => eventType(e) === 'new_market'),
    });
  }
  return out.sort((a, b) => a.at - b.at || a.seq - b.seq);
}

export function eventType(e: unknown): string | null {
  const t = typeof e === 'object' && e !== null ? (e as { event_type?: unknown }).event_type : undefined;
  return typeof t === 'string' ? t : null;
}

function assetsOf(e: unknown): string[] {
  if (typeof e !== 'object' || e === null) return [];
  const o = e as { asset_id?: unknown; price_changes?: unknown; assets_ids?: unknown };
  const out = new Set<string>();
  if (typeof o.asset_id === 'string') out.add(o.asset_id);
  if (Array.isArray(o.price_changes)) for (const c of o.price_changes) if (typeof c === 'object' && c !== null && typeof (c as { asset_id?: unknown }).asset_id === 'string') out.add((c as { asset_id: string }).asset_id);
  if (Array.isArray(o.assets_ids)) for (const a of o.assets_ids) if (typeof a === 'string') out.add(a);
  return [...out];
}
