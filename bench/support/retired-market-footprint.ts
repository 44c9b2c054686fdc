/**
 * What the embedded daemon keeps per market that left: its in-process parts (in-memory bus,
 * observer, the dashboard's recent past, the trading component with its paper state, the
 * context's universe) driven through markets that are discovered, trade, resolve and are retired one
 * after another on a virtual clock (test/daemon/support/market-churn.ts). After FIRST markets and
 * again after LAST it collects garbage and prints the heap and every reachable Map, Set and array
 * that grew in between: what grows with the markets that left is a leak.
 *
 * `node --expose-gc --import tsx bench/support/retired-market-footprint.ts [FIRST] [LAST]`
 */
import { grownStructures, marketChurn, structureSizes } from '../../test/daemon/support/market-churn.ts';

const first = Number(process.argv[2] ?? 200);
const last = Number(process.argv[3] ?? 2_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const heapAfterGc = () => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

const churn = await marketChurn();
const roots = () => ({ ctx: churn.ctx, recent: churn.recent, discovered: churn.discovered });
await churn.run(first);
const heapFirst = heapAfterGc();
const sizesFirst = structureSizes(roots());
const started = Date.now();
await churn.run(last - first);
const heapLast = heapAfterGc();
const sizesLast = structureSizes(roots());
const grown = grownStructures(sizesFirst, sizesLast, (last - first) / 2);
const perMarket = (heapLast - heapFirst) / (last - first);
console.log(JSON.stringify({ markets: [first, last], live_markets: churn.ctx.trading?.node.runtime.marketIds().length, heap_mb: [heapFirst / 2 ** 20, heapLast / 2 ** 20].map((x) => Math.round(x * 10) / 10), heap_bytes_per_market_that_left: Math.round(perMarket), run_s: (Date.now() - started) / 1000 }));
for (const g of grown) console.log(`${String(g.after - g.before).padStart(8)}  ${g.before} → ${g.after}  ${g.path}`);
await churn.stop();
