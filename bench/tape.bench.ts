import { decodeMarketFrame } from '../src/adapters/polymarket/market-decoder.ts';
import { restoreFastStringPrototype } from '../src/apps/fast-string-prototype.ts';
import { MarketBooks } from '../src/domain/book/market-books.ts';
import { syntheticTape } from './support/price-change-tape.ts';
import type { Benchmark } from './types.ts';

/**
 * Market tape hot path: decode + apply + derive (top of book of every token a frame changed) on
 * current-format `price_change` frames, beside bare `JSON.parse` of the same frames and beside
 * ccxt's OrderBook (the structure ccxt's own Polymarket handler uses) applying the same updates.
 * Frames per CPU-second, best of several interleaved rounds.
 */
interface CcxtSide {
  storeArray(delta: [number, number]): void;
  length: number;
  [i: number]: [number, number];
}
interface CcxtBook {
  bids: CcxtSide;
  asks: CcxtSide;
}
type CcxtBookCtor = new (snapshot?: object) => CcxtBook;

const FRAMES = 25_000;
const ROUNDS = 15;

export const tapeBenchmark: Benchmark = {
  title: 'market tape: decode + apply + derive vs JSON.parse vs ccxt OrderBook (frames per CPU-second)',
  async run(ctx) {
    // Other benchmarks in this process load the redis client, which slows every string method
    // until this is called (see the helper); the daemon's composition root must call it as well.
    restoreFastStringPrototype();
    const generated = syntheticTape({ seed: 7, markets: 40, frames: FRAMES, depth: 60 });
    // As a socket delivers them: flat strings decoded from bytes (not the generator's string ropes).
    const fromWire = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
    const tape = { ...generated, snapshots: generated.snapshots.map(fromWire), frames: generated.frames.map(fromWire) };
    // The same frames with `side` before `size` (the key order of nautilus' hand-converted sample):
    // not the venue's documented layout, so the decoder reads them key by key.
    const reordered = tape.frames.map((f) => f.replace(/"size":"([^"]*)","side":"([^"]*)"/g, '"side":"$2","size":"$1"'));
    const OrderBook = await loadCcxtOrderBook();
    const bytes = tape.frames.reduce((n, f) => n + f.length, 0);
    ctx.log(`${tape.frames.length} price_change frames, ${tape.changeCount} level changes, ${(bytes / tape.frames.length).toFixed(0)} chars/frame avg`);

    let sink = 0;
    const jsonParse = (): number => {
      const t0 = cpuMs();
      for (const f of tape.frames) sink += (JSON.parse(f) as { timestamp: string }).timestamp.length;
      return cpuMs() - t0;
    };

    const helios = (frames: readonly string[]): number => {
      const books = new MarketBooks();
      for (const s of tape.snapshots) for (const m of decodeMarketFrame(s).messages) books.apply(m);
      const t0 = cpuMs();
      for (const f of frames) {
        const decoded = decodeMarketFrame(f);
        if (decoded.error !== null) throw new Error(decoded.error.message);
        const messages = decoded.messages;
        for (let i = 0; i < messages.length; i++) {
          const tokens = books.apply(messages[i]!).tokens;
          for (let k = 0; k < tokens.length; k++) {
            const t = tokens[k]!;
            if (t.status !== 'applied') throw new Error(`token ${t.asset_id}: ${t.status} ${t.reason}`);
            if (!t.best_changed) continue;
            const book = books.get(t.asset_id)!.book;
            const bid = book.bestBid();
            const ask = book.bestAsk();
            sink += (bid?.size ?? 0) + (ask?.size ?? 0) + (book.mid() ?? 0);
          }
        }
      }
      return cpuMs() - t0;
    };

    const ccxt = (): number => {
      const books = new Map<string, CcxtBook>();
      for (const s of tape.snapshots) {
        const b = JSON.parse(s) as { asset_id: string; bids: Array<{ price: string; size: string }>; asks: Array<{ price: string; size: string }> };
        const toPairs = (ls: Array<{ price: string; size: string }>): Array<[number, number]> =>
          ls.map((l) => [parseFloat(l.price), parseFloat(l.size)]);
        books.set(b.asset_id, new OrderBook({ bids: toPairs(b.bids), asks: toPairs(b.asks) }));
      }
      const t0 = cpuMs();
      for (const f of tape.frames) {
        const msg = JSON.parse(f) as { price_changes: Array<{ asset_id: string; price: string; size: string; side: string }> };
        const changes = msg.price_changes;
        for (let i = 0; i < changes.length; i++) {
          const c = changes[i]!;
          const book = books.get(c.asset_id);
          if (book === undefined) continue;
          (c.side === 'BUY' ? book.bids : book.asks).storeArray([parseFloat(c.price), parseFloat(c.size)]);
          const bid = book.bids[0];
          const ask = book.asks[0];
          sink += (bid ? bid[1] : 0) + (ask ? ask[1] : 0);
        }
      }
      return cpuMs() - t0;
    };

    // Interleave them so machine noise hits all alike; keep each one's best round.
    const best = { json: Infinity, helios: Infinity, heliosKeyByKey: Infinity, ccxt: Infinity };
    for (let r = 0; r < ROUNDS + 2; r++) {
      const j = jsonParse();
      const h = helios(tape.frames);
      const k = helios(reordered);
      const c = ccxt();
      if (r < 2) continue; // warm-up
      best.json = Math.min(best.json, j);
      best.helios = Math.min(best.helios, h);
      best.heliosKeyByKey = Math.min(best.heliosKeyByKey, k);
      best.ccxt = Math.min(best.ccxt, c);
    }
    const fps = (ms: number): number => Math.round((tape.frames.length / ms) * 1000);
    const result = {
      frames: tape.frames.length,
      level_changes: tape.changeCount,
      helios_frames_per_s: fps(best.helios),
      json_parse_frames_per_s: fps(best.json),
      ccxt_frames_per_s: fps(best.ccxt),
      ratio_vs_json_parse: round3(best.json / best.helios),
      ratio_vs_ccxt: round3(best.ccxt / best.helios),
      target_ratio_vs_json_parse: 0.6,
      other_key_order_frames_per_s: fps(best.heliosKeyByKey),
      other_key_order_ratio_vs_json_parse: round3(best.json / best.heliosKeyByKey),
      sink_checksum: Math.round(sink) % 1000,
    };
    ctx.log(`| pipeline                               | frames/s   | ratio |`);
    ctx.log(`| helios decode+apply+derive             | ${pad(result.helios_frames_per_s)} | 1     |`);
    ctx.log(`| bare JSON.parse                        | ${pad(result.json_parse_frames_per_s)} | helios/json = ${result.ratio_vs_json_parse} (target ≥ 0.6) |`);
    ctx.log(`| ccxt JSON.parse + OrderBook.storeArray | ${pad(result.ccxt_frames_per_s)} | helios/ccxt = ${result.ratio_vs_ccxt} |`);
    ctx.log(`| helios, keys in another order          | ${pad(result.other_key_order_frames_per_s)} | helios/json = ${result.other_key_order_ratio_vs_json_parse} |`);
    return result;
  },
};

/**
 * Process CPU time in ms. The machine is shared, so wall time mostly measures the neighbours; CPU
 * time (GC helper threads included, which is real cost) is what the three pipelines consume.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** ccxt's package exports hide the ws OrderBook; find it beside the package entry point. */
async function loadCcxtOrderBook(): Promise<CcxtBookCtor> {
  const entry = import.meta.resolve('ccxt');
  const mod = (await import(new URL('./src/base/ws/OrderBook.js', entry).href)) as { OrderBook: CcxtBookCtor };
  return mod.OrderBook;
}

function pad(n: number): string {
  return String(n).padStart(10);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
