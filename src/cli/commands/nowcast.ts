import type { Command } from 'commander';
import { loadStationArchive } from '../../adapters/weather/archive.ts';
import { readNowcastModel, writeNowcastModel } from '../../adapters/weather/model-store.ts';
import type { JudgeDayMode } from '../../domain/weather/judge-calendar.ts';
import type { MetarReport } from '../../domain/weather/metar-report.ts';
import { buildCases, type CaseOptions } from '../../domain/weather/nowcast/cases.ts';
import { evaluateNowcast } from '../../domain/weather/nowcast/evaluate.ts';
import { fitNowcastModel } from '../../domain/weather/nowcast/fit.ts';
import type { NowcastModel } from '../../domain/weather/nowcast/model.ts';
import { NowcastPredictor } from '../../domain/weather/nowcast/predict.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

interface ArchiveOpts {
  archive: string;
  station: string;
  tz: string;
  from?: string;
  to?: string;
  judgeDay?: string;
  date?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

function months(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const out = list.split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of out) if (!MONTH.test(m)) throw new UsageError(`month ${m}: expected YYYY-MM`);
  return out;
}

class UsageError extends Error {}

function scope(opts: ArchiveOpts): CaseOptions {
  for (const d of [opts.from, opts.to]) if (d !== undefined && !DATE.test(d)) throw new UsageError(`date ${d}: expected YYYY-MM-DD`);
  return { fromDay: opts.from, toDay: opts.to };
}

function judgeDay(opts: ArchiveOpts): JudgeDayMode {
  const mode = opts.judgeDay ?? 'local';
  if (mode !== 'local' && mode !== 'standard') throw new UsageError(`--judge-day ${mode}: expected local or standard`);
  return mode;
}

/** `helios nowcast fit|eval`: fit the remaining-rise model from an archive and score it on held-back days. */
export function register(program: Command, io: CliIo): void {
  const nowcast = program.command('nowcast').description('fit and evaluate the daily-maximum nowcast from a METAR archive');

  nowcast
    .command('fit')
    .description('fit the model of (final judge max − max so far) from history and write it as JSON')
    .requiredOption('--archive <file>', 'IEM ASOS CSV or raw METAR text')
    .requiredOption('--station <id>', 'station (ICAO)')
    .requiredOption('--tz <zone>', 'IANA zone of the judge clock')
    .requiredOption('--out <file>', 'model file, e.g. data/models/KLGA.json')
    .option('--from <YYYY-MM-DD>', 'first judge day to learn from')
    .option('--to <YYYY-MM-DD>', 'last judge day to learn from')
    .option('--exclude-months <list>', 'comma-separated YYYY-MM months held back for evaluation')
    .option('--judge-day <mode>', 'local (WU, default) or standard (NWS climate day)')
    .option('--date <YYYY-MM-DD>', 'reference date for raw text archives')
    .action((opts: ArchiveOpts & { out: string; excludeMonths?: string }) =>
      run(io, () => {
        const exclude = months(opts.excludeMonths) ?? [];
        const mode = judgeDay(opts);
        const { days, read } = loadStationArchive(opts.archive, opts.station, opts.tz, mode, opts.date);
        const cases = buildCases(days, { ...scope(opts), excludeMonths: exclude });
        const model = fitNowcastModel(cases, { station: opts.station.toUpperCase(), tz: opts.tz, judgeDay: mode, excludeMonths: exclude, routineMinute: routineMinute(read.reports.map((r) => r.report)) });
        writeNowcastModel(opts.out, model);
        io.err(`helios nowcast fit: ${read.reports.length} reports, ${model.fitted.days} days, ${model.fitted.cases} cases; cv rps ${model.fitted.cv_rps} (climatology ${model.fitted.cv_rps_climatology}, persistence ${model.fitted.cv_rps_persistence}) → ${opts.out}\n`);
        if (read.errors.length) io.err(`helios nowcast fit: ${read.errors.length} unparseable lines skipped (first at line ${read.errors[0]!.line})\n`);
        io.out(JSON.stringify({ out: opts.out, fitted: model.fitted, blocks: model.blocks, climatology_season_days: model.climatology_season_days }) + '\n');
      }),
    );

  nowcast
    .command('eval')
    .description('score the model by local issue hour against climatology and persistence (RPS over integer °F)')
    .requiredOption('--archive <file>', 'IEM ASOS CSV or raw METAR text')
    .requiredOption('--model <file>', 'model written by `nowcast fit`')
    .requiredOption('--station <id>', 'station (ICAO)')
    .requiredOption('--tz <zone>', 'IANA zone of the judge clock')
    .option('--from <YYYY-MM-DD>', 'first judge day to score')
    .option('--to <YYYY-MM-DD>', 'last judge day to score')
    .option('--months <list>', 'only these comma-separated YYYY-MM months (e.g. the ones held back at fit)')
    .option('--date <YYYY-MM-DD>', 'reference date for raw text archives')
    .option('--json', 'print one JSON object')
    .action((opts: ArchiveOpts & { model: string; months?: string; json?: boolean }) =>
      run(io, () => {
        const model = readNowcastModel(opts.model);
        const only = months(opts.months);
        const { days } = loadStationArchive(opts.archive, opts.station, opts.tz, model.judge_day, opts.date);
        const cases = buildCases(days, { ...scope(opts), onlyMonths: only });
        const report = evaluateNowcast(new NowcastPredictor(model), cases);
        const inSample = [...new Set(cases.map((c) => c.day))].filter((d) => fittedOn(model, d)).length;
        if (inSample) io.err(`helios nowcast eval: warning: ${inSample} of the scored days were used to fit the model; scores on them are optimistic\n`);
        const out = { ...report, overall: { ...report.overall, in_sample_days: inSample } };
        if (opts.json) io.out(JSON.stringify(out) + '\n');
        else io.out(formatTable(out));
      }),
    );
}

/** The station's routine-report minute: the most common minute of its METAR (not SPECI) reports. */
function routineMinute(reports: readonly MetarReport[]): number {
  const counts = new Array<number>(60).fill(0);
  for (const r of reports) if (r.reportType === 'METAR') counts[Math.floor((r.obsMs % 3_600_000) / 60_000)]!++;
  const best = counts.indexOf(Math.max(...counts));
  return counts[best]! > 0 ? best : 51;
}

function fittedOn(model: NowcastModel, day: string): boolean {
  return day >= model.fitted.from_day && day <= model.fitted.to_day && !model.fitted.exclude_months.includes(day.slice(0, 7));
}

function run(io: CliIo, body: () => void): void {
  try {
    body();
    io.exit(EXIT.OK);
  } catch (err) {
    const usage = err instanceof UsageError || (err as NodeJS.ErrnoException).code === 'ENOENT' || /time zone|not a helios nowcast model/.test((err as Error).message);
    io.err(`helios nowcast: ${(err as Error).message}\n`);
    io.exit(usage ? EXIT.CONFIG_ERROR : EXIT.RUNTIME_ERROR);
  }
}

function formatTable(r: ReturnType<typeof evaluateNowcast> & { overall: { in_sample_days: number } }): string {
  const f = (v: number | null) => (v === null ? '   -  ' : v.toFixed(3).padStart(6));
  const lines = ['hour     n    rps   clim   pers  brier    log'];
  for (const h of r.by_hour) lines.push(`${String(h.hour).padStart(4)} ${String(h.n).padStart(5)} ${f(h.rps)} ${f(h.rps_climatology)} ${f(h.rps_persistence)} ${f(h.brier_buckets)} ${f(h.log_score)}`);
  const o = r.overall;
  lines.push(
    `hours ${o.target_hours}: rps ${o.rps_target_hours} vs climatology ${o.rps_climatology_target_hours} (skill ${o.skill_vs_climatology}) and persistence ${o.rps_persistence_target_hours} (skill ${o.skill_vs_persistence}); worst hour ${o.worst_hour} at ${o.worst_hour_ratio}× the better baseline; targets ${o.targets_met ? 'met' : 'NOT met'}`,
  );
  return lines.join('\n') + '\n';
}
