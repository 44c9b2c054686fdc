import { describe, expect, it } from 'vitest';
import { readMetarFile } from '../../src/adapters/weather/archive.ts';
import { requireSharedFixtures, sharedFixture } from '../support/shared-fixtures.ts';
import { exactDigest } from '../support/exact-digest.ts';

/**
 * Pins, bit for bit, what loading each real weather fixture yields: which reports are accepted,
 * every field of every report, and every rejection with its message. Any speed-up of archive
 * loading (caching, a faster parser) must keep these digests unchanged.
 */
const GOLDEN: Array<[file: string, opts: { date?: string; station?: string }, reports: number, errors: number, digest: string]> = [
  ['iem_asos_KJFK_2019-11_2020-09.csv', {}, 8884, 0, '43d22ebd492a9677a532d8dfa25624dc66fd9d2e6dc8c5816c98cc9f7619028b'],
  ['iem_asos_KJFK_2019-11_2020-09.csv', { station: 'JFK' }, 8884, 0, '43d22ebd492a9677a532d8dfa25624dc66fd9d2e6dc8c5816c98cc9f7619028b'],
  ['KJFK_2019-11-09_ESTday.csv', {}, 24, 0, '06505a967b39772dc4f20d8d26a5ff0bdae060f4bdae5991698e357d4dfa4fb4'],
  ['KJFK_2019-11-09_ESTday.metar.txt', {}, 24, 0, '2421ede5774e4cefa190198de9b664f8ac32549cd9fcfae5bbcf67e3b618421c'],
  ['KJFK_2020-05-23_EDTday.csv', {}, 41, 0, '4304ecbc4a84f1cfb6edfe135ecd6b8de56757831bd65abc965966130cf8a01e'],
  ['KJFK_2020-05-23_EDTday.metar.txt', {}, 41, 0, '17b378964d7b70c9cdd363181570e9b29cf37685577907eb9c55f24195fb2849'],
  ['KJFK_2020-07-20_EDTday.csv', {}, 25, 0, '98c209457a8d1498c73276df268ab4523b466f9e582791f2a3364ddb6c15349c'],
  ['KJFK_2020-07-20_EDTday.metar.txt', {}, 25, 0, 'fe6f375408baaf12a24ea98945ab1b996108b84d432394ecdda859abfc9d3bb5'],
  ['KJFK_2020-07-24_EDTday.csv', {}, 42, 0, '04928bee7433bd854e8c65ca85b465a5b2a4508ded9f733c69d418345b740dfa'],
  ['KJFK_2020-07-24_EDTday.metar.txt', {}, 42, 0, '915838d77c8c30f5286828612ab9792d24c9c5270001beb2e4d3162fbc7a68c7'],
  ['pyiem/METAR_collective.txt', { date: '2013-01-02' }, 11, 3, '14eb38d1f3c25ecbc2c784c810dce0e597b734b6732b6f45228b08e73ee4cca3'],
  ['pyiem/METAR_collective2.txt', { date: '2013-01-02' }, 35, 0, 'dcb9304e7a479e7b1aa41ee0436be5e3e4df6873656b2b7cd73922fca9636858'],
  ['pyiem/METAR_first.txt', { date: '2013-01-02' }, 2, 0, '5d97bae56174e959f80602f1e33edfb985ed16c6f1d5a343cb56a2aab731a4b9'],
];

describe.skipIf(!requireSharedFixtures('weather'))('METAR archive loading is pinned bit for bit (../shared/fixtures/weather)', () => {
  it.each(GOLDEN)('%s %o: %i reports, %i errors, digest %s', (file, opts, reports, errors, digest) => {
    // Parsed directly: the parse cache's own test checks it serves these same digests.
    const read = readMetarFile(sharedFixture('weather', file), { ...opts, cache: { dir: null, minInputChars: 0, maxEntries: 0 } });
    expect([read.reports.length, read.errors.length]).toEqual([reports, errors]);
    expect(exactDigest(read)).toBe(digest);
  });
});
