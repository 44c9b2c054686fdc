import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * On-disk memo of METAR parsing results. metar-taf-parser costs most of the time of loading an
 * archive (about 0.2 ms a report), and the same archive is loaded again and again (every `nowcast
 * fit`, every test that reads it), so the result is stored under the hash of the input and of
 * everything that decides the output: the parser package's code and our own parsing modules. Editing
 * either, or upgrading the package, makes every stored entry unreachable.
 */
export interface ParseCacheOptions {
  /** Where entries live; null turns the cache off. */
  dir: string | null;
  /** Inputs shorter than this are parsed directly: they are quick, and would only fill the folder. */
  minInputChars: number;
  /** Entries kept; the least recently used ones beyond this are removed after a write. */
  maxEntries: number;
}

export const DEFAULT_PARSE_CACHE: ParseCacheOptions = {
  dir: path.join(tmpdir(), `helios-metar-cache-${safeUid()}`),
  minInputChars: 64 * 1024,
  maxEntries: 16,
};

/** The module whose transitive relative imports are the parsing code the fingerprint covers. */
const PARSING_ROOT = fileURLToPath(new URL('./metar-file.ts', import.meta.url));
const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const ENTRY = /^[0-9a-f]{64}\.json$/;

let fingerprint: string | null | undefined;

/**
 * Returns `compute()`, from the cache when an entry for exactly this input and this parsing code
 * exists. `input` must hold everything the result depends on besides the code.
 */
export function cachedParse<T>(input: string, compute: () => T, opts: ParseCacheOptions = DEFAULT_PARSE_CACHE): T {
  const code = opts.dir !== null && input.length >= opts.minInputChars ? parsingFingerprint() : null;
  if (opts.dir === null || code === null || !isOwnPrivateDir(opts.dir)) return compute();
  const file = path.join(opts.dir, `${createHash('sha256').update(code).update('\0').update(input).digest('hex')}.json`);
  const hit = readEntry<T>(file);
  if (hit.found) return hit.value;
  const value = compute();
  writeEntry(opts, file, value);
  return value;
}

/**
 * The folder exists (made now if missing) as a real folder of this user that no one else can
 * write to. The default one's name in the shared tmp dir is predictable: a folder another user
 * made first, made writable to others or linked to one of theirs would let them plant the METARs
 * this process trades on. Such a folder is not used (every load parses), nor is one we cannot make.
 */
function isOwnPrivateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (st.mode & 0o022) !== 0) return false;
    // No POSIX owners (Windows): the folder's place in the user's own tmp dir is what keeps it theirs.
    return process.getuid === undefined || st.uid === process.getuid();
  } catch {
    return false;
  }
}

function readEntry<T>(file: string): { found: true; value: T } | { found: false } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { found: false };
  }
  try {
    const value = decodeExact(JSON.parse(text)) as T;
    const now = new Date();
    utimesSync(file, now, now);
    return { found: true, value };
  } catch {
    // A damaged entry (disk full mid-write by an older version, manual edits) is parsed afresh and replaced.
    return { found: false };
  }
}

function writeEntry(opts: ParseCacheOptions, file: string, value: unknown): void {
  const dir = opts.dir!;
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify(encodeExact(value)), { mode: 0o600 });
    // rename is atomic: a concurrent reader sees either no entry or a whole one, never a partial file.
    renameSync(tmp, file);
    prune(dir, opts.maxEntries);
  } catch {
    // The cache only saves time: a read-only or full disk must not fail the load that computed the value.
    rmSync(tmp, { force: true });
  }
}

function prune(dir: string, maxEntries: number): void {
  const entries = readdirSync(dir).filter((n) => ENTRY.test(n));
  if (entries.length <= maxEntries) return;
  const aged = entries.map((n) => ({ n, at: statSync(path.join(dir, n)).mtimeMs })).sort((a, b) => a.at - b.at || a.n.localeCompare(b.n));
  for (const { n } of aged.slice(0, entries.length - maxEntries)) rmSync(path.join(dir, n), { force: true });
}

/** Hash of metar-taf-parser's code and of our parsing modules; null when a source cannot be read (then nothing is cached). */
export function parsingFingerprint(): string | null {
  if (fingerprint !== undefined) return fingerprint;
  try {
    const hash = createHash('sha256');
    hash.update(readFileSync(createRequire(import.meta.url).resolve('metar-taf-parser')));
    for (const file of parsingModules()) hash.update(path.basename(file)).update('\0').update(readFileSync(file));
    fingerprint = hash.digest('hex');
  } catch {
    fingerprint = null;
  }
  return fingerprint;
}

/** Our parsing modules: the parsing root and every module it reaches through relative imports, sorted. */
export function parsingModules(): string[] {
  const seen = new Set<string>();
  const stack = [PARSING_ROOT];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) stack.push(path.resolve(path.dirname(file), m[1]!));
  }
  return [...seen].sort();
}

function safeUid(): string {
  try {
    return String(userInfo().uid);
  } catch {
    return 'user';
  }
}

/** JSON loses -0, NaN, the infinities and properties holding undefined; these tags keep them. */
const TAG = '\u0000';

function encodeExact(value: unknown): unknown {
  if (value === undefined) return { [TAG]: 'undefined' };
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? value : { [TAG]: Object.is(value, -0) ? '-0' : String(value) };
  if (Array.isArray(value)) return value.map(encodeExact);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeExact(v);
    return out;
  }
  return value;
}

function decodeExact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeExact);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if (TAG in obj) {
    const t = obj[TAG];
    if (t === 'undefined') return undefined;
    if (t === '-0') return -0;
    return Number(t);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decodeExact(v);
  return out;
}
