/**
 * Configuration security: secrets live only in the environment or the secret file; YAML carrying
 * anything that looks like a secret is refused without echoing it; `helios config check` never
 * prints a secret, whatever it is asked to show or why it fails.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { loadSecrets, Secret, SECRET_ENV } from '../../src/config/secrets.ts';
import { captureIo } from '../support/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-security-config-'));
let n = 0;
function yamlFile(text: string): string {
  const p = path.join(dir, `f${n++}.yaml`);
  writeFileSync(p, text);
  return p;
}

const S = 'hunter2-c0ffee';

function refusal(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain(S);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('the YAML loader refuses keys that look like secrets', () => {
  it('refuses secret-looking keys in YAML and in config env vars', () => {
    expect(() => loadConfig({ file: yamlFile('bus:\n  api_key: abc\n'), env: {} })).toThrowError(/bus\.api_key.*no secrets in YAML/);
    expect(() => loadConfig({ file: yamlFile('execution:\n  private_key: "0xabc"\n'), env: {} })).toThrowError(/private_key/);
    expect(() => loadConfig({ env: { HELIOS_BUS__PASSWORD: 'x' } })).toThrowError(/secrets use their own variables/);
    // ids that merely contain "token" are not secrets
    expect(() => loadConfig({ file: yamlFile('bus:\n  stream_prefix: token_ids\n'), env: {} })).not.toThrow();
  });

  const spellings = ['api_key', 'apiKey', 'API_KEY', 'secret', 'client_secret', 'password', 'passwd', 'passphrase', 'private_key', 'privateKey', 'api_token', 'auth_token', 'access_token', 'bearer', 'credentials', 'mnemonic', 'seed_phrase', 'token', 'my_token', 'refresh_token', 'myToken'];

  it.each(spellings)('refuses %s at the top, nested deep, inside lists and in flow style, naming the path', (key) => {
    const cases: Array<[string, RegExp]> = [
      [`${key}: ${S}\n`, new RegExp(`at ${key}:`)],
      [`truth_engine:\n  sources:\n    grid:\n      ${key}: ${S}\n`, new RegExp(`truth_engine\\.sources\\.grid\\.${key}`)],
      [`weather:\n  stations:\n    - id: KXYZ\n      ${key}: ${S}\n`, new RegExp(`weather\\.stations\\.0\\.${key}`)],
      [`bus: [[{${key}: ${S}}]]\n`, new RegExp(`bus\\.0\\.0\\.${key}`)],
    ];
    for (const [text, where] of cases) {
      const err = refusal(() => loadConfig({ file: yamlFile(text), env: {} }));
      expect(err.message).toMatch(where);
      expect(err.message).toMatch(/no secrets in YAML/);
    }
    // A document that is a list is refused before its keys are looked at; still nothing echoed.
    refusal(() => loadConfig({ file: yamlFile(`- ${key}: ${S}\n`), env: {} }));
  });

  it('refuses secrets hidden in the YAML value of a config env var', () => {
    for (const value of [`{api_key: ${S}}`, `[{password: ${S}}]`, `{a: {b: {client_secret: ${S}}}}`]) {
      expect(refusal(() => loadConfig({ env: { HELIOS_BUS__EXTRA: value } })).message).toMatch(/bus\.extra\..*(api_key|password|client_secret)/);
    }
  });

  it('never echoes the content of a document that is not a mapping (e.g. the secret file given as --config)', () => {
    const secretsFile = path.join(dir, 'secrets.env');
    writeFileSync(secretsFile, `HELIOS_API_TOKEN=${S}\n`);
    expect(refusal(() => loadConfig({ file: secretsFile, env: {} })).message).toMatch(/a mapping at the top level/);
    expect(refusal(() => loadConfig({ file: yamlFile(`- ${S}\n- x\n`), env: {} })).message).toMatch(/\(a list\)/);
  });
});

describe('secrets come from the environment or the secret file and never print', () => {
  it('reads secrets from the environment and a secret file, never printing them', () => {
    const secretFile = yamlFile('# comment\nHELIOS_GRID_API_KEY=grid-123\nHELIOS_API_TOKEN=file-token\n');
    const secrets = loadSecrets({ HELIOS_SECRETS_FILE: secretFile, HELIOS_API_TOKEN: 'env-token' });
    expect(secrets.grid_api_key?.reveal()).toBe('grid-123');
    expect(secrets.api_token?.reveal()).toBe('env-token');
    expect(JSON.stringify(secrets)).not.toMatch(/grid-123|env-token/);
    expect(String(secrets.api_token)).toBe('[REDACTED]');
    expect(() => loadSecrets({ HELIOS_SECRETS_FILE: yamlFile('NOPE=1\n') })).toThrowError(/f\d+\.yaml:1/);
  });

  it('a Secret does not leak through util.inspect, String, JSON or template literals', () => {
    const s = new Secret(S);
    expect(inspect({ s })).not.toContain(S);
    expect(`${s}`).not.toContain(S);
    expect(JSON.stringify({ s })).not.toContain(S);
  });

  it('a malformed secret file is refused without echoing its lines', () => {
    const bad = path.join(dir, 'bad-secrets.env');
    writeFileSync(bad, `HELIOS_API_TOKEN=ok\nPOLY_SECRET=${S}\n`);
    expect(() => loadSecrets({ HELIOS_SECRETS_FILE: bad })).toThrowError(/bad-secrets\.env:2/);
    try {
      loadSecrets({ HELIOS_SECRETS_FILE: bad });
    } catch (err) {
      expect((err as Error).message).not.toContain(S);
    }
  });
});

describe('helios config check never prints a secret', () => {
  const everySecret = (): NodeJS.ProcessEnv => Object.fromEntries(Object.keys(SECRET_ENV).map((k) => [k, `${S}-${k}`]));

  it('prints the resolved configuration with secrets redacted', async () => {
    const io = captureIo({ HELIOS_API_TOKEN: 'very-secret-token', HELIOS_BUS__READ_BATCH: '33' });
    const code = await main(['config', 'check', '--json'], io);
    expect(code).toBe(0);
    const shown = JSON.parse(io.stdout());
    expect(shown.bus.read_batch).toBe(33);
    expect(shown.secrets.api_token).toBe('[REDACTED]');
    expect(io.stdout()).not.toMatch(/very-secret-token/);
  });

  it.each([[['config', 'check']], [['config', 'check', '--json']]])('%j lists every secret by name only, from env and from the secret file', async (argv) => {
    const fromFile = path.join(dir, `all-secrets-${n++}.env`);
    writeFileSync(fromFile, Object.keys(SECRET_ENV).map((k) => `${k}=${S}-file-${k}`).join('\n') + '\n');
    for (const env of [everySecret(), { HELIOS_SECRETS_FILE: fromFile }]) {
      const io = captureIo(env);
      expect(await main(argv, io)).toBe(0);
      expect(io.stdout() + io.stderr()).not.toContain(S);
      for (const name of Object.values(SECRET_ENV)) expect(io.stdout()).toContain(name);
    }
  });

  it('redacts the password of a Redis URL given in the environment', async () => {
    const io = captureIo({ HELIOS_REDIS_URL: `redis://default:${S}@127.0.0.1:6379/0` });
    expect(await main(['config', 'check', '--json'], io)).toBe(0);
    expect(io.stdout()).not.toContain(S);
    expect(JSON.parse(io.stdout()).bus.redis_url).toBe('redis://default:[REDACTED]@127.0.0.1:6379/0');
  });

  it('never echoes a malformed Redis URL, which may carry a password, in a config error', async () => {
    const io = captureIo({ HELIOS_REDIS_URL: `notaurl://default:${S}@127.0.0.1:6379/0` });
    expect(await main(['config', 'check'], io)).toBe(2);
    expect(io.stdout() + io.stderr()).toMatch(/bus\.redis_url: got "\[REDACTED\]"/);
    expect(io.stdout() + io.stderr()).not.toContain(S);
  });

  it('refuses a *_token key from YAML or a config env var with exit 2, never printing its value (as the README says)', async () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [['config', 'check', '--config', yamlFile(`app:\n  my_token: ${S}\n`)], {}, /app\.my_token.*no secrets in YAML/],
      [['config', 'check'], { HELIOS_API__TOKEN: S }, /api\.token.*secrets use their own variables/],
      [['config', 'check'], { HELIOS_APP__MY_TOKEN: S }, /app\.my_token/],
    ];
    for (const [argv, env, message] of cases) {
      const io = captureIo(env);
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr()).toMatch(message);
      expect(io.stdout() + io.stderr()).not.toContain(S);
    }
    // Keys about token ids are not secrets.
    const ok = captureIo({ HELIOS_MARKET_TAPE__DESIRED_SET__REDIS_KEY: 'helios:market:desired_tokens' });
    expect(await main(['config', 'check', '--json'], ok), ok.stderr()).toBe(0);
  });

  it('prints no secret when it fails, whatever the reason', async () => {
    const failing: Array<[string[], NodeJS.ProcessEnv]> = [
      [['config', 'check', '--config', yamlFile(`bus:\n  api_key: ${S}\n`)], everySecret()],
      [['config', 'check', '--config', yamlFile(`bus:\n  - password: ${S}\n`)], {}],
      [['config', 'check'], { ...everySecret(), HELIOS_BUS__READ_BATCH: 'not-a-number' }],
      [['config', 'check'], { HELIOS_BUS__EXTRA: `{token_secret: ${S}}` }],
      [['config', 'check'], { HELIOS_BUS__REDIS_URL: `{url: "redis://default:${S}@127.0.0.1:6379"}` }],
      [['config', 'check', '--config', path.join(dir, 'missing.yaml')], everySecret()],
    ];
    for (const [argv, env] of failing) {
      const io = captureIo(env);
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.stdout() + io.stderr(), argv.join(' ')).not.toContain(S);
    }
  });
});
