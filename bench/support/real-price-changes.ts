import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/fixtures/real beside the repository (absent on a fresh clone). */
const REAL = path.resolve(fileURLToPath(new URL('../../../shared/fixtures/real', import.meta.url)));

/**
 * The real `price_change` export (`price_change_messages_*.csv`: one row per asset and update, its
 * level changes as a JSON array) rewritten as current-format market-channel frames, in the venue's
 * documented key order, one frame per row. Null when the shared fixtures are absent.
 */
export function realPriceChangeFrames(): { file: string; frames: string[] } | null {
  if (!existsSync(REAL)) return null;
  const file = readdirSync(REAL).filter((f) => /^price_change_messages_.*\.csv$/.test(f)).sort()[0];
  if (!file) return null;
  const rows = parseCsv(readFileSync(path.join(REAL, file), 'utf8')).slice(1);
  const frames: string[] = [];
  for (const [, assetId, market, timestamp, hash, changes] of rows) {
    if (!assetId || !market || !timestamp || !changes) continue;
    const ts = Date.parse(timestamp.replace(' ', 'T').replace(/ ([+-]\d\d)(\d\d)$/, '$1:$2'));
    const levels = JSON.parse(changes) as Array<{ side: string; size: string; price: string }>;
    const entries = levels.map((l) => `{"asset_id":"${assetId}","price":"${l.price}","size":"${l.size}","side":"${l.side === 'SELL' ? 'SELL' : 'BUY'}","hash":"${hash ?? ''}"}`);
    frames.push(`{"market":"${market}","price_changes":[${entries.join(',')}],"timestamp":"${ts}","event_type":"price_change"}`);
  }
  return { file, frames };
}

/** RFC 4180 rows (quoted fields, doubled quotes), enough for the export above. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}
