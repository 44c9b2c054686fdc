import { carriedOf, readPaperState, recordUnansweredTold, unansweredUntold, writePaperState, type StoredUnansweredFill } from '../../adapters/storage/paper-state-file.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import { carriesNothing, type CarriedTrading } from '../../domain/trading/carried-state.ts';
import type { TradingNode } from '../../runtime/trading/trading-node.ts';
import type { DaemonContext } from './context.ts';

/** Whether this process trades on the paper venue (and so keeps its state between sessions). */
export function tradesOnPaper(ctx: Pick<DaemonContext, 'config' | 'role'>): boolean {
  return ctx.role !== 'feeds' && ctx.config.execution.adapter === 'paper';
}

/**
 * Paper positions outlive the process: the paper venue's holdings, each market's ledger (the
 * retired markets' collapsed into one aggregate), the day's loss baseline and the drawdown's peak are written to DATA_DIR/state/paper-state.json
 * whenever a fill, a market or risk state changes (in the same event-loop turn, so a SIGKILL loses
 * none of them), when marks alone moved (risk's values, the peak) at most every
 * `daemon.paper_state_mark_save_ms`, and at shutdown after the paper orders were canceled. A node starting on the same data directory is built from it (the dispatch
 * log's header keeps it, so replay starts alike); the startup reconciliation then checks the
 * ledgers against the venue. Without this a restart started flat: positions forgotten and the
 * daily-loss limit reset. A file that cannot be read throws (PaperStateError): see readPaperState.
 * Every save names the fills it carries as matched though still awaiting their answer. The final
 * save (`save`, when the trading component stops) tells of them, marks the file a clean stop's and
 * returns how many; a start on a file no clean stop wrote (a crash's last save) tells of that
 * file's instead (`untoldAtStart`, how many), since nobody did, and rewrites that file as naming
 * none, so that a second crash before this session's first save does not have them told of twice.
 */
export function persistedPaperState(ctx: DaemonContext): { carried: CarriedTrading | undefined; untoldAtStart: number; wrap(inner: EventSink): EventSink; attach(node: TradingNode, now: () => number): void; save(): number } {
  const dataDir = ctx.opts.dataDir;
  const stored = readPaperState(dataDir);
  const carried: CarriedTrading | undefined = stored && !carriesNothing(stored) ? carriedOf(stored) : undefined;
  const untold = stored ? unansweredUntold(stored) : [];
  if (carried) announce(ctx, carried, stored!.saved_ms, untold.length);
  tellUnconfirmed(ctx, untold, 'crashed');
  if (untold.length) {
    try {
      recordUnansweredTold(dataDir, stored!);
    } catch (err) {
      ctx.reportError('paper-state', err);
    }
  }
  let node: TradingNode | null = null;
  /** The fills the final save told of (null: it has not run); a later save carrying no other is still a clean stop's. */
  let told: ReadonlySet<string> | null = null;
  let nodeNow = () => 0;
  let queued = false;
  /** A fill, market or risk state change came in this turn (else only marks moved: POSITION). */
  let changed = false;
  let lastFull = '';
  let lastSubstance = '';
  let lastAt = Number.NEGATIVE_INFINITY;
  const save = (force: boolean) => {
    const state = node?.carry();
    if (!state) return;
    const unanswered = node!.runtime.unconfirmedAtCarry();
    const cleanStop = told !== null && unanswered.every((f) => told!.has(f.fill_id));
    // An answer that came (or a clean stop) changes what the file must say, though not the carried state.
    const full = JSON.stringify({ state, unanswered, cleanStop });
    if (full === lastFull) return;
    // Risk's marks move with every book (its values of the markets, and the drawdown's peak with
    // them): on their own they are saved at most every interval.
    const { peak_net_pnl: _peak, ...rest } = state;
    const substance = JSON.stringify({ ...rest, markets: Object.keys(state.markets).map((id) => [id, state.markets[id]!.ledger]), unanswered, cleanStop });
    const now = ctx.clock.now();
    if (!force && substance === lastSubstance && now - lastAt < ctx.config.daemon.paper_state_mark_save_ms) return;
    try {
      writePaperState(dataDir, state, nodeNow(), { unanswered, cleanStop });
      lastFull = full;
      lastSubstance = substance;
      lastAt = now;
    } catch (err) {
      ctx.reportError('paper-state', err);
    }
  };
  return {
    carried,
    untoldAtStart: untold.length,
    wrap: (inner) => ({
      emit(event) {
        inner.emit(event);
        if (event.type === 'FILL' || event.type === 'MARKET_STATE' || event.type === 'RISK_STATE' || givesUpAnswers(event)) changed = true;
        else if (event.type !== 'POSITION') return;
        if (queued) return;
        queued = true;
        // After the turn's synchronous work: a FILL is emitted before its market's ledger takes it.
        queueMicrotask(() => {
          queued = false;
          const marksOnly = !changed;
          changed = false;
          // Marks move with every book of a held market: not even serialized between saves.
          if (marksOnly && ctx.clock.now() - lastAt < ctx.config.daemon.paper_state_mark_save_ms) return;
          save(false);
        });
      },
    }),
    attach(n, now) {
      node = n;
      nodeNow = now;
    },
    save: () => {
      if (!node) return 0;
      const fills = node.runtime.unconfirmedAtCarry();
      tellUnconfirmed(ctx, fills, 'stopping');
      told = new Set(fills.map((f) => f.fill_id));
      save(true);
      return fills.length;
    },
  };
}

/** A fill's answer given up (told of by this alert): the saved state must stop naming it as unanswered. */
function givesUpAnswers(event: HeliosEvent): boolean {
  return event.type === 'ALERT' && event.payload.code === 'FILL_UNANSWERED';
}

/**
 * The carried ledger keeps no fill awaiting its answer (CarriedLedger): the next session counts it
 * as matched and never hears whether it failed. That rule stays; the operator is told which fills
 * it took, so one that in truth failed can be taken back by hand: by the session that stops, or,
 * when it crashed, by the next one from its last save.
 */
function tellUnconfirmed(ctx: DaemonContext, fills: readonly StoredUnansweredFill[], session: 'stopping' | 'crashed'): void {
  if (!fills.length) return;
  const which = session === 'stopping' ? 'as the session ends' : 'at the last save of the previous session, which did not stop cleanly (a crash, a kill),';
  const heard = session === 'stopping' ? 'the next session' : 'this session';
  ctx.log.warn({ fills }, `paper state: ${fills.length} fill(s) still awaiting their CONFIRMED/FAILED ${which} are carried as matched; ${heard} cannot hear their answer (one that in truth failed has to be taken back by hand)`);
}

function announce(ctx: DaemonContext, c: CarriedTrading, savedMs: number, untold: number): void {
  const traded = new Set(ctx.localMarkets().map((m) => m.spec.market_id));
  const untraded = Object.keys(c.markets).filter((id) => !traded.has(id));
  ctx.log.info(
    { holdings: c.venue.length, markets: Object.keys(c.markets).length, retired_markets: c.retired?.ids.length ?? 0, retired_net_pnl: c.retired?.pnl.net ?? 0, daily_baseline: c.daily, peak_net_pnl: c.peak_net_pnl ?? null, unconfirmed_fills_carried: untold, saved_at: new Date(savedMs).toISOString() },
    `paper state restored: ${c.venue.length} holding(s) in ${Object.keys(c.markets).length} market(s) from the previous session, ${c.retired?.ids.length ?? 0} retired market(s) in the totals`,
  );
  // Kept, counted by risk and saved again: it is money, whether or not this session trades the market.
  if (untraded.length) ctx.log.warn({ markets: untraded }, `paper state: ${untraded.length} market(s) with carried positions or PnL are not traded by this session (yet): kept at their last value`);
}
