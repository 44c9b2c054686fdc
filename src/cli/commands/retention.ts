import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { isDateString } from '../../adapters/storage/layout.ts';
import { applyRetention, type RetentionResult } from '../../adapters/storage/retention.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { storageContext } from '../storage-context.ts';
import { SAMPLE_MARKER } from './sample-data.ts';

export function register(program: Command, io: CliIo): void {
  program
    .command('retention')
    .description('apply the retention policy (storage.retention): old NDJSON days and dispatch logs, old Parquet months; window data kept longer')
    .option('--dry-run', 'only print what would be deleted')
    .option('--data-dir <dir>', 'data directory (default: app.data_dir)')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--today <YYYY-MM-DD>', 'reference date (default: today, UTC)')
    .option('--discard-malformed', 'also delete expired journal dates whose malformed lines compaction left out of the lake (those lines are lost)')
    .option('--json', 'print the plan as JSON')
    .action(async (opts: { dryRun?: boolean; dataDir?: string; config?: string; today?: string; discardMalformed?: boolean; json?: boolean }) => {
      const ctx = storageContext(opts, io, 'retention');
      if (!ctx) return;
      const today = opts.today ?? new Date().toISOString().slice(0, 10);
      if (!isDateString(today)) {
        io.err(`retention: --today expects YYYY-MM-DD, got ${today}\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      // Sample data is dated on a fixed past day so that its replays stay reproducible; by the
      // policy's measure it is always expired, and deleting it would break the README's examples.
      if (existsSync(path.join(ctx.dataDir, SAMPLE_MARKER))) {
        const msg = `${ctx.dataDir} is sample data (${SAMPLE_MARKER}): exempt from retention, nothing ${opts.dryRun ? 'would be ' : ''}deleted`;
        io.out(opts.json ? retentionJson(ctx.dataDir, today, opts.dryRun === true, null) : `retention: ${msg}\n`);
        io.exit(EXIT.OK);
        return;
      }
      try {
        const r = await applyRetention({ dataDir: ctx.dataDir, policy: ctx.config.storage.retention, today, dryRun: opts.dryRun === true, discardMalformed: opts.discardMalformed === true });
        if (opts.json) {
          io.out(retentionJson(ctx.dataDir, today, r.dry_run, r));
        } else {
          const verb = r.dry_run ? 'would delete' : 'deleted';
          const p = r.plan;
          io.out(`retention (today ${today}): expired are journal dates up to ${p.journal_cutoff}, Parquet dates before ${p.parquet_cutoff}, window channels before ${p.windows_cutoff}\n`);
          for (const d of p.delete_journal) {
            const discarded = p.discard_malformed.find((x) => x.date === d);
            io.out(`  ${verb} journal date=${d}${discarded ? `, discarding ${malformedText(discarded.files)} (--discard-malformed)` : ''}\n`);
          }
          for (const d of p.keep_uncompacted) io.out(`  kept journal date=${d}: expired but not fully compacted (run helios compact)\n`);
          for (const x of p.keep_malformed) {
            io.out(
              `  kept journal date=${x.date}: compaction left ${malformedText(x.files)} out of the lake; ` +
                `fix or remove them and run helios compact --date ${x.date}, or pass --discard-malformed to delete them with the date\n`,
            );
          }
          for (const x of p.delete_parquet) io.out(`  ${verb} parquet ${[x.partition, `date=${x.date}`, `ch=${x.channel}`].filter(Boolean).join('/')}\n`);
          for (const x of p.delete_dispatch) io.out(`  ${verb} dispatch log ${path.basename(x.file)} (last input ${x.date})\n`);
          if (!p.delete_journal.length && !p.delete_parquet.length && !p.delete_dispatch.length) io.out('  nothing to delete\n');
        }
        io.exit(EXIT.OK);
      } catch (err) {
        io.err(`retention: ${(err as Error).message}\n`);
        io.exit(EXIT.RUNTIME_ERROR);
      }
    });
}

/**
 * `--json`: the same keys whether it ran, was a dry run (`dry_run`; `removed` then lists what would
 * be) or left an exempt directory alone (`exempt`, `reason`, `plan` null). Every decision is in
 * `plan`, each dated entry's date under `date`. The top-level `delete_dispatch` (entries `file`,
 * `last_date`) is what --json printed before `plan.delete_dispatch`: kept for scripts that read it.
 */
function retentionJson(dataDir: string, today: string, dryRun: boolean, r: RetentionResult | null): string {
  const doc = {
    data_dir: dataDir,
    today,
    dry_run: dryRun,
    exempt: r === null,
    reason: r === null ? 'sample_data' : null,
    plan: r?.plan ?? null,
    delete_dispatch: (r?.plan.delete_dispatch ?? []).map((d) => ({ file: d.file, last_date: d.date })),
    removed: r?.removed ?? [],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** "2 malformed lines (FILE: lines 3, 9; FILE2: line 1)". */
function malformedText(files: ReadonlyArray<{ file: string; lines: number; line_numbers: number[] }>): string {
  const total = files.reduce((n, f) => n + f.lines, 0);
  const where = files.map((f) => {
    const shown = f.line_numbers.length ? `: line${f.line_numbers.length === 1 ? '' : 's'} ${f.line_numbers.join(', ')}${f.lines > f.line_numbers.length ? ', …' : ''}` : '';
    return `${f.file}${shown}`;
  });
  return `${total} malformed line${total === 1 ? '' : 's'} (${where.join('; ')})`;
}
