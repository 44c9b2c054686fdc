import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { loadSecrets, Secret } from '../../src/config/secrets.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'helios-config-'));
function yamlFile(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('configuration layers', () => {
  it('defaults alone validate, in paper mode', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.app.mode).toBe('paper');
    expect(config.bus.kind).toBe('in_memory');
  });

  it('applies defaults < --config FILE < environment', () => {
    const file = yamlFile('layer.yaml', 'bus:\n  dedup_window: 5\n  read_batch: 7\n');
    const { config } = loadConfig({ file, env: { HELIOS_BUS__READ_BATCH: '9' } });
    expect(config.bus.dedup_window).toBe(5);
    expect(config.bus.read_batch).toBe(9);
    expect(config.bus.block_ms).toBe(1000);
  });

  it('selects Redis from HELIOS_REDIS_URL', () => {
    const { config } = loadConfig({ env: { HELIOS_REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(config.bus.kind).toBe('redis');
    expect(config.bus.redis_url).toBe('redis://127.0.0.1:1');
  });

  it('rejects unknown keys naming the exact path', () => {
    const file = yamlFile('unknown.yaml', 'bus:\n  dedup_windw: 5\n');
    expect(() => loadConfig({ file, env: {} })).toThrowError(/bus\.dedup_windw.*got 5.*no such key/);
  });

  it('names the key, the value and what was expected', () => {
    try {
      loadConfig({ env: { HELIOS_BUS__DEFAULT__OVERFLOW: 'explode' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const p = (err as ConfigError).problems[0]!;
      expect(p.path).toBe('bus.default.overflow');
      expect(p.value).toBe('explode');
      expect(p.expected).toMatch(/drop_oldest.*coalesce.*halt/);
      expect(p.source).toBe('environment');
    }
  });

  it('refuses secret-looking keys in YAML and in config env vars', () => {
    const file = yamlFile('secret.yaml', 'bus:\n  api_key: abc\n');
    expect(() => loadConfig({ file, env: {} })).toThrowError(/bus\.api_key.*no secrets in YAML/);
    expect(() => loadConfig({ file: yamlFile('pk.yaml', 'execution:\n  private_key: "0xabc"\n'), env: {} })).toThrowError(/private_key/);
    expect(() => loadConfig({ env: { HELIOS_BUS__PASSWORD: 'x' } })).toThrowError(/secrets use their own variables/);
    // ids that merely contain "token" are not secrets
    expect(() => loadConfig({ file: yamlFile('ok.yaml', 'bus:\n  stream_prefix: token_ids\n'), env: {} })).not.toThrow();
  });

  it('reads secrets from the environment and a secret file, never printing them', () => {
    const secretFile = yamlFile('secrets.env', '# comment\nHELIOS_GRID_API_KEY=grid-123\nHELIOS_API_TOKEN=file-token\n');
    const secrets = loadSecrets({ HELIOS_SECRETS_FILE: secretFile, HELIOS_API_TOKEN: 'env-token' });
    expect(secrets.grid_api_key?.reveal()).toBe('grid-123');
    expect(secrets.api_token?.reveal()).toBe('env-token');
    expect(JSON.stringify(secrets)).not.toMatch(/grid-123|env-token/);
    expect(String(secrets.api_token)).toBe('[REDACTED]');
    expect(() => loadSecrets({ HELIOS_SECRETS_FILE: yamlFile('bad.env', 'NOPE=1\n') })).toThrowError(/bad\.env:1/);
  });

  it('a Secret does not leak through util.inspect', async () => {
    const { inspect } = await import('node:util');
    expect(inspect({ s: new Secret('hunter2') })).not.toMatch(/hunter2/);
  });
});

describe('helios config check', () => {
  it('prints the resolved configuration with secrets redacted', async () => {
    const io = captureIo({ HELIOS_API_TOKEN: 'very-secret-token', HELIOS_BUS__READ_BATCH: '33' });
    const code = await main(['config', 'check', '--json'], io);
    expect(code).toBe(0);
    const shown = JSON.parse(io.stdout());
    expect(shown.bus.read_batch).toBe(33);
    expect(shown.secrets.api_token).toBe('[REDACTED]');
    expect(io.stdout()).not.toMatch(/very-secret-token/);
  });

  it('exits 2 naming the exact key path', async () => {
    const file = yamlFile('bad.yaml', 'bus:\n  channels:\n    l2:\n      queue_size: 0\n      overflow: coalesce\n      max_len: 10\n');
    const io = captureIo({});
    const code = await main(['config', 'check', '--config', file], io);
    expect(code).toBe(2);
    expect(io.stderr()).toMatch(/bus\.channels\.l2\.queue_size: got 0 \(from file .*bad\.yaml\); expected number to be >=1/);
  });

  it('exits 2 on an unreadable file', async () => {
    const io = captureIo({});
    expect(await main(['config', 'check', '--config', path.join(dir, 'missing.yaml')], io)).toBe(2);
    expect(io.stderr()).toMatch(/readable YAML file/);
  });
});
