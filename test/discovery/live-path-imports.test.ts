import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Live mode is not simulation: the discovered universe's types live outside src/sim, and the code
 * that builds it (discovery's runtime and daemon component) imports nothing from a simulator.
 */
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const importsOf = (file: string) => [...readFileSync(path.join(SRC, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => path.normalize(path.join(path.dirname(file), m[1]!)));

describe('the live universe owes nothing to the simulators', () => {
  it('discovery (runtime and daemon component) imports no module of src/sim', () => {
    const files = [...readdirSync(path.join(SRC, 'runtime/discovery')).map((f) => `runtime/discovery/${f}`), 'apps/daemon/components/discovery.ts'];
    for (const f of files) expect(importsOf(f).filter((i) => i.startsWith('sim/')), f).toEqual([]);
  });

  it('the universe market type is the domain\'s, and the simulator only extends it with its venue record', () => {
    expect(readFileSync(path.join(SRC, 'domain/trading/universe.ts'), 'utf8')).toMatch(/export interface UniverseMarket \{/);
    const sim = readFileSync(path.join(SRC, 'sim/sim-universe.ts'), 'utf8');
    expect(sim).not.toMatch(/export interface UniverseMarket \{/);
    expect(sim).toMatch(/interface SimUniverseMarket extends UniverseMarket/);
  });
});
