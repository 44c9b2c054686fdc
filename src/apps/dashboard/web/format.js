// Number and time formatting: fixed decimals so columns of numbers align.

export function num(x, dp = 2) {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : Number(x).toFixed(dp);
}

/**
 * `x` as shown at `dp` decimals: a sign or a colour follows the figure on screen, so a loss of
 * 0.00001 shown at 4 decimals is 0, never a red `-0.0000`.
 */
export function shown(x, dp) {
  const r = Number(Number(x).toFixed(dp));
  return r === 0 ? 0 : r;
}

export function signed(x, dp = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const r = shown(x, dp);
  return (r > 0 ? '+' : '') + r.toFixed(dp);
}

export function pct(x, dp = 1) {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(dp)}%`;
}

export function ms(x) {
  if (x === null || x === undefined) return '—';
  if (x < 1000) return `${Math.round(x)}ms`;
  if (x < 120_000) return `${(x / 1000).toFixed(1)}s`;
  return `${Math.round(x / 60_000)}m`;
}

export function clock(t) {
  if (t === null || t === undefined) return '—';
  return new Date(t).toISOString().slice(11, 23);
}

/** What an operator reads a market as: its label, with its judge day's month and day where it has one (a station's days repeat labels); null without a label. */
export function marketLabel(m) {
  if (!m?.label) return null;
  return m.judge_day ? `${m.label} · ${m.judge_day.slice(5)}` : m.label;
}

export function shortId(id) {
  if (!id) return '—';
  return id.length > 12 ? `…${id.slice(-6)}` : id;
}

/** A string with no space this long is an id (a condition or token id is 66–78 characters), not words. */
const LONG_ID = /"([^"\s]{40,})"/g;

/** JSON in one line with its long ids cut to their last characters (shortId): the whole text goes in a title. */
export function compactJson(value) {
  return JSON.stringify(value).replace(LONG_ID, (_, id) => `"${shortId(id)}"`);
}

/** Class for a value that is good below `warn`, bad above `bad`. */
export function level(x, warn, bad) {
  if (x === null || x === undefined) return 'dim';
  return x >= bad ? 'bad' : x >= warn ? 'warn' : 'ok';
}

export function stateClass(state) {
  if (!state) return 'dim';
  if (/HALT|FAIL|STALE|REJECT|HALTED|stale|degraded/.test(state)) return 'bad';
  if (/REDUC|RESYNC|WAIT|outlier|PENDING|pending/.test(state)) return 'warn';
  if (/IDLE/.test(state)) return 'dim';
  return 'ok';
}
