import { readFileSync } from 'node:fs';

/**
 * Secrets come only from the environment or a secret file (KEY=VALUE lines), never from YAML.
 * A Secret never prints its value: not in logs, JSON, util.inspect or `config check`.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export const REDACTED = '[REDACTED]';

/** Environment variable → secret name. */
export const SECRET_ENV = {
  HELIOS_API_TOKEN: 'api_token',
  HELIOS_POLY_API_KEY: 'polymarket_api_key',
  HELIOS_POLY_API_SECRET: 'polymarket_api_secret',
  HELIOS_POLY_PASSPHRASE: 'polymarket_passphrase',
  HELIOS_POLY_PRIVATE_KEY: 'polymarket_private_key',
  HELIOS_PANDASCORE_TOKEN: 'pandascore_token',
  HELIOS_GRID_API_KEY: 'grid_api_key',
  HELIOS_WU_API_KEY: 'wu_api_key',
  HELIOS_CLICKHOUSE_PASSWORD: 'clickhouse_password',
} as const;

export type SecretName = (typeof SECRET_ENV)[keyof typeof SECRET_ENV];
export type Secrets = Partial<Record<SecretName, Secret>>;

/** Key names that look like secrets; YAML carrying them is refused. */
const SECRET_KEY = /(^|_)(secret|secrets|password|passwd|passphrase|private_?key|privkey|api_?key|apikey|api_?token|auth_?token|access_?token|bearer|credentials?|mnemonic|seed_phrase)($|_)/i;

/**
 * Any key ending in `token` (`token`, `my_token`, `refreshToken`) is a credential by its name;
 * `token_ids` or `desired_tokens` are not, so only the ending counts.
 */
const TOKEN_KEY = /(^|_)token$/i;
const CAMEL_TOKEN_KEY = /[a-z0-9]Token$/;

export function looksLikeSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || TOKEN_KEY.test(key) || CAMEL_TOKEN_KEY.test(key);
}

export class SecretFileError extends Error {}

/** Reads secrets: the secret file first (HELIOS_SECRETS_FILE), then the environment overrides it. */
export function loadSecrets(env: NodeJS.ProcessEnv): Secrets {
  const out: Secrets = {};
  const file = env.HELIOS_SECRETS_FILE;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new SecretFileError(`secret file ${file}: cannot read (${(err as Error).message})`);
    }
    text.split(/\r?\n/).forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const eq = trimmed.indexOf('=');
      const key = eq > 0 ? trimmed.slice(0, eq).trim() : '';
      if (!(key in SECRET_ENV)) {
        throw new SecretFileError(
          `secret file ${file}:${i + 1}: expected KEY=VALUE with KEY one of ${Object.keys(SECRET_ENV).join(', ')}`,
        );
      }
      out[SECRET_ENV[key as keyof typeof SECRET_ENV]] = new Secret(trimmed.slice(eq + 1).trim());
    });
  }
  for (const [envName, name] of Object.entries(SECRET_ENV)) {
    const v = env[envName];
    if (v !== undefined && v !== '') out[name] = new Secret(v);
  }
  return out;
}

/** Secret paths for the logger's redaction (values never reach a log line even by mistake). */
export const LOG_REDACT_PATHS = [
  'secrets',
  '*.secrets',
  'token',
  '*.token',
  'api_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'privateKey',
  '*.privateKey',
  'private_key',
  '*.private_key',
  'passphrase',
  '*.passphrase',
  'password',
  '*.password',
  ...Object.values(SECRET_ENV),
];
