// The page's only ways out: the WebSocket channel protocol and the JSON API, both on this origin.

const CHANNELS = ['l2', 'tape', 'world', 'features', 'nowcast', 'truth', 'policy', 'order', 'fill', 'position', 'risk', 'health', 'control', 'window'];

/**
 * Keeps one channel socket open (reconnecting with capped backoff) and hands each frame to
 * `onFrame`; `onStatus` hears open/closed.
 */
export function connectChannels({ onFrame, onStatus }) {
  let delay = 250;
  let socket = null;
  let stopped = false;
  const open = () => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    socket = new WebSocket(url);
    socket.onopen = () => {
      delay = 250;
      socket.send(JSON.stringify({ op: 'subscribe', channels: CHANNELS }));
      onStatus('open');
    };
    socket.onmessage = (m) => {
      const t0 = performance.now();
      try {
        take(m);
      } finally {
        if (window.__helios) window.__helios.handleMs += performance.now() - t0;
      }
    };
    const take = (m) => {
      let frame;
      try {
        frame = JSON.parse(m.data);
      } catch {
        return;
      }
      if (frame.op === 'error') console.warn('channel server:', frame.message);
      if (frame.op) return;
      onFrame(frame);
    };
    socket.onclose = () => {
      onStatus('closed');
      if (stopped) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  open();
  return { close: () => ((stopped = true), socket?.close()) };
}

/** GET a JSON endpoint; null when it is absent (a replay has no /markets). */
export async function getJson(path) {
  try {
    const r = await fetch(path, { headers: { accept: 'application/json' } });
    if (!r.ok) return null;
    return await r.json();
  } catch {
    return null;
  }
}

const TOKEN_KEY = 'helios.api_token';

export function apiToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setApiToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** POST with the session's API token; answers { status, body } whatever the status. */
export async function post(path, body) {
  const headers = { 'content-type': 'application/json' };
  const token = apiToken();
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    const r = await fetch(path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: r.status, body: parsed };
  } catch (err) {
    return { status: 0, body: { error: String(err) } };
  }
}
