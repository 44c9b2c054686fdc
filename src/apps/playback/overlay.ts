import { stringify } from 'yaml';
import { CAPTURE_SOURCES } from '../../adapters/capture/sources.ts';

/**
 * A config overlay (for `helios run --live --config FILE`) that points every source at the
 * playback, so nothing reaches the real services: the keys of `CAPTURE_SOURCES`, nested as the
 * config nests them.
 */
export function playbackOverlay(urls: Readonly<Record<string, string>>): string {
  const root: Record<string, unknown> = {};
  for (const s of CAPTURE_SOURCES) {
    const url = urls[s.name];
    if (url === undefined) continue;
    let node = root;
    s.key.slice(0, -1).forEach((k) => {
      node = (node[k] ??= {}) as Record<string, unknown>;
    });
    node[s.key[s.key.length - 1]!] = url;
  }
  return stringify(root);
}
