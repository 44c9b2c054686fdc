import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { requireTool, run } from './support/tools.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const UNITS = path.join(ROOT, 'deploy/systemd');
const unit = (name: string) => readFileSync(path.join(UNITS, name), 'utf8');
const directives = (text: string, key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
const ALL = ['helios.service', 'helios-feeds.service', 'helios-trading@.service'];

describe('systemd units', () => {
  it.each(ALL)('%s: unprivileged, sandboxed, secrets from an EnvironmentFile, no restart loop on exit 2 or 4', (name) => {
    const text = unit(name);
    expect(directives(text, 'User')).toEqual(['helios']);
    expect(directives(text, 'EnvironmentFile')).toContain('/etc/helios/secrets.env');
    expect(directives(text, 'Restart')).toEqual(['on-failure']);
    // The codes that would only fail again, from the CLI's own table.
    expect(directives(text, 'RestartPreventExitStatus')).toEqual([`${EXIT.CONFIG_ERROR} ${EXIT.REFUSED}`]);
    expect(directives(text, 'ExecStartPost')).toEqual(['/opt/helios/deploy/systemd/helios-ready.sh']);
    for (const [key, value] of [['ProtectSystem', 'strict'], ['NoNewPrivileges', 'yes'], ['PrivateTmp', 'yes'], ['ProtectHome', 'yes'], ['ReadWritePaths', '/var/lib/helios']]) {
      expect(directives(text, key!), key).toEqual([value]);
    }
    // The data directory is the only writable path and lies inside it.
    expect(directives(text, 'Environment').find((e) => e.startsWith('HELIOS_APP__DATA_DIR='))).toMatch(/^HELIOS_APP__DATA_DIR=\/var\/lib\/helios\//);
  });

  it('the roles: feeds and trading shards, the shard instance "i-n" mapped to --shard i/n', () => {
    expect(directives(unit('helios.service'), 'ExecStart')[0]).toMatch(/helios\.js run \$HELIOS_RUN_ARGS$/);
    expect(directives(unit('helios-feeds.service'), 'ExecStart')[0]).toMatch(/helios\.js run --role feeds /);
    const trading = unit('helios-trading@.service');
    // %I is the unescaped instance: systemd-escape writes '/' as '-', so "0-2" comes back as "0/2".
    expect(directives(trading, 'ExecStart')[0]).toMatch(/helios\.js run --role trading --shard %I /);
    expect(directives(trading, 'EnvironmentFile')).toContain('/etc/helios/trading-%i.env');
  });

  const escape = requireTool('systemd-escape');
  it.skipIf(!escape)('systemd-escape turns shard 0/2 into the instance name 0-2 and back', () => {
    expect(run(escape!, ['0/2']).stdout.trim()).toBe('0-2');
    expect(run(escape!, ['--unescape', '0-2']).stdout.trim()).toBe('0/2');
  });

  const analyze = requireTool('systemd-analyze');
  const dir = mkdtempSync(path.join(tmpdir(), 'helios-units-'));
  const files = ['helios.service', 'helios-feeds.service', 'helios-trading@0-2.service'];
  beforeAll(() => {
    // The units name /usr/bin/node and /opt/helios; this checkout and this node stand in for them,
    // so verify also finds ExecStart's and ExecStartPost's executables.
    const localise = (text: string) => text.replaceAll('/usr/bin/node', process.execPath).replaceAll('/opt/helios', ROOT);
    writeFileSync(path.join(dir, files[0]!), localise(unit('helios.service')));
    writeFileSync(path.join(dir, files[1]!), localise(unit('helios-feeds.service')));
    writeFileSync(path.join(dir, files[2]!), localise(unit('helios-trading@.service')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.skipIf(!analyze)('systemd-analyze verify passes every unit without a warning', () => {
    const r = run(analyze!, ['verify', '--man=no', ...files.map((f) => `./${f}`)], dir);
    // verify exits 0 on an unknown key or a bad value too: they are warnings on stderr.
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it.skipIf(!analyze)('systemd-analyze security --offline: overall exposure at most 2.0 of 10 for every unit', () => {
    for (const f of files) {
      const r = run(analyze!, ['security', '--offline=true', '--threshold=20', `./${f}`], dir);
      const exposure = /Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout)?.[1];
      console.info(`deploy: ${f} exposure ${exposure}`);
      expect(Number(exposure), f).toBeLessThanOrEqual(2);
      expect(r.code, f).toBe(0);
    }
  });

  it.skipIf(!analyze)('systemd-analyze verify does catch a broken unit (the check above can fail)', () => {
    writeFileSync(path.join(dir, 'broken.service'), '[Service]\nExecStart=/bin/true\nProtectSystem=bogus\n');
    expect(run(analyze!, ['verify', '--man=no', './broken.service'], dir).stderr).toContain('bogus');
  });
});
