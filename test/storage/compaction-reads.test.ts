import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as reader from '../../src/adapters/storage/journal/reader.ts';
import { compactJournal } from '../../src/adapters/storage/parquet/compactor.ts';
import { readManifest } from '../../src/adapters/storage/parquet/manifest.ts';
import { queryLake } from '../../src/adapters/storage/parquet/query.ts';
import { journalFile } from '../../src/adapters/storage/layout.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { syntheticEvents, T0 } from './support/synthetic.ts';

// Counts the calls of the line counter while keeping it real: it reads a whole file in node.
vi.mock('../../src/adapters/storage/journal/reader.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/adapters/storage/journal/reader.ts')>();
  return { ...actual, scanJournalLines: vi.fn(actual.scanJournalLines) };
});

const DUCK = { threads: 1, memory_limit: '512MB' };
const DATE = '2026-01-29';
const TAPE = () => journalFile(dir, DATE, 'tape', '17');

let dir: string;
let cleanup: () => void;
let lines = 0;
let tapeOriginal = '';

beforeAll(async () => {
  ({ dir, cleanup } = tempDataDir('helios-compact-reads-'));
  const { recorder } = makeRecorder(dir);
  for (const e of syntheticEvents({ start: T0, durationMs: 20_000, metarAtMs: [5_000], deltaEveryMs: 1000 })) recorder.emit(e);
  await recorder.close();
  lines = recorder.stats().written;
  tapeOriginal = readFileSync(TAPE(), 'utf8');
});
afterAll(() => cleanup());
beforeEach(() => {
  writeFileSync(TAPE(), tapeOriginal);
  vi.mocked(reader.scanJournalLines).mockClear();
});

async function compact() {
  const issues: string[] = [];
  const report = await compactJournal({ dataDir: dir, now: T0 + 86_400_000, duckdb: DUCK, force: true, onIssue: (i) => issues.push(`${i.kind}:${i.line}`) });
  const rows = (await queryLake(dir, 'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events', DUCK)).rows[0];
  return { report, issues, rows, manifest: (await readManifest(dir, DATE)).hours['17']! };
}

describe('compaction reads each journal file once, in DuckDB, unless a line is unreadable', () => {
  it('an hour of whole lines: every row in the lake, no file read through in node', async () => {
    const { report, issues, rows, manifest } = await compact();
    expect(report).toMatchObject({ hours_compacted: 1, rows: lines, torn_tails: 0, malformed_lines: 0 });
    expect(issues).toEqual([]);
    expect(rows).toEqual({ n: lines, ids: lines });
    expect(manifest.malformed).toEqual({});
    expect(reader.scanJournalLines).not.toHaveBeenCalled();
  });

  it('a last record without its newline is a row like the others', async () => {
    writeFileSync(TAPE(), tapeOriginal.replace(/\n$/, ''));
    const { report, issues, rows } = await compact();
    expect(report).toMatchObject({ rows: lines, torn_tails: 0, malformed_lines: 0 });
    expect(issues).toEqual([]);
    expect(rows).toEqual({ n: lines, ids: lines });
  });

  it('a line that is JSON but no record, and one that is not JSON: each reported by its line number, the rest compacted', async () => {
    const tape = tapeOriginal.split('\n');
    writeFileSync(TAPE(), [tape[0], '{"schema_version":1}', ...tape.slice(1, 3), 'not json', ...tape.slice(3)].join('\n'));
    const { report, issues, rows, manifest } = await compact();
    expect(report).toMatchObject({ rows: lines, torn_tails: 0, malformed_lines: 2 });
    expect(issues).toEqual(['malformed:2', 'malformed:5']);
    expect(rows).toEqual({ n: lines, ids: lines });
    expect(manifest.malformed).toEqual({ tape: { count: 2, lines: [2, 5] } });
  });

  it('a torn last line: reported with its line number, everything before it compacted', async () => {
    writeFileSync(TAPE(), tapeOriginal + '{"schema_version":1,"event_id":"01KG5');
    const { report, issues, rows } = await compact();
    expect(report).toMatchObject({ rows: lines, torn_tails: 1, malformed_lines: 0 });
    expect(issues).toEqual([`torn_tail:${tapeOriginal.split('\n').length}`]);
    expect(rows).toEqual({ n: lines, ids: lines });
  });
});

describe('readJournalTail: the bytes after the last newline, read from the end', () => {
  const tailOf = async (name: string, text: string) => {
    const file = `${dir}/${name}`;
    writeFileSync(file, text);
    return reader.readJournalTail(file);
  };
  const record = () => tapeOriginal.split('\n')[0]!;

  it('agrees with a full scan whatever the tail, a tail longer than one read from the end included', async () => {
    const long = '{"x":"' + 'y'.repeat(200_000);
    const cases: Array<[string, string, reader.JournalTail['tail']]> = [
      ['empty', '', 'none'],
      ['whole', `${record()}\n${record()}\n`, 'none'],
      ['complete', `${record()}\n${record()}`, 'complete'],
      ['torn', `${record()}\n{"schema_version":1,"ev`, 'torn'],
      ['long-torn', `${record()}\n${long}`, 'torn'],
      ['no-newline-at-all', long, 'torn'],
    ];
    for (const [name, text, tail] of cases) {
      const t = await tailOf(name, text);
      const scan = await reader.scanJournalLines(`${dir}/${name}`);
      expect({ name, ...t }).toEqual({ name, tail, tailBytes: scan.tailBytes, size: Buffer.byteLength(text) });
      expect(scan.tail).toBe(tail);
    }
  });
});
