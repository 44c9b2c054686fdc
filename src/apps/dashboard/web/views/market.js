import { html } from '../html.js';
import { clock, marketLabel, num, pct, shortId, stateClass } from '../format.js';
import { marketOrders } from '../store.js';

const DEPTH = 10;
const RESTING = new Set(['pending', 'open', 'partially_filled']);

/** Our resting orders on a token of a market, price → total remaining size, per side. */
function restingOn(store, marketId, token) {
  const out = { BUY: new Map(), SELL: new Map() };
  for (const o of marketOrders(store, marketId)) {
    if (o.token_id !== token || !RESTING.has(o.status)) continue;
    const side = out[o.side];
    side.set(o.price, (side.get(o.price) ?? 0) + (o.size - o.filled_size));
  }
  return out;
}

function Ladder({ store, marketId, token, title }) {
  const book = store.books.get(token);
  if (!book) return html`<section class="panel ladder"><h3>${title}</h3><p class="dim">no book yet</p></section>`;
  const ours = restingOn(store, marketId, token);
  const asks = book.asks.slice(0, DEPTH).reverse();
  const bids = book.bids.slice(0, DEPTH);
  const maxSize = Math.max(1, ...asks.map((l) => l[1]), ...bids.map((l) => l[1]));
  const bar = (size, cls) => html`<div class=${`bar ${cls}`} style=${`width:${Math.round((size / maxSize) * 100)}%`}></div>`;
  const row = (lvl, side) => {
    const [price, size] = lvl;
    const mine = ours[side === 'ask' ? 'SELL' : 'BUY'].get(price);
    return html`<tr key=${`${side}${price}`} class=${side}>
      <td class="r mine">${mine ? `◆ ${num(mine, 1)}` : ''}</td>
      <td class="r">${side === 'bid' ? num(size, 1) : ''}</td>
      <td class="barcell">${side === 'bid' ? bar(size, 'bid') : ''}</td>
      <td class=${`r price ${side}`}>${num(price, 3)}</td>
      <td class="barcell">${side === 'ask' ? bar(size, 'ask') : ''}</td>
      <td class="r">${side === 'ask' ? num(size, 1) : ''}</td>
    </tr>`;
  };
  return html`<section class="panel ladder" data-testid="ladder" data-token=${token}>
    <h3>${title} <span class="dim mono">${shortId(token)}</span> <span class=${book.synced ? 'ok' : 'bad'}>${book.synced ? '' : 'UNSYNCED'}</span></h3>
    <div class="stats">
      <span>mid <b>${num(book.mid, 3)}</b></span><span>spread <b>${num(book.spread, 3)}</b></span>
      <span>micro <b>${num(book.microprice, 4)}</b></span><span>imb <b>${pct(book.imbalance)}</b></span>
      <span class="dim">${clock(book.ts)}</span>
    </div>
    <table class="grid ladder-table">
      <thead><tr><th class="r">ours</th><th class="r">bid sz</th><th></th><th class="r">price</th><th></th><th class="r">ask sz</th></tr></thead>
      <tbody>${asks.map((l) => row(l, 'ask'))}${bids.map((l) => row(l, 'bid'))}</tbody>
    </table>
  </section>`;
}

function Tape({ store, tokens }) {
  const trades = tokens
    .flatMap((t, i) => (store.tape.get(t) ?? []).map((x) => ({ ...x, outcome: i === 0 ? 'YES' : 'NO' })))
    .sort((a, b) => b.ts - a.ts)
    .slice(0, 24);
  return html`<section class="panel"><h3>tape</h3><table class="grid" data-testid="tape"><tbody>
    ${trades.map((t) => html`<tr><td class="dim">${clock(t.ts)}</td><td>${t.outcome}</td><td class=${t.side === 'BUY' ? 'ok' : 'bad'}>${t.side ?? ''}</td><td class="r">${num(t.price, 3)}</td><td class="r">${num(t.size, 1)}</td></tr>`)}
  </tbody></table></section>`;
}

function Lifecycle({ store, m }) {
  const orders = [...marketOrders(store, m.market_id)].sort((a, b) => b.ts - a.ts).slice(0, 20);
  const fills = store.fills.filter((f) => f.market_id === m.market_id).slice(-20).reverse();
  return html`<section class="panel wide"><h3>orders</h3>
    <table class="grid" data-testid="orders"><thead><tr><th class="l">time</th><th class="l">order</th><th class="l">side</th><th class="l">type</th><th class="r">price</th><th class="r">size</th><th class="r">filled</th><th class="l">lifecycle</th><th class="l">reason</th></tr></thead><tbody>
    ${orders.map((o) => html`<tr key=${o.client_order_id}><td class="dim">${clock(o.ts)}</td><td class="mono" title=${o.correlation_id}>${o.client_order_id}</td><td>${o.side}</td><td>${o.order_type}</td><td class="r">${num(o.price, 3)}</td><td class="r">${num(o.size, 2)}</td><td class="r">${num(o.filled_size, 2)}</td><td class=${stateClass(o.status)}>${o.history.join(' → ')}</td><td class="dim">${o.reason ?? ''}</td></tr>`)}
    </tbody></table>
    <h3>fills</h3>
    <table class="grid" data-testid="fills"><thead><tr><th class="l">time</th><th class="l">fill</th><th class="l">side</th><th class="r">price</th><th class="r">size</th><th class="r">fee</th><th class="l">liq</th><th class="l">lifecycle</th></tr></thead><tbody>
    ${fills.map((f) => html`<tr key=${f.fill_id}><td class="dim">${clock(f.ts)}</td><td class="mono">${f.fill_id}</td><td>${f.side}</td><td class="r">${num(f.price, 3)}</td><td class="r">${num(f.size, 2)}</td><td class="r">${num(f.fee_usdc, 4)}</td><td>${f.liquidity}</td><td class=${stateClass(f.status)}>${f.history.join(' → ')}</td></tr>`)}
    </tbody></table>
  </section>`;
}

export function MarketView({ store, marketId }) {
  const ids = [...store.markets.keys()].sort();
  const id = marketId && store.markets.has(marketId) ? marketId : ids[0];
  if (!id) return html`<p class="dim">no markets yet</p>`;
  const m = store.markets.get(id);
  const yes = m.yes_token ?? m.tokens[0];
  const no = m.no_token ?? m.tokens[1];
  const tokens = [yes, no].filter(Boolean);
  return html`<div class="market" data-testid="market-view" data-market=${id}>
    <div class="toolbar">
      <select value=${id} onChange=${(e) => (location.hash = `#/market/${e.currentTarget.value}`)} data-testid="market-select">
        ${ids.map((x) => html`<option value=${x}>${marketLabel(store.markets.get(x)) ?? shortId(x)} ${shortId(x)}</option>`)}
      </select>
      <span>state <b class=${stateClass(m.state)} data-testid="machine-state">${m.state ?? '—'}</b></span>
      <span>fair YES <b>${num(yes ? m.fair[yes] : null, 3)}</b></span>
      <span>edge threshold <b>${num(m.edge_threshold, 3)}</b></span>
      <span class="bad">${m.halt_causes.join(', ')}</span>
    </div>
    <div class="row market-row">
      ${tokens.map((t, i) => html`<${Ladder} key=${t} store=${store} marketId=${id} token=${t} title=${i === 0 ? 'YES' : 'NO'} />`)}
      <${Tape} store=${store} tokens=${tokens} />
      <section class="panel"><h3>transitions</h3><table class="grid" data-testid="transitions"><tbody>
        ${m.transitions.map(
          (t) => html`<tr><td class="dim">${clock(t.ts)}</td><td class=${stateClass(t.from)}>${t.from ?? '∅'}</td><td>→</td><td class="to"><span class=${stateClass(t.to)}>${t.to}</span>${t.reason ? html`<div class="dim reason">${t.reason}</div>` : null}</td></tr>`,
        )}
      </tbody></table></section>
    </div>
    <${Lifecycle} store=${store} m=${m} />
  </div>`;
}
