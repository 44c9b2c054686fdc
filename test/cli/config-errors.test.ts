import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHeliosToEnd } from '../daemon/support/helios-process.ts';

/**
 * A configuration a command cannot load is reported as the command's other usage errors are: one
 * report opening with the command's name (once), naming the file and the key path, exit 2. Run as
 * the operator runs it, a child process of bin/helios.js.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'helios-config-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yaml(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

interface ConfigFault {
  file: string;
  /** What the report must say after `COMMAND: ` (its first line). */
  firstLine: string;
  /** Key paths of every problem, each of which the report must name. */
  keyPaths: string[];
}

const unknownKey = yaml('unknown-key.yaml', 'app:\n  seed: 3\nbogus_key: 1\n');
const badSyntax = yaml('bad-syntax.yaml', 'app: [\n');
const missing = path.join(dir, 'not-there.yaml');
const outOfRange = yaml('out-of-range.yaml', 'app:\n  seed: -5\n');
const twoProblems = yaml('two-problems.yaml', 'app:\n  seed: -5\nbus:\n  kind: carrier-pigeon\n');

const FAULTS = {
  'an unknown key': { file: unknownKey, firstLine: `config error at bogus_key: got 1 (from file ${unknownKey}); expected no such key`, keyPaths: ['bogus_key'] },
  'a YAML syntax error': { file: badSyntax, firstLine: `config error at (root): got ${JSON.stringify(badSyntax)} (from file ${badSyntax}: `, keyPaths: ['(root)'] },
  'a missing file': { file: missing, firstLine: `config error at (root): got ${JSON.stringify(missing)} (from file ${missing} (ENOENT`, keyPaths: ['(root)'] },
  'a value out of range': { file: outOfRange, firstLine: `config error at app.seed: got -5 (from file ${outOfRange}); expected number to be >=0`, keyPaths: ['app.seed'] },
  'two problems': { file: twoProblems, firstLine: `config error at app.seed: got -5 (from file ${twoProblems}); expected number to be >=0`, keyPaths: ['app.seed', 'bus.kind'] },
} satisfies Record<string, ConfigFault>;

type FaultName = keyof typeof FAULTS;

const reports = yaml('reports.ndjson', '');

/** Each command with the name its other errors open with, and two kinds of fault (every kind meets several commands). */
const COMMANDS: Array<{ argv: string[]; name: string; faults: FaultName[] }> = [
  { argv: ['run'], name: 'helios run', faults: ['an unknown key', 'a missing file'] },
  { argv: ['compact', '--data-dir', dir], name: 'compact', faults: ['a YAML syntax error', 'a value out of range'] },
  { argv: ['sim'], name: 'helios sim', faults: ['a value out of range', 'two problems'] },
  { argv: ['config', 'check'], name: 'helios config check', faults: ['a missing file', 'a YAML syntax error'] },
  { argv: ['truth', 'replay', reports], name: 'truth replay', faults: ['an unknown key', 'two problems'] },
  { argv: ['replay', '--data-dir', dir], name: 'replay', faults: ['a missing file', 'a value out of range'] },
  { argv: ['orders', 'list'], name: 'helios orders list', faults: ['a YAML syntax error', 'an unknown key'] },
];

const runHelios = (argv: string[]) => runHeliosToEnd(argv, dir);

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('a configuration error names the command that failed', () => {
  for (const command of COMMANDS) {
    it(`${command.name}: ${command.faults.join(', ')}`, async () => {
      for (const faultName of command.faults) {
        const fault = FAULTS[faultName];
        const r = await runHelios([...command.argv, '--config', fault.file]);
        const what = `${command.argv.join(' ')} with ${faultName}: ${r.stderr}`;
        expect(r.code, what).toBe(2);
        expect(r.stdout, what).toBe('');
        expect(r.stderr.startsWith(`${command.name}: ${fault.firstLine}`), what).toBe(true);
        expect(occurrences(r.stderr, `${command.name}: `), what).toBe(1);
        for (const keyPath of fault.keyPaths) expect(r.stderr, what).toContain(`config error at ${keyPath}: `);
        expect(r.stderr.endsWith('\n'), what).toBe(true);
      }
    }, 120_000);
  }
});
