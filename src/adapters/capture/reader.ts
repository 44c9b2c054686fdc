import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRAMES_FILE, HTTP_FILE, MANIFEST_FILE, frameRecordSchema, httpRecordSchema, manifestSchema, type CaptureManifest, type FrameRecord, type HttpRecord } from './records.ts';

/** A directory that is not a readable capture (no manifest, another format, unreadable). */
export class CaptureUnreadable extends Error {}

export interface LoadedCapture {
  manifest: CaptureManifest;
  /** In arrival order (`seq`). */
  http: HttpRecord[];
  frames: FrameRecord[];
  /** Lines that were not records, with where they were (left out of the lists above). */
  malformed: Array<{ file: string; line: number; reason: string }>;
}

/** Reads a capture directory whole (captures are minutes to hours of one operating set). */
export function readCapture(dir: string): LoadedCapture {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new CaptureUnreadable(`${dir} is not a capture: ${MANIFEST_FILE} is missing`);
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new CaptureUnreadable(`${manifestPath}: ${(err as Error).message}`);
  }
  const m = manifestSchema.safeParse(manifestJson);
  if (!m.success) throw new CaptureUnreadable(`${manifestPath} is not a helios capture manifest: ${m.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  const malformed: LoadedCapture['malformed'] = [];
  const http = readLines(join(dir, HTTP_FILE), httpRecordSchema, malformed);
  const frames = readLines(join(dir, FRAMES_FILE), frameRecordSchema, malformed);
  return { manifest: m.data, http: http.sort((a, b) => a.seq - b.seq), frames: frames.sort((a, b) => a.seq - b.seq), malformed };
}

function readLines<T>(path: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: readonly PropertyKey[]; message: string }> } } }, malformed: LoadedCapture['malformed']): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      malformed.push({ file: path, line: i + 1, reason: 'not JSON' });
      return;
    }
    const r = schema.safeParse(v);
    if (r.success) out.push(r.data);
    // Each problem names its field: 'expected "http"' alone does not say the line lacks its `kind`.
    else malformed.push({ file: path, line: i + 1, reason: r.error.issues.map((x) => (x.path.length > 0 ? `${x.path.map(String).join('.')}: ${x.message}` : x.message)).join('; ') });
  });
  return out;
}
