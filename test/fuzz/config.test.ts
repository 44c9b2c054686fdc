import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from '../../src/config/load.ts';
import { looksLikeSecretKey, SecretFileError } from '../../src/config/secrets.ts';
import { applyStructural, applyText, cloneJson, deepFreeze, deepText, mutatedLine, nastyValue, prototypeFingerprint, setOwn, shallowRandomText, structuralOp, textOp } from './support/mutate.ts';
import { FUZZ_RUNS, fuzzParams, fuzzTimeoutMs } from './support/runs.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-fuzz-config-'));
const DEFAULTS = parseYaml(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<string, Record<string, unknown>>;
const SECTIONS = Object.keys(DEFAULTS).sort();
/** Parsing the real 9 KB defaults costs ~10 ms a load; the bulk of the cases layer over an empty one. */
const EMPTY_DEFAULTS = path.join(dir, 'empty-defaults.yaml');
writeFileSync(EMPTY_DEFAULTS, '{}\n');

const MARK = 'SeCrEt-';
const SECRET_KEYS = ['api_key', 'password', 'private_key', 'secret', 'passphrase', 'auth_token', 'credentials'];
const KEYS = [...SECRET_KEYS, ...SECTIONS, 'host', 'port', 'redis_url', 'kind', 'channels', 'mode'];

/** Every string under a secret-looking key (lists included), as loaded from the YAML text. */
function secretValues(node: unknown, underSecret = false, out: string[] = []): string[] {
  if (typeof node === 'string') {
    if (underSecret && node.includes(MARK)) out.push(node);
  } else if (Array.isArray(node)) {
    for (const v of node) secretValues(v, underSecret, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) secretValues(v, underSecret || looksLikeSecretKey(k), out);
  }
  return out;
}

/** Puts a marker value under every secret-looking key so leaks are recognizable. */
function markSecrets(node: unknown, n: { i: number }): void {
  if (Array.isArray(node)) node.forEach((v) => markSecrets(v, n));
  else if (node && typeof node === 'object') {
    for (const k of Object.keys(node)) {
      if (looksLikeSecretKey(k)) setOwn(node as Record<string, unknown>, k, `${MARK}${n.i++}`);
      else markSecrets((node as Record<string, unknown>)[k], n);
    }
  }
}

/**
 * Part of one default section (a few of its keys: the yaml parser costs ~0.6 ms per KB), mutated,
 * rendered as block or flow YAML, then character edits.
 */
const sectionYaml: fc.Arbitrary<string> = fc
  .constantFrom(...SECTIONS)
  .chain((section) =>
    fc.tuple(
      fc.constant(section),
      fc.subarray(Object.keys(DEFAULTS[section]!), { minLength: 1, maxLength: Math.min(4, Object.keys(DEFAULTS[section]!).length) }),
      fc.array(structuralOp(KEYS, true, 40), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      fc.array(textOp, { maxLength: 2 }),
    ),
  )
  .map(([section, keys, ops, flow, edits]) => {
    const part: Record<string, unknown> = {};
    for (const k of keys) part[k] = cloneJson(DEFAULTS[section]![k]);
    const mutated = ops.reduce<unknown>((v, op) => applyStructural(v, op), { [section]: part });
    markSecrets(mutated, { i: 0 });
    const text = flow ? (JSON.stringify(mutated) ?? '') : stringifyYaml(mutated ?? null);
    return edits.reduce((t, e) => applyText(t, e), text);
  });

const yamlText: fc.Arbitrary<string> = fc.oneof(
  { weight: 60, arbitrary: sectionYaml },
  { weight: 20, arbitrary: shallowRandomText },
  { weight: 20, arbitrary: fc.string({ unit: fc.constantFrom(...'abc_:-[]{}\n  #&*!|>\'"?,.0123456789'), maxLength: 80 }) },
  { weight: 20, arbitrary: mutatedLine(['__proto__:\n  polluted: yes\n', 'bus:\n  - api_key: SeCrEt-x\n', 'api:\n  host: 0.0.0.0\n  port: 99999\n', 'a: &a [*a]\n', 'constructor:\n  prototype:\n    polluted: 1\n']) },
  // The yaml parser recurses per level (~50 ms at 1,000 levels): a few shallow-ish ones suffice.
  { weight: 1, arbitrary: deepText(300) },
);

const envName = fc.oneof(
  fc.constantFrom('HELIOS_BUS__READ_BATCH', 'HELIOS_API__HOST', 'HELIOS_API__PORT', 'HELIOS_BUS__EXTRA', 'HELIOS_CONSTRUCTOR__PROTOTYPE__X', 'HELIOS_REDIS_URL', 'HELIOS_BUS__API_KEY', 'HELIOS_SECRETS_FILE', 'HELIOS_API_TOKEN'),
  mutatedLine(['HELIOS_BUS__READ_BATCH', 'HELIOS_APP__MODE', 'HELIOS_TRUTH_ENGINE__SOURCES__GRID__POLL_MS']),
  fc.string({ maxLength: 20 }).map((s) => `HELIOS_${s}`),
);
const envValue = fc.oneof(
  nastyValue(true, 40).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')),
  fc.constantFrom(`{api_key: ${MARK}env}`, `[{password: ${MARK}env}]`, '{__proto__: {polluted: 1}}', '/nonexistent/secrets.env', 'redis://127.0.0.1:1'),
);
const env = fc.dictionary(envName, envValue, { maxKeys: 3 });

function envSecretValues(e: Record<string, string>): string[] {
  const out: string[] = [];
  for (const v of Object.values(e)) {
    try {
      secretValues(parseYaml(v, { logLevel: 'error' }), false, out);
    } catch {
      // not YAML: holds no keys
    }
  }
  return out;
}

let seq = 0;
function writeYaml(text: string): string {
  const file = path.join(dir, `c${seq++ % 64}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** One load: the outcome must be a config or a reported error, with no trace left behind. */
function checkLoad(text: string, e: Record<string, string>, defaultsFile?: string): 'ok' | 'refused' {
  const file = writeYaml(text);
  const frozenEnv = deepFreeze({ ...e });
  const before = prototypeFingerprint();
  let outcome: 'ok' | 'refused' = 'ok';
  try {
    const { config } = loadConfig({ file, env: frozenEnv, defaultsFile });
    expect(typeof config.api.host).toBe('string');
  } catch (err) {
    if (err instanceof SecretFileError) return 'refused';
    expect(err, String(err)).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems.length).toBeGreaterThan(0);
    // A value under a secret-looking key is never echoed back, wherever it sat.
    let yamlSecrets: string[] = [];
    try {
      yamlSecrets = secretValues(parseYaml(text, { logLevel: 'error' }));
    } catch {
      // invalid YAML: the error names the file, not its content
    }
    for (const s of [...yamlSecrets, ...envSecretValues(e)]) expect((err as Error).message).not.toContain(s);
    outcome = 'refused';
  }
  expect(prototypeFingerprint()).toBe(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  return outcome;
}

describe(`config files and environment (${FUZZ_RUNS} cases)`, () => {
  it('loadConfig returns a config or throws ConfigError, never pollutes prototypes, never echoes a secret', () => {
    fc.assert(
      fc.property(yamlText, env, (text, e) => {
        checkLoad(text, e, EMPTY_DEFAULTS);
      }),
      fuzzParams('config-load'),
    );
  }, fuzzTimeoutMs(90_000));

  it('the same over the real defaults (fewer cases: each load parses 9 KB of YAML)', () => {
    const outcomes = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(yamlText, env, (text, e) => {
        outcomes[checkLoad(text, e)]++;
      }),
      fuzzParams('config-load-defaults', Math.max(50, Math.round(FUZZ_RUNS / 50))),
    );
    expect(outcomes.ok + outcomes.refused).toBeGreaterThan(0);
  }, fuzzTimeoutMs(30_000));
});
