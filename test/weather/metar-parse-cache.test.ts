import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readMetarFile } from '../../src/adapters/weather/archive.ts';
import { cachedParse, parsingModules, type ParseCacheOptions } from '../../src/adapters/weather/parse-cache.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { exactDigest } from '../support/exact-digest.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/weather/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const UNCACHED: ParseCacheOptions = { dir: null, minInputChars: 0, maxEntries: 16 };

const dirs: string[] = [];
function freshCache(): ParseCacheOptions {
  const dir = mkdtempSync(path.join(tmpdir(), 'helios-parse-cache-test-'));
  dirs.push(dir);
  return { dir, minInputChars: 0, maxEntries: 16 };
}
const entries = (o: ParseCacheOptions) => readdirSync(o.dir!).sort();

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('synthetic archives: which reports are accepted does not depend on the parse cache', () => {
  it('IEM CSV: accepts and rejects the same lines with the same values, cold and warm', () => {
    const file = path.join(FIXTURES, 'synthetic-iem.csv');
    const direct = readMetarFile(file, { cache: UNCACHED });
    expect(direct.reports.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 14, 17, 18]);
    expect(direct.errors.map((e) => [e.line, e.error])).toEqual([
      [9, 'no station and DDHHMMZ time group'],
      // metar-taf-parser throws on the body: its throw is what rejects these two.
      [10, 'metar-taf-parser: container.visibility not instantiated'],
      [11, 'metar-taf-parser: container.visibility not instantiated'],
      [12, 'no station and DDHHMMZ time group'],
      [13, 'empty report body'],
      [15, 'no METAR text'],
      [16, 'expected 4 columns, got 3'],
    ]);
    // T1000 is -0.0 °C: JSON alone would store it as 0.
    expect(Object.is(direct.reports[1]!.report.tempC, -0)).toBe(true);

    const cache = freshCache();
    const cold = readMetarFile(file, { cache });
    expect(entries(cache)).toHaveLength(1);
    const warm = readMetarFile(file, { cache });
    expect(exactDigest(cold)).toBe(exactDigest(direct));
    expect(exactDigest(warm)).toBe(exactDigest(direct));
    expect(Object.is(warm.reports[1]!.report.tempC, -0)).toBe(true);
  });

  it('raw collective: same reports and rejections cold and warm', () => {
    const file = path.join(FIXTURES, 'synthetic-collective.txt');
    const direct = readMetarFile(file, { date: '2024-03-01', cache: UNCACHED });
    expect(direct.reports.map((r) => [r.line, r.report.station, r.report.reportType])).toEqual([
      [3, 'KZZZ', 'METAR'],
      [5, 'KZZY', 'METAR'],
      [7, 'KZZZ', 'SPECI'],
      [9, 'KZZZ', 'SPECI'],
    ]);
    expect(direct.errors.map((e) => [e.line, e.error])).toEqual([
      [8, 'metar-taf-parser: container.visibility not instantiated'],
      [10, 'no station and DDHHMMZ time group'],
    ]);
    const cache = freshCache();
    expect(exactDigest(readMetarFile(file, { date: '2024-03-01', cache }))).toBe(exactDigest(direct));
    expect(exactDigest(readMetarFile(file, { date: '2024-03-01', cache }))).toBe(exactDigest(direct));
    // The reference date is part of the key: another date is parsed afresh, not served the first answer.
    const other = readMetarFile(file, { date: '2024-04-01', cache });
    expect(other.reports[0]!.report.obsMs).not.toBe(direct.reports[0]!.report.obsMs);
    expect(entries(cache)).toHaveLength(2);
  });

  it('an edited archive under the same name is parsed afresh', () => {
    const cache = freshCache();
    const file = path.join(cache.dir!, 'archive.csv');
    copyFileSync(path.join(FIXTURES, 'synthetic-iem.csv'), file);
    expect(readMetarFile(file, { cache }).reports[0]!.report.windKt).toBe(12);
    writeFileSync(file, readFileSync(file, 'utf8').replace('27012G22KT', '27019G29KT'));
    expect(readMetarFile(file, { cache }).reports[0]!.report.windKt).toBe(19);
  });

  it('a damaged entry is parsed afresh and replaced', () => {
    const cache = freshCache();
    const file = path.join(FIXTURES, 'synthetic-iem.csv');
    const direct = readMetarFile(file, { cache: UNCACHED });
    readMetarFile(file, { cache });
    const [entry] = entries(cache);
    writeFileSync(path.join(cache.dir!, entry!), '{"format":"iem_csv","repo');
    expect(exactDigest(readMetarFile(file, { cache }))).toBe(exactDigest(direct));
    expect(exactDigest(readMetarFile(file, { cache }))).toBe(exactDigest(direct));
  });
});

describe('parse cache', () => {
  it('keeps -0, NaN, infinities and properties holding undefined', () => {
    const cache = freshCache();
    const value = () => ({ z: -0, nan: NaN, inf: [Infinity, -Infinity], gone: undefined, n: null, s: 'x' });
    cachedParse('exact', value, cache);
    let computed = false;
    const warm = cachedParse('exact', () => ((computed = true), value()), cache);
    expect(computed).toBe(false);
    expect(exactDigest(warm)).toBe(exactDigest(value()));
    expect('gone' in warm).toBe(true);
  });

  it('stores nothing for small inputs or when turned off', () => {
    const cache = { ...freshCache(), minInputChars: 10 };
    cachedParse('short', () => 1, cache);
    expect(entries(cache)).toEqual([]);
    let calls = 0;
    cachedParse('long enough input', () => ++calls, { ...cache, dir: null });
    cachedParse('long enough input', () => ++calls, { ...cache, dir: null });
    expect(calls).toBe(2);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = { ...freshCache(), maxEntries: 2 };
    cachedParse('input a', () => 'a', cache);
    cachedParse('input b', () => 'b', cache);
    cachedParse('input c', () => 'c', cache);
    expect(entries(cache)).toHaveLength(2);
    let recomputed = false;
    cachedParse('input a', () => ((recomputed = true), 'a'), cache);
    expect(recomputed).toBe(true);
  });

  /**
   * The default folder has a name anyone can predict in the shared tmp dir: another user who made
   * it first (or made it writable to all, or a link to a folder of theirs) would have this process
   * trade on METARs they wrote. Such a folder is neither read nor written.
   */
  it.each([
    ['writable by others', (dir: string) => (mkdirSync(dir), chmodSync(dir, 0o777))],
    ['a symbolic link', (dir: string) => symlinkSync(freshCache().dir!, dir)],
    ...(process.getuid?.() === 0 ? [['owned by another user', (dir: string) => (mkdirSync(dir, { mode: 0o700 }), chownSync(dir, 65534, 65534))] as const] : []),
  ] as const)('a cache folder %s is not trusted: its entries are not served and nothing is stored there', (_case, make) => {
    const parent = freshCache().dir!;
    const cache = { dir: path.join(parent, 'cache'), minInputChars: 0, maxEntries: 16 };
    const input = 'an archive someone else wrote an answer for';
    // Find the entry's name the way anyone could: store an answer once in a folder of our own.
    const probe = freshCache();
    cachedParse(input, () => 'parsed', probe);
    const [entry] = entries(probe);
    make(cache.dir);
    writeFileSync(path.join(cache.dir, entry!), JSON.stringify('planted'));
    expect(cachedParse(input, () => 'parsed', cache)).toBe('parsed');
    expect(cachedParse('another input', () => 'other', cache)).toBe('other');
    expect(readdirSync(cache.dir)).toEqual([entry]);
  });

  it('its fingerprint covers every module the parse runs through', () => {
    const names = parsingModules().map((f) => path.relative(path.join(REPO, 'src'), f));
    expect(names).toEqual(expect.arrayContaining(['adapters/weather/metar-file.ts', 'adapters/weather/metar-parser.ts', 'domain/weather/metar-report.ts', 'domain/weather/remark-groups.ts', 'domain/time/civil.ts']));
  });

  it('processes filling the same entry at once all get the same whole answer', async () => {
    const cache = freshCache();
    const script = `import { readMetarFile } from './src/adapters/weather/archive.ts';
import { createHash } from 'node:crypto';
const r = readMetarFile(${JSON.stringify(path.join(FIXTURES, 'synthetic-iem.csv'))}, { cache: ${JSON.stringify(cache)} });
process.stdout.write(createHash('sha256').update(JSON.stringify(r)).digest('hex'));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
      });
    const answers = await Promise.all([run(), run(), run()]);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/^[0-9a-f]{64}$/);
    // Exactly the entry; no temp file left behind by a writer that lost the race.
    expect(entries(cache)).toHaveLength(1);
    expect(entries(cache)[0]).toMatch(/^[0-9a-f]{64}\.json$/);
  });
});

describe.skipIf(!requireSharedFixtures('weather/iem_asos_KJFK_2019-11_2020-09.csv'))('parse cache on the KJFK archive (../shared/fixtures)', () => {
  it('serves the archive bit for bit as parsing it does', () => {
    const file = sharedFixture('weather', 'iem_asos_KJFK_2019-11_2020-09.csv');
    const cache = freshCache();
    const cold = readMetarFile(file, { station: 'KJFK', cache });
    const warm = readMetarFile(file, { station: 'KJFK', cache });
    expect(exactDigest(warm)).toBe(exactDigest(cold));
    expect(exactDigest(warm)).toBe('43d22ebd492a9677a532d8dfa25624dc66fd9d2e6dc8c5816c98cc9f7619028b');
  });
});
