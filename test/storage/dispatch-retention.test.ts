/**
 * `helios retention` ages the trading sessions' dispatch logs (`DATA_DIR/dispatch/session-N.ndjson`)
 * by the journal's rule: a session whose last input falls on an expired journal date goes, the
 * rest stays; `--dry-run` lists them and deletes nothing.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { dispatchDir, dispatchFile, DispatchLogWriter } from '../../src/adapters/storage/dispatch-log.ts';
import { EventFactory } from '../../src/domain/events/factory.ts';
import { ulidGenerator } from '../../src/domain/events/ids.ts';
import { seededRng } from '../../src/domain/util/random.ts';
import { SAMPLE_MARKER } from '../../src/cli/commands/sample-data.ts';
import { runCli } from '../support/cli.ts';
import { tempDataDir } from './support/recorder.ts';

// storage.retention.ndjson_days is 14 by default: with this today, 2026-01-15 and earlier are expired.
const TODAY = '2026-01-29';

let dir: string;
let cleanup: () => void;

/** A session log: its header at `startIso`, then a HEALTH event at each of `eventsIso`, then a tick at `tickIso`. */
async function session(n: number, startIso: string, eventsIso: string[], tickIso: string | null, tail: { torn?: boolean; bigLastEvent?: boolean } = {}): Promise<string> {
  const file = dispatchFile(dir, n);
  const clock = new VirtualClock(Date.parse(startIso));
  const f = new EventFactory(clock, ulidGenerator(seededRng(n)));
  const w = new DispatchLogWriter(file, { kind: 'dispatch_header', version: 1, session: n, start_ms: clock.now(), ids_seed: n, seq_base: 0, markets: [] });
  let seq = 0;
  for (const [i, iso] of eventsIso.entries()) {
    clock.advanceTo(Date.parse(iso));
    // A last line longer than one read from the end of the file (a backlog over many topics).
    const backlog = tail.bigLastEvent && i === eventsIso.length - 1 ? Object.fromEntries(Array.from({ length: 8000 }, (_, k) => [`l2:0x${k.toString(16).padStart(12, '0')}`, k])) : {};
    const health = { ready: true, staleness_ms: {}, stage_latency_ms: {}, event_loop_lag_ms: 1, bus_backlog: backlog, reconnects: 0, resyncs: 0 };
    w.write({ seq: ++seq, event: f.make('HEALTH', health) });
  }
  if (tickIso !== null) w.write({ seq: ++seq, tick: Date.parse(tickIso) });
  await w.close();
  // A writer killed mid-line leaves a torn last line: the complete input before it dates the log.
  if (tail.torn) appendFileSync(file, `{"seq":${seq + 1},"event":{"type":"HEA`);
  return path.basename(file);
}

/** `helios retention --json`. */
interface RetentionJson {
  data_dir: string;
  today: string;
  dry_run: boolean;
  exempt: boolean;
  reason: string | null;
  plan: { delete_dispatch: Array<{ file: string; date: string }> } & Record<string, unknown> | null;
  delete_dispatch: Array<{ file: string; last_date: string }>;
  removed: string[];
}

let names: { straddles: string; recent: string; torn: string; headerOnly: string; longEvent: string };

beforeAll(async () => {
  ({ dir, cleanup } = tempDataDir('helios-dispatch-retention-'));
  names = {
    // Starts on the 14th, last input just after midnight on the 15th (expired, the cutoff day itself).
    straddles: await session(1, '2026-01-14T23:00:00Z', ['2026-01-14T23:30:00Z'], '2026-01-15T00:00:10Z'),
    // Starts on an expired day, but its last input is on the 16th: kept (its age is its last input's).
    recent: await session(2, '2026-01-15T23:00:00Z', ['2026-01-15T23:10:00Z', '2026-01-16T01:00:00Z'], null),
    torn: await session(3, '2026-01-10T12:00:00Z', ['2026-01-10T12:05:00Z'], null, { torn: true }),
    headerOnly: await session(4, '2026-01-02T08:00:00Z', [], null),
    // Expired but for its last input, whose line is larger than one read from the end of the file.
    longEvent: await session(5, '2026-01-02T08:00:00Z', ['2026-01-02T08:00:01Z', '2026-01-28T08:00:00Z'], null, { bigLastEvent: true }),
  };
}, 30_000);
afterAll(() => cleanup());

describe('helios retention and dispatch logs', () => {
  it('--dry-run lists the expired sessions by their last input and deletes nothing', async () => {
    const r = await runCli(['retention', '--dry-run', '--data-dir', dir, '--today', TODAY]);
    expect(r.code).toBe(0);
    const listed = r.out.split('\n').filter((l) => l.includes('dispatch log'));
    expect(listed).toEqual([
      `  would delete dispatch log ${names.straddles} (last input 2026-01-15)`,
      `  would delete dispatch log ${names.torn} (last input 2026-01-10)`,
      `  would delete dispatch log ${names.headerOnly} (last input 2026-01-02)`,
    ]);
    expect(readdirSync(dispatchDir(dir))).toHaveLength(5);

    const j = await runCli(['retention', '--dry-run', '--json', '--data-dir', dir, '--today', TODAY]);
    const doc = JSON.parse(j.out) as RetentionJson;
    expect(doc.plan!.delete_dispatch.map((d) => [path.basename(d.file), d.date])).toEqual([
      [names.straddles, '2026-01-15'],
      [names.torn, '2026-01-10'],
      [names.headerOnly, '2026-01-02'],
    ]);
    expect(doc.removed).toEqual(doc.plan!.delete_dispatch.map((d) => d.file));
    // What --json printed before plan.delete_dispatch, kept for scripts that read it.
    expect(doc.delete_dispatch).toEqual(doc.plan!.delete_dispatch.map((d) => ({ file: d.file, last_date: d.date })));
  });

  it('deletes the expired sessions and keeps the others', async () => {
    const r = await runCli(['retention', '--data-dir', dir, '--today', TODAY]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`  deleted dispatch log ${names.straddles} (last input 2026-01-15)`);
    expect(readdirSync(dispatchDir(dir)).sort()).toEqual([names.recent, names.longEvent].sort());
    expect(existsSync(dispatchFile(dir, 2))).toBe(true);
    const again = await runCli(['retention', '--dry-run', '--data-dir', dir, '--today', TODAY]);
    expect(again.out).toContain('nothing to delete');
  });
  it('--json has one set of keys for a dry run, a run and an exempt sample directory; every dated entry says date', async () => {
    const expired = await session(6, '2026-01-03T08:00:00Z', ['2026-01-03T08:00:01Z'], null);
    const dry = JSON.parse((await runCli(['retention', '--dry-run', '--json', '--data-dir', dir, '--today', TODAY])).out) as RetentionJson;
    const sample = path.join(dir, 'sample-copy');
    mkdirSync(sample);
    writeFileSync(path.join(sample, SAMPLE_MARKER), '{}');
    const exempt = JSON.parse((await runCli(['retention', '--json', '--data-dir', sample, '--today', TODAY])).out) as RetentionJson;
    const applied = JSON.parse((await runCli(['retention', '--json', '--data-dir', dir, '--today', TODAY])).out) as RetentionJson;
    const keys = ['data_dir', 'today', 'dry_run', 'exempt', 'reason', 'plan', 'delete_dispatch', 'removed'];
    for (const doc of [dry, exempt, applied]) expect(Object.keys(doc)).toEqual(keys);
    expect(dry).toMatchObject({ data_dir: dir, today: TODAY, dry_run: true, exempt: false, reason: null });
    expect(exempt).toMatchObject({ data_dir: sample, dry_run: false, exempt: true, reason: 'sample_data', plan: null, delete_dispatch: [], removed: [] });
    expect(applied).toMatchObject({ dry_run: false, exempt: false, plan: dry.plan, removed: dry.removed });
    expect(applied.plan!.delete_dispatch.map((d) => [path.basename(d.file), d.date])).toEqual([[expired, '2026-01-03']]);
    expect(Object.keys(applied.plan!)).toEqual(['journal_cutoff', 'parquet_cutoff', 'windows_cutoff', 'delete_journal', 'keep_uncompacted', 'keep_malformed', 'discard_malformed', 'delete_parquet', 'delete_dispatch']);
  });
});
