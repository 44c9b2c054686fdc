import { z } from 'zod';
import type { PandascoreListing } from '../../domain/discovery/pandascore-mapping.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { requestJson, type FetchLike } from '../http/request-json.ts';

const listing = z.looseObject({
  id: z.number(),
  begin_at: z.string().nullable().optional(),
  scheduled_at: z.string().nullable().optional(),
  opponents: z.array(z.looseObject({ opponent: z.looseObject({ name: z.string(), acronym: z.string().nullable().optional() }) })),
});

export interface PandascoreListingsOptions {
  restUrl: string;
  token: string;
  clock: Clock;
  timeoutMs: number;
  /** Matches per page (PandaScore allows 100). */
  perPage: number;
  fetch?: FetchLike;
}

/**
 * PandaScore's upcoming and running matches, as listings discovery maps moneylines to. An answer
 * that is not a list of match objects throws (the scan reports it as a source error).
 */
export async function fetchPandascoreListings(o: PandascoreListingsOptions): Promise<PandascoreListing[]> {
  const fetchFn: FetchLike = o.fetch ?? ((url, init) => fetch(url, init));
  const out: PandascoreListing[] = [];
  for (const which of ['running', 'upcoming'] as const) {
    const url = `${o.restUrl.replace(/\/$/, '')}/matches/${which}?per_page=${o.perPage}&sort=begin_at`;
    const res = await requestJson(fetchFn, url, { headers: { authorization: `Bearer ${o.token}` }, target: `/matches/${which}` }, { clock: o.clock, ms: o.timeoutMs });
    const parsed = z.array(listing).safeParse(res.body);
    if (!parsed.success) throw new Error(`PandaScore /matches/${which}: not a list of matches (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    for (const m of parsed.data) {
      const at = m.begin_at ?? m.scheduled_at ?? null;
      const ms = at === null ? NaN : Date.parse(at);
      out.push({ id: String(m.id), opponents: m.opponents.map((p) => [p.opponent.name, ...(p.opponent.acronym ? [p.opponent.acronym] : [])]), begin_ms: Number.isFinite(ms) ? ms : null });
    }
  }
  return out;
}
