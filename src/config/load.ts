import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, type Tags } from 'yaml';
import type { z } from 'zod';
import { alignBestPriceLevels } from './best-price-levels.ts';
import { configSchema, type HeliosConfig } from './schema.ts';
import { loadSecrets, looksLikeSecretKey, type Secrets } from './secrets.ts';

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../config/default.yaml', import.meta.url));

/** One reason a configuration was refused: exact key path, offending value, what was expected. */
export interface ConfigProblem {
  path: string;
  value: unknown;
  expected: string;
  source: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `config error at ${p.path || '(root)'}: got ${JSON.stringify(p.value) ?? 'undefined'} (from ${p.source}); expected ${p.expected}`;
}

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra overrides applied last (CLI flags such as --redis), as dotted paths. */
  overrides?: Record<string, unknown>;
  /** Where the overrides were written, for errors (default the command line; a sweep's grid file). */
  overridesSource?: string;
  defaultsFile?: string;
}

export interface LoadedConfig {
  config: HeliosConfig;
  secrets: Secrets;
}

/** `origins`: which variable set a dotted path (the environment's layer), so an error names it. */
type Layer = { name: string; data: Record<string, unknown>; origins?: ReadonlyMap<string, string> };

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const layers: Layer[] = [readYamlLayer(opts.defaultsFile ?? DEFAULT_CONFIG_PATH, 'defaults')];
  const file = opts.file ?? env.HELIOS_CONFIG;
  if (file) layers.push(readYamlLayer(file, `file ${file}`));
  layers.push(envLayer(env));
  if (opts.overrides) layers.push({ name: opts.overridesSource ?? 'command line', data: fromDotted(opts.overrides) });

  const merged: Record<string, unknown> = {};
  for (const layer of layers) deepMerge(merged, layer.data);

  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => toProblem(i, merged, layers)));
  const levelsPath = ['market_tape', 'best_price_levels'];
  const levelsProblem = alignBestPriceLevels(result.data, layers.slice(1).some((l) => getPath(l.data, levelsPath) !== undefined));
  if (levelsProblem) throw new ConfigError([{ path: levelsPath.join('.'), value: result.data.market_tape.best_price_levels, expected: levelsProblem, source: sourceOf(levelsPath, layers) }]);
  return { config: result.data, secrets: loadSecrets(env) };
}

/**
 * YAML 1.2 reads `0x…` as a hexadecimal integer, which turned a wallet address or a condition id
 * written without quotes into a float (`1.39e+48`) the schema could only refuse: no setting of
 * helios is a hexadecimal number, so here `0x…` stays the text it was written as.
 */
const YAML_OPTIONS = {
  logLevel: 'error', // warnings would print snippets of the file
  customTags: (tags: Tags) => tags.filter((t) => !(typeof t === 'object' && t.tag === 'tag:yaml.org,2002:int' && t.format === 'HEX')),
} as const;

function readYamlLayer(path: string, name: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // The operator's file: say where it was looked for, the usual cause being a path typed wrong.
    const hint = name === 'defaults' ? '' : `: check --config (or HELIOS_CONFIG); a relative path resolves against the working directory, ${process.cwd()}`;
    throw new ConfigError([{ path: '', value: path, expected: `a readable YAML file${hint}`, source: `${name} (${(err as Error).message})` }]);
  }
  let data: unknown;
  try {
    data = parseYaml(text, YAML_OPTIONS) ?? {};
    // A recursive alias (`a: &a [*a]`) parses to a cycle that no config holds and no walker ends.
    JSON.stringify(data);
  } catch (err) {
    throw new ConfigError([{ path: '', value: path, expected: 'valid YAML', source: `${name}: ${yamlErrorLine(err as Error)}` }]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    // Only the kind: the content may be anything, a secrets file given by mistake included.
    throw new ConfigError([{ path: '', value: Array.isArray(data) ? '(a list)' : `(a ${typeof data})`, expected: 'a mapping at the top level', source: name }]);
  }
  refuseSecretKeys(data as Record<string, unknown>, '', name);
  return { name, data: data as Record<string, unknown> };
}

function refuseSecretKeys(node: unknown, prefix: string, source: string): void {
  // Lists too: a secret inside one would otherwise be echoed by the schema error ("got [{…}]").
  if (Array.isArray(node)) return node.forEach((item, i) => refuseSecretKeys(item, `${prefix}.${i}`, source));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (looksLikeSecretKey(k)) {
      throw new ConfigError([
        { path, value: '[REDACTED]', expected: 'no secrets in YAML: set secrets in the environment or HELIOS_SECRETS_FILE', source },
      ]);
    }
    refuseSecretKeys(v, path, source);
  }
}

/** The YAML parser's own first line, `… at line 2, column 1:`, without the colon that led into its code frame. */
function yamlErrorLine(err: Error): string {
  return (err.message.split('\n')[0] ?? '').replace(/:$/, '');
}

/** HELIOS_SECTION__KEY[__SUB] → section.key.sub; values parsed as YAML scalars. */
function envLayer(env: NodeJS.ProcessEnv): Layer {
  const data: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const names = Object.keys(env)
    .filter((k) => k.startsWith('HELIOS_') && k.includes('__'))
    .sort();
  for (const name of names) {
    const path = name.slice('HELIOS_'.length).toLowerCase().split('__');
    if (path.some((p) => p === '' || looksLikeSecretKey(p))) {
      throw new ConfigError([{ path: path.join('.'), value: '[REDACTED]', expected: 'a config key (secrets use their own variables)', source: `env ${name}` }]);
    }
    const value = parseEnvValue(env[name] ?? '');
    // Values are YAML too: `{api_key: …}` in one must be refused like in a file.
    refuseSecretKeys(value, path.join('.'), `environment ${name}`);
    setPath(data, path, value);
    origins.set(path.join('.'), name);
  }
  if (env.HELIOS_REDIS_URL) {
    setPath(data, ['bus', 'kind'], 'redis');
    setPath(data, ['bus', 'redis_url'], env.HELIOS_REDIS_URL);
    origins.set('bus.kind', 'HELIOS_REDIS_URL').set('bus.redis_url', 'HELIOS_REDIS_URL');
  }
  return { name: 'environment', data, origins };
}

function parseEnvValue(raw: string): unknown {
  try {
    const value: unknown = parseYaml(raw, YAML_OPTIONS);
    JSON.stringify(value); // refuses recursive aliases, as for files
    return value;
  } catch {
    return raw;
  }
}

function fromDotted(overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(overrides)) setPath(out, k.split('.'), v);
  return out;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Layers `source` over `target` in place, as the loader layers config files (objects merge, the rest replaces). */
export function mergeConfigLayer(target: Record<string, unknown>, source: Record<string, unknown>): void {
  deepMerge(target, source);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    // Own keys only: a YAML `__proto__` key must stay plain data (the schema rejects it), never
    // reach Object.prototype.
    const cur = Object.hasOwn(target, k) ? target[k] : undefined;
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
}

/** Config values that are URLs which may embed credentials (`redis://user:password@host`). */
const CREDENTIAL_URL_PATHS = new Set(['bus.redis_url']);

function toProblem(issue: z.core.$ZodIssue, merged: Record<string, unknown>, layers: Layer[]): ConfigProblem {
  const segments = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const full = [...segments, key];
    return {
      path: full.join('.'),
      value: getPath(merged, full),
      expected: `no such key (unknown keys are rejected${issue.keys.length > 1 ? `; also ${issue.keys.slice(1).join(', ')}` : ''})`,
      source: sourceOf(full, layers),
    };
  }
  const path = segments.join('.');
  return {
    path,
    // A connection URL may carry a password: never echo it, even when it is malformed.
    value: CREDENTIAL_URL_PATHS.has(path) ? '[REDACTED]' : getPath(merged, segments),
    expected: issue.message.replace(/^(Invalid input|Too small|Too big): (expected )?/, ''),
    source: sourceOf(segments, layers),
  };
}

function getPath(obj: unknown, path: string[]): unknown {
  let node = obj;
  for (const p of path) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, p)) return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node;
}

function sourceOf(path: string[], layers: Layer[]): string {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (getPath(layer.data, path) === undefined) continue;
    // The variable that set this path or the object holding it: a deployment sets many HELIOS_* at once.
    for (let n = path.length; n > 0; n--) {
      const variable = layer.origins?.get(path.slice(0, n).join('.'));
      if (variable) return `${layer.name} ${variable}`;
    }
    // An unknown section or key is reported at its own path, which the variables set from below
    // (HELIOS_RISKK__MAX_ORDER_USDC sets riskk.max_order_usdc): name those.
    const prefix = `${path.join('.')}.`;
    const below = [...(layer.origins ?? [])].filter(([p]) => p.startsWith(prefix)).map(([, variable]) => variable);
    return below.length ? `${layer.name} ${[...new Set(below)].sort().join(', ')}` : layer.name;
  }
  return 'missing in every layer';
}
