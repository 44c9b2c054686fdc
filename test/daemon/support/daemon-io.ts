import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A daemon API request: its status and parsed JSON body. */
export async function fetchJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

/** The parsed JSON body of a GET. */
export async function getJson(url: string): Promise<any> {
  return (await fetchJson(url)).body;
}

/** A JSON POST, with the bearer token when given. */
export function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetchJson(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

/**
 * The journal records of a data directory, of channel `ch` or of all, file by file (none when it
 * has no journal yet). Only the NDJSON: a cleanly closed hour also has its `.sealed` marker beside it.
 */
export function journalRecords(dataDir: string, ch?: string): Array<Record<string, any>> {
  const ls = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const root = path.join(dataDir, 'journal');
  return ls(root)
    .filter((d) => d.startsWith('date='))
    .flatMap((d) => ls(path.join(root, d)).filter((c) => (ch === undefined ? c.startsWith('ch=') : c === `ch=${ch}`)).map((c) => path.join(root, d, c)))
    .flatMap((dir) => ls(dir).filter((f) => f.endsWith('.ndjson')).map((f) => path.join(dir, f)))
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>));
}
