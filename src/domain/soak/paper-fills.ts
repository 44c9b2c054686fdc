import { BusBookMirror } from '../book/bus-book-mirror.ts';
import type { HeliosEvent } from '../events/catalog.ts';
import type { OrderSide } from '../trading/book-view.ts';
import { levelSize, TakenLiquidity, takerLevels, type LiquidityLevel } from '../trading/paper-liquidity.ts';

/** One input of a trading-node life, in dispatch order (a line of its dispatch log). */
export type DispatchInputRecord = { event: HeliosEvent } | { tick: number };

/** One trading-node life: when it was built, the tokens it trades, its inputs in dispatch order. */
export interface TradingSessionInputs {
  session: number;
  start_ms: number;
  tokens: ReadonlySet<string>;
  inputs: readonly DispatchInputRecord[];
}

/** A MATCHED taker fill of the paper venue, as journaled (its time is the node's clock). */
export interface PaperTakerFill {
  at_ms: number;
  fill_id: string;
  token_id: string;
  side: OrderSide;
  price: number;
  size: number;
}

export interface PaperFillVerdict {
  /** Taker fills judged against the book the node held when the fill happened. */
  judged: number;
  /** Fills beyond what that book showed at their level, net of what paper had already taken there. */
  overfills: number;
  /**
   * Fills after the last input the dispatch log kept (a killed process loses its unwritten tail):
   * the book they were made against is unknown, so they are neither passed nor flagged.
   */
  unjudged: number;
  examples: string[];
}

const EPS = 1e-6;
const MAX_EXAMPLES = 10;

/**
 * Judges each paper taker fill of one trading-node life against the liquidity paper actually had:
 * the node's books rebuilt from its own inputs in dispatch order (the same `BusBookMirror` it
 * filled against), minus what paper had already taken at that level (the paper venue's own rule,
 * `TakenLiquidity`, told of every book change as the node's router tells the venue).
 *
 * Where a fill falls among the inputs follows from the node's clock: before applying an input, the
 * node advances its virtual clock to the input's time and fires every timer due by then — an
 * order's arrival (and so its fills) among them. A fill at time T therefore saw the books left by
 * every input before the first one whose time reached T.
 */
export function judgePaperFills(session: TradingSessionInputs, fills: readonly PaperTakerFill[]): PaperFillVerdict {
  const verdict: PaperFillVerdict = { judged: 0, overfills: 0, unjudged: 0, examples: [] };
  const mirror = new BusBookMirror();
  const taken = new TakenLiquidity();
  const due = fills.map((f, i) => ({ f, i })).sort((a, b) => a.f.at_ms - b.f.at_ms || a.i - b.i);
  let next = 0;
  let clock = session.start_ms;
  const judgeUpTo = (t: number) => {
    for (; next < due.length && due[next]!.f.at_ms <= t; next++) judge(due[next]!.f);
  };
  const judge = (f: PaperTakerFill) => {
    verdict.judged++;
    const levels = takeable(mirror, f.token_id, f.side);
    const shown = levelSize(levels, f.price);
    const available = shown - taken.takenAt(f.token_id, f.side, f.price);
    if (f.size > available + EPS) {
      verdict.overfills++;
      if (verdict.examples.length < MAX_EXAMPLES) {
        verdict.examples.push(`session ${session.session} fill ${f.fill_id}: ${f.side} ${f.size} @ ${f.price} where ${Math.max(0, available)} of ${shown} shown was not yet taken by paper`);
      }
    }
    // What paper took, as paper counted it: later fills are judged against its real consumption.
    taken.take(f.token_id, f.side, f.price, f.size, shown);
  };
  for (const input of session.inputs) {
    const t = 'tick' in input ? input.tick : input.event.ts_ingest;
    clock = Math.max(clock, t);
    judgeUpTo(clock);
    if ('tick' in input) continue;
    const token = input.event.token_id;
    if (mirror.apply(input.event) && token !== undefined && session.tokens.has(token)) {
      taken.onBook(token, (side) => takeable(mirror, token, side));
    }
  }
  verdict.unjudged = due.length - next;
  return verdict;
}

/** The levels an order of `side` takes from (a BUY takes asks), while the book is tradable. */
function takeable(mirror: BusBookMirror, token: string, side: OrderSide): readonly LiquidityLevel[] {
  const book = mirror.tradableBook(token);
  return book ? takerLevels(book, side) : [];
}
