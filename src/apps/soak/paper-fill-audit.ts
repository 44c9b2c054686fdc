import { listDispatchLogs, readDispatchLog } from '../../adapters/storage/dispatch-log.ts';
import { judgePaperFills, type PaperFillVerdict, type PaperTakerFill, type TradingSessionInputs } from '../../domain/soak/paper-fills.ts';
import type { RefereeRecord } from '../../domain/soak/referee.ts';

export interface PaperFillAudit extends PaperFillVerdict {
  /** Trading-node lives (dispatch logs) read. */
  sessions: number;
}

/** Every trading-node life of a data directory, from its dispatch logs (`DATA_DIR/dispatch/`). */
export async function readTradingSessions(dataDir: string): Promise<TradingSessionInputs[]> {
  const sessions: TradingSessionInputs[] = [];
  for (const file of listDispatchLogs(dataDir)) {
    const { header, records: inputs } = await readDispatchLog(file);
    const tokens = new Set(header.markets.flatMap((m) => [m.spec.yes_token, m.spec.no_token]));
    sessions.push({ session: header.session, start_ms: header.start_ms, tokens, inputs });
  }
  return sessions;
}

/**
 * Every paper taker fill of the soak's journal, judged against the books of the trading-node life
 * that made it (`sessions`, readTradingSessions), rebuilt from that life's inputs. A fill belongs to
 * the latest life built before it: lives of one data directory follow each other in time.
 */
export function auditPaperFills(sessions: readonly TradingSessionInputs[], records: readonly RefereeRecord[]): PaperFillAudit {
  const fills: PaperTakerFill[] = [];
  for (const { event: e } of records) {
    if (e.type !== 'FILL' || e.payload.status !== 'MATCHED' || e.payload.liquidity !== 'taker' || !e.token_id) continue;
    const f = e.payload;
    fills.push({ at_ms: e.ts_ingest, fill_id: f.fill_id, token_id: e.token_id, side: f.side, price: f.price, size: f.size });
  }
  const lives = [...sessions].sort((a, b) => a.start_ms - b.start_ms || a.session - b.session);
  const bySession = lives.map(() => [] as PaperTakerFill[]);
  const out: PaperFillAudit = { judged: 0, overfills: 0, unjudged: 0, examples: [], sessions: lives.length };
  for (const f of fills) {
    let i = -1;
    for (let k = 0; k < lives.length && lives[k]!.start_ms <= f.at_ms; k++) i = k;
    if (i < 0) out.unjudged++;
    else bySession[i]!.push(f);
  }
  lives.forEach((s, i) => {
    const v = judgePaperFills(s, bySession[i]!);
    out.judged += v.judged;
    out.overfills += v.overfills;
    out.unjudged += v.unjudged;
    out.examples.push(...v.examples.slice(0, 10 - out.examples.length));
  });
  return out;
}
