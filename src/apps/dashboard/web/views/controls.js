import { html } from '../html.js';
import { useState } from 'preact/hooks';
import { apiToken, post, setApiToken } from '../connection.js';
import { clock, marketLabel, shortId } from '../format.js';

/**
 * Halt/resume and forced reconciliation. The token is asked once and kept in sessionStorage (gone
 * with the tab); every answer the server gives is shown as it came, refusals included. A server
 * that takes no actions at all (settings.json `actions_refused`: a daemon without HELIOS_API_TOKEN,
 * a replay) says why up front and offers none: a token typed in would change nothing.
 */
export function Controls({ store }) {
  const [token, setToken] = useState(apiToken());
  const [scope, setScope] = useState('global');
  const [market, setMarket] = useState('');
  const [reason, setReason] = useState('');
  const [answers, setAnswers] = useState([]);
  const ids = [...store.markets.keys()].sort();
  const chosen = market || ids[0] || '';
  const send = async (label, path, body) => {
    const r = await post(path, body);
    setAnswers((a) => [{ at: Date.now(), label, status: r.status, body: r.body }, ...a].slice(0, 20));
  };
  const refused = store.settings.actions_refused ?? null;
  const body = () => ({ scope, reason: reason.trim() || 'manual (dashboard)', ...(scope === 'market' ? { market_id: chosen } : {}) });
  return html`<div class="controls" data-testid="controls">
    ${refused
      ? html`<section class="panel"><h3>actions</h3><p class="warn" data-testid="actions-refused">this server takes no actions: ${refused}</p></section>`
      : html`<section class="panel">
      <h3>API token</h3>
      <form onSubmit=${(e) => (e.preventDefault(), setApiToken(token), setToken(apiToken()))}>
        <input type="password" autocomplete="off" placeholder="bearer token (kept for this tab only)" value=${token} onInput=${(e) => setToken(e.currentTarget.value)} data-testid="token" />
        <button type="submit" data-testid="token-save">keep</button>
        <button type="button" onClick=${() => (setApiToken(''), setToken(''))}>forget</button>
        <span class=${apiToken() ? 'ok' : 'dim'}>${apiToken() ? 'token set' : 'no token: actions will be refused'}</span>
      </form>
    </section>`}
    <section class="panel">
      <h3>halt / resume</h3>
      <div class="form-row">
        <select value=${scope} onChange=${(e) => setScope(e.currentTarget.value)} data-testid="scope">
          <option value="global">global (kill switch)</option><option value="market">one market</option>
        </select>
        ${scope === 'market' &&
        html`<select value=${chosen} onChange=${(e) => setMarket(e.currentTarget.value)} data-testid="control-market">
          ${ids.map((x) => html`<option value=${x}>${marketLabel(store.markets.get(x)) ?? ''} ${shortId(x)}</option>`)}
        </select>`}
        <input placeholder="reason" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} data-testid="reason" />
        <button class="danger" disabled=${!!refused} onClick=${() => send(`halt ${scope}`, '/halt', body())} data-testid="halt">HALT</button>
        <button disabled=${!!refused} onClick=${() => send(`resume ${scope}`, '/resume', body())} data-testid="resume">resume</button>
        <button disabled=${!!refused} onClick=${() => send('force reconciliation', '/reconciler/force')} data-testid="reconcile">force reconciliation</button>
      </div>
    </section>
    <section class="panel">
      <h3>server answers</h3>
      <table class="grid" data-testid="answers"><tbody>
        ${answers.map((a) => html`<tr><td class="dim">${clock(a.at)}</td><td>${a.label}</td><td class=${a.status >= 200 && a.status < 300 ? 'ok' : 'bad'} data-testid="answer-status">${a.status}</td><td class="mono">${JSON.stringify(a.body)}</td></tr>`)}
      </tbody></table>
    </section>
    <section class="panel">
      <h3>control channel</h3>
      <table class="grid" data-testid="control-log"><tbody>
        ${[...store.controlLog].reverse().map((c) => html`<tr><td class="dim">${clock(c.ts)}</td><td class=${c.type === 'HALT' || c.type === 'ALERT' ? 'bad' : 'ok'}>${c.type}</td><td>${c.market_id ? shortId(c.market_id) : ''}</td><td class="mono">${JSON.stringify(c.payload)}</td></tr>`)}
      </tbody></table>
    </section>
  </div>`;
}
