/**
 * Halt and resume answer what happened: 404 for a market the daemon does not have, 409 with the
 * reason when a resume is refused (a risk cool-down), and an event on the `control` channel either
 * way. Free-text halt reasons stay in the events; `kill_switch_triggers_total` keeps a fixed label
 * set. A real `helios run` child process on loopback, driven through its API and WebSocket.
 */
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createMetrics, KILL_SWITCH_TRIGGERS, killSwitchTrigger } from '../../src/adapters/metrics/metrics.ts';
import { childEnv, HeliosProcess, processScope } from '../daemon/support/helios-process.ts';

const TOKEN = 'control-token-9a1b';
const { procs, tempDir } = processScope('helios-control-');

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /halt and /resume tell the truth', () => {
  it('404 for an unknown market, 409 for a resume refused during the cool-down, a control event either way; bounded kill-switch labels', { timeout: 90_000 }, async () => {
    const daemon = new HeliosProcess(['run', '--port', '0', '--data-dir', tempDir(), '--speed', '20'], childEnv({ HELIOS_API_TOKEN: TOKEN }));
    procs.push(daemon);
    const url = await daemon.apiUrl(30_000);
    const markets = await vi.waitFor(
      async () => {
        const m = (await (await fetch(`${url}/markets`)).json()) as Array<{ market_id: string; state: string | null }>;
        expect(m.length).toBeGreaterThan(0);
        expect(m.every((x) => x.state !== null)).toBe(true);
        return m;
      },
      { timeout: 45_000, interval: 250 },
    );
    const frames: Array<Record<string, any>> = [];
    const ws = new WebSocket(`${url.replace('http:', 'ws:')}/ws`);
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, any>));
    await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
    ws.send(JSON.stringify({ op: 'subscribe', channels: ['control'] }));
    await vi.waitFor(() => expect(frames.some((f) => f.op === 'subscribed')).toBe(true));
    const onControl = (eventId: unknown) => vi.waitFor(() => {
      const f = frames.find((x) => x.event_id === eventId);
      expect(f, `event ${String(eventId)} on the control channel`).toBeDefined();
      return f!;
    }, { timeout: 10_000 });

    // Unknown market: 404 for halt and resume, and the refusal is on the control channel.
    for (const endpoint of ['halt', 'resume'] as const) {
      const r = await post(`${url}/${endpoint}`, { scope: 'market', market_id: 'no-such-market', reason: 'typo' });
      expect(r.status, endpoint).toBe(404);
      expect(r.body).toMatchObject({ accepted: false, error: 'unknown market no-such-market' });
      expect(await onControl(r.body.event_id)).toMatchObject({ ch: 'control', type: 'ALERT', payload: { code: 'CONTROL_REFUSED' } });
    }

    // Many free-text global halts: each accepted with its text kept in its event.
    for (let i = 0; i < 20; i++) {
      const r = await post(`${url}/halt`, { scope: 'global', reason: `operator note #${i}: checking the feed` });
      expect(r.status).toBe(200);
      expect(await onControl(r.body.event_id)).toMatchObject({ type: 'HALT', payload: { reason: `operator note #${i}: checking the feed` } });
    }

    // Resume during the risk cool-down: refused, 409 with the reason, the markets stay halted.
    const refused = await post(`${url}/resume`, { scope: 'global' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ accepted: false, error: expect.stringMatching(/^resume refused: cool-down in progress \(\d+ s left\)$/) });
    expect(await onControl(refused.body.event_id)).toMatchObject({ type: 'ALERT', payload: { code: 'RESUME_REFUSED', message: expect.stringContaining('cool-down in progress') } });
    const after = (await (await fetch(`${url}/markets`)).json()) as Array<{ state: string }>;
    expect(after.filter((m) => m.state !== 'HALT' && m.state !== 'RESOLVED' && m.state !== 'FINALIZING')).toEqual([]);

    // A known market can be halted and its resume is answered with what it did.
    const marketId = markets[0]!.market_id;
    const halted = await post(`${url}/halt`, { scope: 'market', market_id: marketId, reason: 'look' });
    expect(halted.status).toBe(200);
    expect(await onControl(halted.body.event_id)).toMatchObject({ type: 'HALT', market_id: marketId });

    // The metric counts every trip under a fixed set of labels, never the operator's text.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const labels = [...metrics.matchAll(/^kill_switch_triggers_total\{reason="([^"]*)"\} (\d+)/gm)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(labels.map(([l]) => l).sort()).toEqual([...KILL_SWITCH_TRIGGERS].sort());
    expect(Object.fromEntries(labels).manual).toBeGreaterThanOrEqual(1);
    expect(metrics).not.toMatch(/operator note/);
    ws.close();
    daemon.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });
});

describe('kill_switch_triggers_total labels', () => {
  it('maps every HALTED risk state to one of a fixed set of triggers, whatever its text', async () => {
    const m = createMetrics();
    for (let i = 0; i < 100; i++) m.killSwitchTriggers.inc({ reason: killSwitchTrigger({ reason: `free text ${i}` }) });
    m.killSwitchTriggers.inc({ reason: killSwitchTrigger({ reason: 'daily loss 120.00 ≥ 100' }) });
    m.killSwitchTriggers.inc({ reason: killSwitchTrigger({ reason: 'backpressure on helios:l2' }) });
    m.killSwitchTriggers.inc({ reason: killSwitchTrigger({ market_id: 'm1', reason: '3 rejects' }) });
    m.killSwitchTriggers.inc({ reason: killSwitchTrigger({ reason: null }) });
    const values = (await m.killSwitchTriggers.get()).values.map((v) => [v.labels.reason, v.value]);
    expect(Object.fromEntries(values)).toEqual({ manual: 101, daily_loss: 1, backpressure: 1, circuit_breaker: 1 });
    expect(values.map(([r]) => r).sort()).toEqual([...KILL_SWITCH_TRIGGERS].sort());
  });
});
