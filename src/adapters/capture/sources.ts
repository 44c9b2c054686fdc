import type { HeliosConfig } from '../../config/schema.ts';

/**
 * The outside sources a capture records and a playback stands in for, each with the config key
 * that holds its base URL. One table for both ends: capture names an answer by the source whose
 * base URL it starts with, playback serves that source under `/<name>` and prints the overlay
 * that points the key there.
 */
export const CAPTURE_SOURCES = [
  { name: 'gamma', kind: 'http', key: ['discovery', 'gamma_url'] },
  { name: 'clob', kind: 'http', key: ['market_tape', 'rest_url'] },
  { name: 'market', kind: 'ws', key: ['market_tape', 'ws_url'] },
  { name: 'awc', kind: 'http', key: ['weather', 'metar', 'awc_base_url'] },
  { name: 'wu', kind: 'http', key: ['weather', 'pws', 'wu_base_url'] },
  { name: 'pandascore', kind: 'http', key: ['truth_engine', 'sources', 'pandascore', 'rest_url'] },
  { name: 'pandascore_live', kind: 'ws', key: ['truth_engine', 'sources', 'pandascore', 'ws_url'] },
  { name: 'polymarket_sports', kind: 'ws', key: ['truth_engine', 'sources', 'polymarket_sports', 'ws_url'] },
  { name: 'liquipedia', kind: 'http', key: ['truth_engine', 'sources', 'liquipedia', 'api_url'] },
] as const;

export type CaptureSourceName = (typeof CAPTURE_SOURCES)[number]['name'];

/** Base URL per source as configured (sources whose key the config lacks are left out). */
export function sourceBases(config: HeliosConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of CAPTURE_SOURCES) {
    let v: unknown = config;
    for (const k of s.key) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (typeof v === 'string' && v !== '') out[s.name] = v.replace(/\/+$/, '');
  }
  return out;
}

/**
 * The source a URL belongs to (longest matching base wins, so a base nested in another is still
 * told apart) and the rest of the URL after that base; `other` with the whole path otherwise.
 */
export function classifyUrl(url: string, bases: Readonly<Record<string, string>>): { source: string; rest: string } {
  let best: { source: string; base: string } | null = null;
  for (const name of Object.keys(bases).sort()) {
    const base = bases[name]!;
    const next = url.charAt(base.length);
    if (url.startsWith(base) && (next === '' || next === '/' || next === '?') && (!best || base.length > best.base.length)) best = { source: name, base };
  }
  if (best) return { source: best.source, rest: url.slice(best.base.length) || '/' };
  const u = new URL(url);
  return { source: 'other', rest: u.pathname + u.search };
}
