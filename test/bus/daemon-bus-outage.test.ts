import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { sessionFile } from '../../src/adapters/storage/session-counter.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';
import { childEnv, HeliosProcess, processScope } from '../daemon/support/helios-process.ts';
import { freePort, waitForPort } from '../setup/global-redis.ts';

/**
 * The daemon against a Redis that fails as operators see it fail: frozen (SIGSTOP), refusing the
 * password, or not there. Real child daemons (`node bin/helios.js run`) and real redis-servers of
 * this file's own, on loopback.
 */
const bin = inject('redisBinary');
if (!bin) console.warn('\n*** SKIPPING daemon/Redis outage tests: redis-server is not installed ***\n');

const { procs, tempDir } = processScope('helios-bus-outage-');
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) {
    s.kill('SIGCONT');
    s.kill('SIGKILL');
  }
});

/** A redis-server without persistence (a restart loses everything), on `port` or a free one. */
async function startRedis(extra: string[] = [], onPort?: number): Promise<{ url: string; proc: ChildProcess; port: number }> {
  const port = onPort ?? (await freePort());
  const dir = tempDir();
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' });
  servers.push(proc);
  await waitForPort(port);
  return { url: `redis://127.0.0.1:${port}`, proc, port };
}

/** A daemon config: short timeouts so the outcomes show within seconds. */
function configFile(dir: string, over: string): string {
  const file = path.join(dir, 'test-config.yaml');
  writeFileSync(file, `log:\n  format: json\n  level: info\n${over}`);
  return file;
}

async function health(url: string): Promise<{ status: number; body: { ready: boolean; bus?: { up: boolean; reason: string | null } } }> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as never };
}

/** ts_ingest of every journal record, and the journal files without a valid seal. */
function journalFiles(dataDir: string): { records: number[]; unsealed: string[] } {
  const records: number[] = [];
  const unsealed: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ndjson')) {
        const text = readFileSync(p, 'utf8');
        for (const line of text.split('\n').filter(Boolean)) records.push((JSON.parse(line) as { ts_ingest: number }).ts_ingest);
        let seal: { size?: number } = {};
        try {
          seal = JSON.parse(readFileSync(p.replace(/\.ndjson$/, '.sealed'), 'utf8')) as { size?: number };
        } catch {
          // no seal
        }
        if (seal.size !== Buffer.byteLength(text)) unsealed.push(p);
      }
    }
  };
  walk(path.join(dataDir, 'journal'));
  return { records, unsealed };
}

describe.skipIf(!bin)('the daemon when Redis fails (real child daemon, real redis-server)', () => {
  it('SIGTERM with the server frozen: /health shows the bus down, the daemon exits 3 within the shutdown timeout, journal flushed, undelivered events counted', { timeout: 90_000 }, async () => {
    const redis = await startRedis();
    const dataDir = tempDir();
    const config = configFile(dataDir, 'daemon:\n  shutdown_timeout_ms: 6000\nbus:\n  probe_interval_ms: 200\n  probe_timeout_ms: 800\n');
    const d = new HeliosProcess(['run', '--sim', '--redis', redis.url, '--data-dir', dataDir, '--port', '0', '--config', config], childEnv());
    procs.push(d);
    const url = await d.apiUrl(30_000);
    await d.waitForLine(/"component":"market-feed","msg":"component started"/, 30_000);
    // Running, publishing to Redis.
    await vi.waitFor(async () => expect((await health(url)).body.bus?.up).toBe(true), { timeout: 20_000, interval: 100 });

    const frozenAt = Date.now();
    redis.proc.kill('SIGSTOP');
    await vi.waitFor(
      async () => {
        const h = await health(url);
        expect(h.body.bus).toMatchObject({ up: false, reason: expect.stringMatching(/no answer to PING/) });
        expect(h.body.ready).toBe(false);
      },
      { timeout: 20_000, interval: 100 },
    );
    // The operator is told once, not per topic and flush.
    await d.waitForLine(/"msg":"bus is down: events wait in the producer queues/, 10_000);
    // Events keep coming while the server is frozen: they reach the journal only.
    await new Promise((r) => setTimeout(r, 1_000));
    const stopAsked = Date.now();
    d.kill('SIGTERM');
    const exit = await Promise.race([d.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    expect(exit).not.toBe('hung');
    expect((exit as { code: number }).code).toBe(3);
    // Bounded by the timeout (plus process start-down slack), not by the frozen server.
    expect(Date.now() - stopAsked).toBeLessThan(6_000 + 5_000);
    const undelivered = d.lines.map((l) => /"undelivered":(\d+).*reached only the journal/.exec(l)).find((m) => m);
    expect(undelivered, d.lines.slice(-30).join('\n')).toBeDefined();
    expect(Number(undelivered![1])).toBeGreaterThan(0);
    // The journal was flushed and closed cleanly: it holds what happened during the outage, and
    // every file it wrote is sealed at its final size.
    const journal = journalFiles(dataDir);
    expect(journal.records.filter((ts) => ts > frozenAt).length).toBeGreaterThan(0);
    expect(journal.unsealed).toEqual([]);
    redis.proc.kill('SIGCONT');
  });

  // A scale-out role (which also joins the shared simulated timeline on the server) fails alike,
  // and so does a URL without the password a server needs: that server accepts the connection and
  // refuses every command (NOAUTH), which once passed for a server that answers.
  it.each([
    { name: 'a wrong password', role: [], auth: ':wrong-password@', reason: /WRONGPASS|invalid username-password/i },
    { name: 'a wrong password, --role trading --shard 0/2', role: ['--role', 'trading', '--shard', '0/2'], auth: ':wrong-password@', reason: /WRONGPASS|invalid username-password/i },
    { name: 'a wrong password, --role feeds', role: ['--role', 'feeds'], auth: ':wrong-password@', reason: /WRONGPASS|invalid username-password/i },
    { name: 'no password for a server that needs one', role: [], auth: '', reason: /NOAUTH/ },
  ])('$name: the API answers at once with the bus down and why, then the daemon gives up with exit 3', { timeout: 60_000 }, async ({ role, auth, reason }) => {
    const redis = await startRedis(['--requirepass', 'right-password']);
    const dataDir = tempDir();
    const config = configFile(dataDir, 'bus:\n  startup_timeout_ms: 4000\n');
    const port = await freePort();
    const url = `redis://${auth}127.0.0.1:${redis.port}`;
    const d = new HeliosProcess(['run', '--sim', '--redis', url, ...role, '--data-dir', dataDir, '--port', String(port), '--config', config], childEnv());
    procs.push(d);
    const api = await d.apiUrl(20_000);
    await vi.waitFor(
      async () => {
        const h = await health(api);
        expect(h.status).toBe(503);
        expect(h.body.bus).toMatchObject({ up: false, reason: expect.stringMatching(reason) });
      },
      { timeout: 10_000, interval: 100 },
    );
    const exit = await Promise.race([d.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    expect(exit).not.toBe('hung');
    expect((exit as { code: number }).code).toBe(3);
    const fatal = d.lines.find((l) => l.includes('did not answer within 4000 ms'));
    expect(fatal, d.lines.slice(-5).join('\n')).toBeDefined();
    expect(fatal).toMatch(reason);
    expect(fatal).not.toContain('wrong-password');
  });

  it('an unreachable port: gives up after bus.startup_timeout_ms with exit 3', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const config = configFile(dataDir, 'bus:\n  startup_timeout_ms: 3000\n');
    const d = new HeliosProcess(['run', '--sim', '--redis', `redis://127.0.0.1:${await freePort()}`, '--data-dir', dataDir, '--port', '0', '--config', config], childEnv());
    procs.push(d);
    // On a loaded machine the bus may give up (3 s) before the API has said where it listens: what
    // is judged is the exit and its reason; the health answer only while the API is still there.
    const api = await Promise.race([d.apiUrl(20_000), d.exited.then(() => null)]).catch(() => null);
    const h = api === null ? null : await health(api).catch(() => null);
    if (h) expect(h.body.bus?.up).toBe(false);
    const exit = await Promise.race([d.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    expect(exit).not.toBe('hung');
    expect((exit as { code: number }).code).toBe(3);
    expect(d.lines.some((l) => /did not answer within 3000 ms.*ECONNREFUSED/.test(l)), d.lines.slice(-5).join('\n')).toBe(true);
  });

  it('a trading shard consumes again within seconds of a Redis restart that lost its streams and groups', { timeout: 150_000 }, async () => {
    let redis = await startRedis();
    const run = (args: string[]) => {
      const d = new HeliosProcess(['run', '--redis', redis.url, '--data-dir', tempDir(), '--port', '0', ...args], childEnv());
      procs.push(d);
      return d;
    };
    const shard = run(['--role', 'trading', '--shard', '0/1']);
    const shardApi = await shard.apiUrl(30_000);
    await shard.waitForLine(/"component":"trading","msg":"component started"/, 30_000);
    const feeds = run(['--role', 'feeds']);
    await feeds.apiUrl(30_000);
    const routed = async () => ((await (await fetch(`${shardApi}/stats`, { signal: AbortSignal.timeout(5_000) })).json()) as { router: { routed: number } }).router.routed;
    await vi.waitFor(async () => expect((await health(shardApi)).status).toBe(200), { timeout: 60_000, interval: 200 });

    // 14.5 s down: the connections' backoff (from 100 ms, doubling) had tried at 12.7 s; with a
    // 10 s ceiling the next try came 8 s after the server was back, and the shard's consumer, on
    // a backoff of its own, later still (about 20 s in all). Now: at most bus.reconnect_max_ms.
    const exited = new Promise((r) => redis.proc.once('exit', r));
    redis.proc.kill('SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, 14_500));
    const before = await routed();
    redis = await startRedis([], redis.port);
    const backAt = Date.now();
    await vi.waitFor(async () => expect(await routed()).toBeGreaterThan(before), { timeout: 60_000, interval: 100 });
    const recoveredMs = Date.now() - backAt;
    // Generous: about 1-2 s here; 20 s before.
    expect(recoveredMs, `first event consumed ${recoveredMs} ms after the restart`).toBeLessThan(5_000);
    for (const d of [feeds, shard]) d.kill('SIGTERM');
    // Stopped just after the restart, while their timeline connection may still be reconnecting: exit 0 all the same.
    for (const d of [feeds, shard]) expect((await d.exited).code, d.stderr.slice(-500)).toBe(0);
  });

  it('a simulated scale-out keeps one timeline through a Redis restart that lost it: a feeds process started afterwards joins the shard\'s', { timeout: 150_000 }, async () => {
    let redis = await startRedis();
    const run = (args: string[]) => {
      const d = new HeliosProcess(['run', '--redis', redis.url, '--data-dir', tempDir(), '--port', '0', '--speed', '20', ...args], childEnv());
      procs.push(d);
      return d;
    };
    const timelineOf = async (d: HeliosProcess) => {
      const { origin_ms, speed } = JSON.parse((await d.waitForLine(/.*"msg":"joined the scale-out simulated timeline".*/, 30_000))[0]) as { origin_ms: number; speed: number };
      return { origin_ms, speed };
    };
    const shard = run(['--role', 'trading', '--shard', '0/1']);
    const shardApi = await shard.apiUrl(30_000);
    const shared = await timelineOf(shard);
    await shard.waitForLine(/"component":"trading","msg":"component started"/, 30_000);
    const feeds = run(['--role', 'feeds']);
    expect(await timelineOf(feeds)).toEqual(shared);
    await vi.waitFor(async () => expect((await health(shardApi)).status).toBe(200), { timeout: 60_000, interval: 200 });

    // Redis comes back empty; the shard, still running on the timeline, puts it back on the server.
    const exited = new Promise((r) => redis.proc.once('exit', r));
    redis.proc.kill('SIGKILL');
    await exited;
    redis = await startRedis([], redis.port);
    const key = `${loadConfig({ env: {} }).config.bus.stream_prefix}:sim_timeline`;
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      await vi.waitFor(async () => expect(JSON.parse((await admin.get(key)) ?? 'null')).toEqual(shared), { timeout: 30_000, interval: 200 });
    } finally {
      await admin.quit();
    }

    // A feeds process started now (a deploy, a crash) joins the shard's timeline rather than
    // starting one of its own, whose events (minutes behind at --speed 20) the shard would judge stale.
    feeds.kill('SIGTERM');
    expect((await feeds.exited).code).toBe(0);
    const nextFeeds = run(['--role', 'feeds']);
    expect(await timelineOf(nextFeeds)).toEqual(shared);
    await vi.waitFor(async () => expect((await health(shardApi)).body.ready).toBe(true), { timeout: 60_000, interval: 200 });
    for (const d of [nextFeeds, shard]) d.kill('SIGTERM');
    for (const d of [nextFeeds, shard]) expect((await d.exited).code, d.stderr.slice(-500)).toBe(0);
  });
});

describe('refusals before anything starts', () => {
  it('--redis with something that is not a Redis URL is a usage error (exit 2)', async () => {
    const io = captureIo();
    expect(await main(['run', '--redis', 'notaurl://localhost:6379', '--data-dir', tempDir(), '--duration', '1'], io)).toBe(2);
    expect(io.stderr()).toMatch(/bus\.redis_url.*redis:\/\//);
  });

  it('a second daemon on the same data directory exits 2 naming the holder; a stale lock of a dead process is taken over', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const first = new HeliosProcess(['run', '--sim', '--data-dir', dataDir, '--port', '0'], childEnv());
    procs.push(first);
    await first.apiUrl(30_000);
    const second = new HeliosProcess(['run', '--sim', '--data-dir', dataDir, '--port', '0'], childEnv());
    procs.push(second);
    const exit = await second.exited;
    expect(exit.code).toBe(2);
    expect(second.stderr).toContain(`in use by pid ${first.child.pid} on ${hostname()}`);
    // The first one was not disturbed, and stops cleanly (releasing the lock).
    first.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    // A SIGKILLed daemon leaves its lock behind: the next start takes it over.
    const killed = new HeliosProcess(['run', '--sim', '--data-dir', dataDir, '--port', '0'], childEnv());
    procs.push(killed);
    await killed.apiUrl(30_000);
    killed.kill('SIGKILL');
    await killed.exited;
    const next = new HeliosProcess(['run', '--sim', '--data-dir', dataDir, '--port', '0', '--duration', '2'], childEnv());
    procs.push(next);
    expect((await next.exited).code).toBe(0);
  });

  it('a corrupt session counter: the next run continues after the sessions the journal holds (no reused client order id)', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    mkdirSync(path.join(dataDir, 'journal', 'date=2026-01-29', 'ch=order'), { recursive: true });
    writeFileSync(
      path.join(dataDir, 'journal', 'date=2026-01-29', 'ch=order', '16.ndjson'),
      JSON.stringify({ schema_version: 1, event_id: 'e1', ch: 'order', type: 'ORDER_UPDATE', ts_ingest: 1, payload: { client_order_id: 'h1-pa-7000000003' }, seq: 1 }) + '\n',
    );
    mkdirSync(path.dirname(sessionFile(dataDir)), { recursive: true });
    writeFileSync(sessionFile(dataDir), 'garbage{');
    const d = new HeliosProcess(['run', '--sim', '--data-dir', dataDir, '--port', '0', '--duration', '3'], childEnv());
    procs.push(d);
    expect((await d.exited).code).toBe(0);
    expect(JSON.parse(readFileSync(sessionFile(dataDir), 'utf8'))).toEqual({ session: 8 });
    expect(d.lines.some((l) => l.includes('recovered from the journal, continuing after session 7'))).toBe(true);
  });
});
