/**
 * Secrets never reach a log line: whatever object, error or message carries them, at any depth.
 * (`helios config check` output: see config.test.ts here.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpApiServer } from '../../src/adapters/api/http-server.ts';
import { loadConfig } from '../../src/config/load.ts';
import { Secret, SECRET_ENV } from '../../src/config/secrets.ts';
import { capturingLogger, RecordingDaemonApi } from '../support/recording-api.ts';

const T = 'tok-9f8e7d6c5b4a';

async function logged(write: (log: ReturnType<typeof capturingLogger>['logger']) => void): Promise<string> {
  const { logger, lines } = capturingLogger('trace');
  write(logger);
  await new Promise((r) => setImmediate(r));
  expect(lines.length).toBeGreaterThan(0);
  return lines.join('\n');
}

describe('secrets never appear in logs', () => {
  it('redacts every spelling of a secret key, flat and nested at any depth, in lists too', async () => {
    const keys = ['api_key', 'apiKey', 'API_KEY', 'x-api-key', 'secret', 'client_secret', 'password', 'passphrase', 'private_key', 'privateKey', 'access_token', 'auth_token', 'api_token', 'token', 'authorization', 'Authorization', 'bearer', 'credentials', 'mnemonic'];
    const text = await logged((log) => {
      for (const k of keys) {
        log.info({ [k]: T }, 'flat');
        log.info({ config: { venue: { polymarket: { [k]: T } } } }, 'nested');
        log.info({ sources: [{ name: 'grid', [k]: T }] }, 'in a list');
        log.info({ req: { headers: { [k]: `Bearer ${T}` } } }, 'headers');
      }
    });
    expect(text).not.toContain(T);
    expect(text).toContain('[REDACTED]');
  });

  it('keeps ids that merely mention tokens', async () => {
    const text = await logged((log) => log.info({ token_id: 'tid-1', tokens: ['tid-2'], market_id: 'm-1' }, 'ids'));
    expect(text).toMatch(/"token_id":"tid-1".*"tokens":\["tid-2"\].*"market_id":"m-1"/);
  });

  it('never prints a Secret, wherever it sits', async () => {
    const text = await logged((log) => {
      log.info({ s: new Secret(T) }, 'top');
      log.info({ deep: { er: { list: [new Secret(T)] } } }, 'deep');
      log.info({ secrets: { api_token: new Secret(T) } }, 'secrets object');
    });
    expect(text).not.toContain(T);
  });

  it('redacts errors carrying tokens: fields, request configs, messages, stacks and causes', async () => {
    class VenueError extends Error {
      constructor(
        message: string,
        readonly url: string,
      ) {
        super(message);
        this.name = 'VenueError';
      }
    }
    const withFields = Object.assign(new VenueError(`GET https://api.example/v2/x?apiKey=${T} failed`, `wss://socket.example/matches/1?token=${T}`), {
      token: T,
      config: { headers: { authorization: `Bearer ${T}`, 'x-api-key': T } },
      response: { data: { error: 'unauthorized' } },
    });
    const caused = new Error('outer failure', { cause: new Error(`inner: Authorization: Bearer ${T}`) });
    const text = await logged((log) => {
      log.error({ err: withFields }, 'request failed');
      log.error(withFields, 'error as the only argument');
      log.warn({ err: caused }, 'with a cause');
      log.warn({ err: `Failed to parse URL from https://api.weather.com/v2/pws?stationId=K&apiKey=${T}` }, 'message only');
    });
    expect(text).not.toContain(T);
    // Still useful: type, message and the non-secret fields survive.
    expect(text).toMatch(/"type":"VenueError"/);
    expect(text).toMatch(/"message":"GET https:\/\/api.example\/v2\/x\?apiKey=\[REDACTED\] failed"/);
    expect(text).toContain('unauthorized');
  });

  it('redacts credentials inside message strings and URLs', async () => {
    const text = await logged((log) => {
      log.info(`connecting to wss://socket.example/matches/1?token=${T}&page=2`);
      log.info({ url: `redis://default:${T}@127.0.0.1:6379/0` }, 'bus');
      log.info(`header was Bearer ${T}`);
      // Child bindings are ids by convention (withCorrelation); pino's path redaction covers the top two levels.
      log.child({ token: T, api_key: T, ids: { password: T } }).info('child bindings');
    });
    expect(text).not.toContain(T);
    expect(text).toContain('page=2');
    expect(text).toContain('127.0.0.1:6379');
  });

  it('logging the whole loaded configuration and its secrets prints none of them', async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const name of Object.keys(SECRET_ENV)) env[name] = `${T}-${name}`;
    const loaded = loadConfig({ env });
    expect(Object.keys(loaded.secrets)).toHaveLength(Object.keys(SECRET_ENV).length);
    const text = await logged((log) => {
      log.info({ config: loaded.config, secrets: loaded.secrets }, 'config');
      log.info(loaded, 'loaded');
      log.info({ every: Object.values(loaded.secrets) }, 'values');
    });
    expect(text).not.toContain(T);
  });

  it('random objects with secrets planted at random places never leak', async () => {
    const secretKey = fc.constantFrom('api_key', 'apiKey', 'password', 'token', 'Authorization', 'client_secret', 'privateKey', 'x-api-key', 'secrets', 'passphrase');
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.string({ maxLength: 6 }),
        fc.integer(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 3 }),
        fc.tuple(secretKey, fc.constantFrom(T, `Bearer ${T}`, `https://h/?token=${T}`)).map(([k, v]) => ({ [k]: v })),
        fc.constant(new Secret(T)),
      ),
    }));
    const { logger, lines } = capturingLogger('trace');
    fc.assert(
      fc.property(tree.node, (value) => {
        logger.info({ value }, 'fuzz');
      }),
      { numRuns: 500, seed: 9 },
    );
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(500);
    for (const l of lines) expect(l).not.toContain(T);
  });

  it('the HTTP API logs a failing daemon call without the error’s token', async () => {
    const { logger, lines } = capturingLogger();
    const api = new RecordingDaemonApi();
    api.stats = async () => {
      throw Object.assign(new Error(`upstream said no to Bearer ${T}`), { token: T });
    };
    const http = new HttpApiServer({ host: '127.0.0.1', port: 0, maxBodyBytes: 1024, token: new Secret(T), api, logger });
    const url = await http.listen();
    try {
      const r = await fetch(`${url}/stats`);
      expect(r.status).toBe(500);
      expect(await r.text()).not.toContain(T);
    } finally {
      await http.close();
    }
    await new Promise((r) => setImmediate(r));
    expect(lines.some((l) => l.includes('http api handler failed'))).toBe(true);
    expect(lines.join('\n')).not.toContain(T);
  });
});
