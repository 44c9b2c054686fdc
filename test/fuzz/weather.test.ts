import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { referenceDateMs } from '../../src/adapters/weather/archive.ts';
import { AwcMetarClient } from '../../src/adapters/weather/awc-client.ts';
import { HttpError, type FetchLike } from '../../src/adapters/http/request-json.ts';
import { readMetarText } from '../../src/adapters/weather/metar-file.ts';
import { parseMetarText } from '../../src/adapters/weather/metar-parser.ts';
import { parseWuCurrent } from '../../src/adapters/weather/wu-pws-client.ts';
import type { MetarReport } from '../../src/domain/weather/metar-report.ts';
import { deepFreeze, jsonText, mutatedLine, mutatedText, mutatedValue, NASTY_STRINGS, randomJsonValue, randomText } from './support/mutate.ts';
import { fuzzFixture, fuzzFixtureText, fuzzParams, fuzzTimeoutMs, FUZZ_RUNS } from './support/runs.ts';

const METAR_LINES = fuzzFixtureText('metar-lines.txt').split('\n').filter((l) => l.trim() !== '');
const IEM_HEADER = 'station,valid,tmpf,dwpf,metar';
const IEM_ROWS = METAR_LINES.map((l, i) => `XYZ,2025-07-20 ${String(10 + (i % 12)).padStart(2, '0')}:51,95.00,70.00,${l.replace(/^(METAR|SPECI) /, '')}`);
const ANSWERS = fuzzFixture<{ pws: unknown[]; awc: unknown[] }>('weather-answers.json');
const PWS_KEYS = ['observations', 'stationID', 'obsTimeUtc', 'epoch', 'qcStatus', 'imperial', 'temp'];
const AWC_KEYS = ['icaoId', 'obsTime', 'rawOb', 'metarType'];
const REF_MS = Date.UTC(2025, 6, 20, 18, 0);

const line: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: mutatedLine(METAR_LINES) }, { weight: 1, arbitrary: randomText }, { weight: 1, arbitrary: fc.constantFrom(...METAR_LINES) });

function expectSaneReport(r: MetarReport): void {
  expect(r.station).toMatch(/^[A-Z][A-Z0-9]{3}$/);
  expect(Number.isFinite(r.obsMs)).toBe(true);
  for (const v of [r.tempC, r.dewpointC, r.tempFJudge, r.windKt, r.gustKt, r.visibilitySm, r.altimeterHpa, r.skyCover]) {
    expect(v === null || Number.isFinite(v), `${v} in ${r.raw}`).toBe(true);
  }
}

describe(`METAR lines (${FUZZ_RUNS} cases)`, () => {
  it('parseMetarText returns a report or an error, never throws, same answer twice', () => {
    fc.assert(
      fc.property(line, fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), (text, refMs) => {
        const r = parseMetarText(text, { refMs });
        if (!r.ok) expect(typeof r.error).toBe('string');
        else expectSaneReport(r.report);
        expect(parseMetarText(text, { refMs })).toEqual(r);
      }),
      fuzzParams('metar-line'),
    );
  }, fuzzTimeoutMs(40_000));
});

describe(`METAR files: IEM CSV rows and raw text (${FUZZ_RUNS} cases)`, () => {
  const csvFile = fc
    .tuple(fc.constantFrom(IEM_HEADER, IEM_HEADER.toUpperCase(), 'station,valid,metar'), fc.array(fc.oneof(mutatedLine(IEM_ROWS), fc.constantFrom(...IEM_ROWS), randomText), { maxLength: 6 }))
    .map(([h, rows]) => [h, ...rows].join('\n'));
  const rawFile = fc
    .tuple(fc.array(fc.oneof(line, fc.constantFrom('2025/07/20 16:55', 'SAUS70 KXYZ 201700', 'METAR', 'SPECI', '   continued=', '#comment', '', '\u0001\u0003')), { maxLength: 6 }), fc.constantFrom('\n', '\r\n'))
    .map(([ls, eol]) => ls.join(eol));
  const file = fc.oneof(csvFile, rawFile, mutatedLine([[IEM_HEADER, ...IEM_ROWS.slice(0, 3)].join('\n')]));

  it('readMetarText reports every problem by line and never throws', () => {
    fc.assert(
      fc.property(file, fc.option(fc.constantFrom('KXYZ', 'XYZ', 'xyz', 'EGLL', ''), { nil: undefined }), fc.option(fc.constant(REF_MS), { nil: undefined }), (text, station, refMs) => {
        const lines = text.split(/\r?\n/).length;
        const r = readMetarText(text, { station, refMs });
        expect(['iem_csv', 'raw']).toContain(r.format);
        for (const e of r.errors) {
          expect(e.line >= 1 && e.line <= lines, `line ${e.line} of ${lines}`).toBe(true);
          expect(typeof e.error).toBe('string');
        }
        for (const rep of r.reports) {
          expect(rep.line >= 1 && rep.line <= lines).toBe(true);
          expectSaneReport(rep.report);
        }
        expect(readMetarText(text, { station, refMs })).toEqual(r);
      }),
      fuzzParams('metar-file'),
    );
  }, fuzzTimeoutMs(40_000));

  it('referenceDateMs accepts a YYYY-MM-DD or refuses it by name', () => {
    const date = fc.oneof(fc.constantFrom('2025-07-20', '2024-02-29', '2025-02-29', '', '2025-7-20', '20250720'), mutatedLine(['2025-07-20']), fc.constantFrom(...NASTY_STRINGS));
    const name = fc.oneof(fc.constantFrom('KXYZ_2021-02-28.metar.txt', 'no-date.txt'), mutatedLine(['KXYZ_2021-02-28.metar.txt'])).filter((n) => !n.includes('\0')); // no file name holds NUL
    fc.assert(
      fc.property(name, fc.option(date, { nil: undefined }), (file, d) => {
        try {
          expect(Number.isFinite(referenceDateMs(path.join('/nonexistent-helios-fuzz', file), d))).toBe(true);
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          expect(e.code === 'ENOENT' || /^--date .*: expected YYYY-MM-DD$/s.test(e.message), e.message).toBe(true);
        }
      }),
      fuzzParams('archive-reference-date'),
    );
  }, fuzzTimeoutMs(20_000));
});

describe(`Weather Underground PWS answers (${FUZZ_RUNS} cases)`, () => {
  it('parseWuCurrent returns an observation or null, never throws, never writes to its input', () => {
    const body = fc.oneof(
      { weight: 1, arbitrary: randomJsonValue },
      { weight: 3, arbitrary: mutatedValue(ANSWERS.pws, PWS_KEYS, false) },
      { weight: 1, arbitrary: mutatedText(ANSWERS.pws, PWS_KEYS).map((t) => parseOrUndefined(t)) },
    );
    fc.assert(
      fc.property(body, (b) => {
        const obs = parseWuCurrent(deepFreeze(b), 'KNYFALLBACK');
        if (obs === null) return;
        expect(typeof obs.pwsId).toBe('string');
        expect(Number.isFinite(obs.obsMs)).toBe(true);
        expect(obs.tempF === null || Number.isFinite(obs.tempF), String(obs.tempF)).toBe(true);
        expect(obs.qcStatus === null || Number.isFinite(obs.qcStatus)).toBe(true);
        expect(parseWuCurrent(b, 'KNYFALLBACK')).toEqual(obs);
      }),
      fuzzParams('wu-pws'),
    );
  }, fuzzTimeoutMs(20_000));
});

describe(`aviationweather.gov METAR answers (${FUZZ_RUNS} cases)`, () => {
  it('AwcMetarClient.recent returns reports or fails with a reported error, never a TypeError', async () => {
    const clock = new VirtualClock(REF_MS);
    const body = fc.oneof(
      { weight: 1, arbitrary: randomText },
      { weight: 3, arbitrary: mutatedValue(ANSWERS.awc, AWC_KEYS).map(jsonText) },
      { weight: 1, arbitrary: mutatedText(ANSWERS.awc, AWC_KEYS) },
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(200, 200, 200, 204, 404, 500), async (text, status) => {
        const fetch: FetchLike = async () => ({ ok: status < 300, status, headers: { get: () => null }, text: async () => text });
        const client = new AwcMetarClient({ baseUrl: 'http://127.0.0.1:9', fetch, clock, cacheTtlMs: 0, minRequestIntervalMs: 0, timeoutMs: 1_000 });
        try {
          const reports = await client.recent(['KXYZ'], 2);
          for (const r of reports) {
            expect(typeof r.station).toBe('string');
            expect(typeof r.raw === 'string' && r.raw.length > 0).toBe(true);
            expect(Number.isFinite(r.obsMs)).toBe(true);
          }
        } catch (err) {
          const typed = err instanceof HttpError || /^AWC: /.test((err as Error).message);
          expect(typed, String(err)).toBe(true);
        }
      }),
      fuzzParams('awc-answer'),
    );
  }, fuzzTimeoutMs(20_000));
});

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
