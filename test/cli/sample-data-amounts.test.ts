import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHeliosToEnd } from '../daemon/support/helios-process.ts';

/**
 * `helios sample-data --json` writes its amounts as /metrics does, at 6 decimals without float
 * noise (net_pnl, a sum of per-market floats, read 14.925612769999999), and rounding them loses
 * nothing the figures add up to. Run as the operator runs it, a child process of bin/helios.js.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'helios-sample-amounts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runHelios = (argv: string[]) => runHeliosToEnd(argv, dir);

/** Every number in a JSON value, with its path. */
function numbersIn(value: unknown, at = '$'): Array<[string, number]> {
  if (typeof value === 'number') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbersIn(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbersIn(v, `${at}.${k}`));
  return [];
}

/** How many decimals a number is written with in JSON (exponent form counted too: 1e-7 has 7). */
function writtenDecimals(x: number): number {
  const [mantissa = '', exponent = '0'] = JSON.stringify(x).split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
}

interface PositionPayload {
  realized_pnl: number;
  unrealized_pnl: number;
  fees_paid: number;
}

describe('helios sample-data --json amounts', () => {
  it('no figure has more than 6 decimals, and net_pnl is still what the positions it recorded add up to', async () => {
    const out = path.join(dir, 'sample');
    // An hour of the default seed fills orders on several markets: net_pnl is a sum of floats.
    const r = await runHelios(['sample-data', '--out', out, '--hours', '1', '--no-compact', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { net_pnl: number; fills: number; decisions: Record<string, number> };

    for (const [at, x] of numbersIn(summary)) expect(writtenDecimals(x), `${at} = ${x}`).toBeLessThanOrEqual(6);
    expect(summary.fills).toBeGreaterThan(0);

    // The summary's figures are the decisions file's: per-type counts, and net PnL as the sum over
    // each token's last POSITION (realized − fees + unrealized), to within half of USDC's unit.
    const decisions = readFileSync(path.join(out, 'decisions.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; token_id?: string; payload: unknown });
    const byType: Record<string, number> = {};
    for (const d of decisions) byType[d.type] = (byType[d.type] ?? 0) + 1;
    expect(summary.decisions).toEqual(byType);
    const lastPosition = new Map<string, PositionPayload>();
    for (const d of decisions) if (d.type === 'POSITION') lastPosition.set(d.token_id!, d.payload as PositionPayload);
    const positionsNet = [...lastPosition.values()].reduce((s, p) => s + p.realized_pnl - p.fees_paid + p.unrealized_pnl, 0);
    expect(Math.abs(summary.net_pnl - positionsNet)).toBeLessThanOrEqual(0.5e-6 + 1e-9);

    // The directory's sample.json records the same figures.
    expect(JSON.parse(readFileSync(path.join(out, 'sample.json'), 'utf8'))).toEqual(summary);
  }, 180_000);
});
