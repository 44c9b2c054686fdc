import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { journalFile, manifestFile } from '../../src/adapters/storage/layout.ts';
import type { DateManifest } from '../../src/adapters/storage/parquet/manifest.ts';
import { runCli } from '../support/cli.ts';
import { dataDirsRemovedAfterEach } from './support/data-dirs.ts';
import { makeRecorder } from './support/recorder.ts';
import { syntheticEvents } from './support/synthetic.ts';

const newDataDir = dataDirsRemovedAfterEach();
const DATE = '2026-01-01';
const TODAY = ['--today', '2027-01-01'];

/** A journal day whose l2 hour has one complete line that is not a record (line 2). */
async function journalWithMalformedLine(): Promise<{ dir: string; file: string; original: string }> {
  const dir = newDataDir();
  const { recorder } = makeRecorder(dir);
  for (const e of syntheticEvents({ start: Date.parse(`${DATE}T12:00:00Z`), durationMs: 20_000, metarAtMs: [5_000], deltaEveryMs: 1000 })) recorder.emit(e);
  await recorder.close();
  const file = journalFile(dir, DATE, 'l2', '12');
  const original = readFileSync(file, 'utf8');
  const lines = original.split('\n');
  lines[1] = '{"this is": not json';
  writeFileSync(file, lines.join('\n'));
  return { dir, file, original };
}

const retention = (dir: string, ...more: string[]) => runCli(['retention', '--data-dir', dir, ...TODAY, ...more]);

describe('retention keeps journal lines compaction could not read', () => {
  it('keeps the date (text and --json name the file and lines) until the line is fixed and recompacted, or --discard-malformed', async () => {
    const { dir, file, original } = await journalWithMalformedLine();
    const compact = await runCli(['compact', '--data-dir', dir, '--force', '--no-progress']);
    expect(compact.code).toBe(1);
    expect(compact.err).toContain(`malformed line in ${file}:2 skipped`);
    expect(compact.err).toContain('helios retention keeps their journal dates');

    const dry = await retention(dir, '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain(`kept journal date=${DATE}: compaction left 1 malformed line (${file}: line 2) out of the lake`);
    expect(dry.out).not.toContain(`delete journal date=${DATE}`);
    const json = await retention(dir, '--dry-run', '--json');
    expect(JSON.parse(json.out).plan).toMatchObject({ delete_journal: [], keep_malformed: [{ date: DATE, files: [{ file, lines: 1, line_numbers: [2] }] }] });

    // Applied, it deletes nothing of that date.
    expect((await retention(dir)).code).toBe(0);
    expect(existsSync(file)).toBe(true);

    const discard = await retention(dir, '--dry-run', '--discard-malformed');
    expect(discard.out).toContain(`would delete journal date=${DATE}, discarding 1 malformed line (${file}: line 2) (--discard-malformed)`);

    // The operator fixes the line and recompacts: nothing is left out, the date may go.
    writeFileSync(file, original);
    const again = await runCli(['compact', '--data-dir', dir, '--no-progress']);
    expect(again.code, again.err).toBe(0);
    const fixed = await retention(dir, '--dry-run');
    expect(fixed.out).toContain(`would delete journal date=${DATE}\n`);
    expect(fixed.out).not.toContain('malformed');
  }, 60_000);

  it('also for a day compacted before manifests recorded malformed lines (its rows fall short of its lines)', async () => {
    const { dir, file } = await journalWithMalformedLine();
    expect((await runCli(['compact', '--data-dir', dir, '--force', '--no-progress'])).code).toBe(1);
    const manifest = manifestFile(dir, DATE);
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as DateManifest;
    for (const h of Object.values(m.hours)) delete h.malformed;
    writeFileSync(manifest, JSON.stringify(m));

    const dry = await retention(dir, '--dry-run');
    expect(dry.out).toContain(`kept journal date=${DATE}: compaction left 1 malformed line (${file}: line 2) out of the lake`);
  });
});
