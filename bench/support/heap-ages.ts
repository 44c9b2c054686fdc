/**
 * Ages of the objects alive in a heap snapshot taken with allocation tracking on: V8 numbers
 * objects as it allocates them while tracking, and the snapshot's `samples` map those numbers to
 * times, so each live object's age and allocation stack are known. Objects a few young collections
 * old are the ones scavenges copy and promote (a collection every ~130 ms at 5,000 frames/s); this
 * groups them by allocation stack.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; trace_function_info_fields: string[]; trace_node_fields: string[] } };
  nodes: number[];
  strings: string[];
  samples: number[];
  trace_function_infos: number[];
  trace_tree: unknown[];
}

export interface AgeReport {
  buckets: Array<{ label: string; bytes: number; count: number }>;
  /** The `band` bucket's bytes by allocation stack (innermost first), largest first. */
  bandBySite: Array<{ site: string; bytes: number; count: number }>;
}

const BUCKETS: Array<[string, number]> = [
  ['< 130 ms', 130],
  ['130–300 ms', 300],
  ['300–1,000 ms', 1_000],
  ['1–3 s', 3_000],
  ['older (tracked)', Number.POSITIVE_INFINITY],
];

/** `band`: the age range (ms) whose objects are listed by site. */
export function heapAges(file: string, band: [number, number], takenAtUs?: number): AgeReport {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = snap.snapshot.meta.node_fields;
  const width = f.length;
  const idAt = f.indexOf('id');
  const sizeAt = f.indexOf('self_size');
  const traceAt = f.indexOf('trace_node_id');
  // samples: [timestamp_us, last_assigned_id] pairs in time order.
  const sampleTimes: number[] = [];
  const sampleIds: number[] = [];
  for (let i = 0; i < snap.samples.length; i += 2) {
    sampleTimes.push(snap.samples[i]!);
    sampleIds.push(snap.samples[i + 1]!);
  }
  const end = takenAtUs ?? sampleTimes[sampleTimes.length - 1] ?? 0;
  const siteOf = traceSites(snap);
  const buckets = BUCKETS.map(([label]) => ({ label, bytes: 0, count: 0 }));
  const bySite = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const trace = snap.nodes[i + traceAt]!;
    if (trace === 0) continue; // allocated before tracking began
    const id = snap.nodes[i + idAt]!;
    const size = snap.nodes[i + sizeAt]!;
    // First sample whose last assigned id covers this object: it was allocated before that time.
    let lo = 0;
    let hi = sampleIds.length - 1;
    if (hi < 0 || sampleIds[hi]! < id) continue;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sampleIds[mid]! >= id) hi = mid;
      else lo = mid + 1;
    }
    const ageMs = (end - sampleTimes[lo]!) / 1000;
    const b = BUCKETS.findIndex(([, upper]) => ageMs < upper);
    buckets[b]!.bytes += size;
    buckets[b]!.count++;
    if (ageMs >= band[0] && ageMs < band[1]) {
      const site = siteOf.get(trace) ?? '?';
      const e = bySite.get(site) ?? { bytes: 0, count: 0 };
      e.bytes += size;
      e.count++;
      bySite.set(site, e);
    }
  }
  const bandBySite = [...bySite].map(([site, e]) => ({ site, ...e })).sort((a, b) => b.bytes - a.bytes);
  return { buckets, bandBySite };
}

/** Trace node id → its innermost four frames, "fn file:line < caller ...". */
function traceSites(snap: Snapshot): Map<number, string> {
  const ff = snap.snapshot.meta.trace_function_info_fields;
  const fw = ff.length;
  const names: string[] = [];
  for (let i = 0; i < snap.trace_function_infos.length; i += fw) {
    const name = snap.strings[snap.trace_function_infos[i + ff.indexOf('name')]!] || '(anon)';
    const script = (snap.strings[snap.trace_function_infos[i + ff.indexOf('script_name')]!] ?? '').replace(/^.*\/(src|node_modules|bench)\//, '$1/');
    const line = snap.trace_function_infos[i + ff.indexOf('line')]!;
    names.push(`${name} ${script}:${line + 1}`);
  }
  const tf = snap.snapshot.meta.trace_node_fields;
  const tw = tf.length;
  const out = new Map<number, string>();
  const walk = (flat: unknown[], stack: string[]) => {
    for (let i = 0; i < flat.length; i += tw) {
      const id = flat[i + tf.indexOf('id')] as number;
      const fn = names[flat[i + tf.indexOf('function_info_index')] as number] ?? '?';
      const s = [fn, ...stack];
      out.set(id, s.slice(0, 4).join(' < '));
      walk(flat[i + tf.indexOf('children')] as unknown[], s);
    }
  };
  walk(snap.trace_tree, []);
  return out;
}
