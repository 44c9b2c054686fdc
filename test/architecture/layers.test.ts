import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Imports flow one way: domain ← machines ← actors/runtime ← apps ← cli; adapters speak to the
// outside world only; simulators are sources an application chooses. docs/CONVENTIONS.md has the map.
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const MAX_MODULE_LINES = 500;

/** Layers each layer may import besides itself (config types are allowed everywhere). */
const ALLOWED: Record<string, readonly string[]> = {
  domain: ['config'],
  config: ['domain'],
  machines: ['domain', 'config'],
  adapters: ['domain', 'config'],
  actors: ['domain', 'config', 'machines', 'adapters'],
  runtime: ['domain', 'config', 'machines', 'actors', 'adapters'],
  sim: ['domain', 'config', 'machines', 'actors', 'adapters', 'runtime'],
  apps: ['domain', 'config', 'machines', 'actors', 'adapters', 'runtime', 'sim'],
  cli: ['domain', 'config', 'machines', 'actors', 'adapters', 'runtime', 'sim', 'apps'],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(full);
  }
  return out;
}

const IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0] ?? '';
}

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('has a rule for every top-level folder of src', () => {
    const layers = [...new Set(files.map(layerOf))].filter((l) => !l.includes('.'));
    expect(layers.filter((l) => !(l in ALLOWED))).toEqual([]);
  });

  it('imports flow one way between layers', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      const allowed = ALLOWED[from] ?? [];
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const target = path.resolve(path.dirname(file), match[1]!);
        if (!target.startsWith(SRC)) continue;
        const to = layerOf(target);
        if (to !== from && !allowed.includes(to)) {
          violations.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)} (${from} may not import ${to})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it(`keeps every module under ${MAX_MODULE_LINES} lines`, () => {
    const long = files
      .map((f) => ({ f: path.relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.lines > MAX_MODULE_LINES)
      .map((x) => `${x.f}: ${x.lines}`);
    expect(long).toEqual([]);
  });
});
