import type { Command } from 'commander';
import { loadStationArchive, type LoadedArchive } from '../../adapters/weather/archive.ts';
import { readDailyRecordFile } from '../../adapters/weather/daily-record.ts';
import { readNowcastModel, writeNowcastModel } from '../../adapters/weather/model-store.ts';
import type { JudgeDayMode } from '../../domain/weather/judge-calendar.ts';
import type { MetarReport } from '../../domain/weather/metar-report.ts';
import { buildCases, dayInScope, type CaseOptions } from '../../domain/weather/nowcast/cases.ts';
import { archiveDailyHighs, type DailyHigh } from '../../domain/weather/nowcast/daily-record.ts';
import { evaluateNowcast, type EvaluationReport } from '../../domain/weather/nowcast/evaluate.ts';
import { RELIABILITY_MIN_CASES, TARGET_RELIABILITY_PP, type MidRangeBias, type ReliabilityRow } from '../../domain/weather/nowcast/scores.ts';
import { DEFAULT_MIN_FIT_MONTHS, rollingOriginEvaluation, type RollingReport } from '../../domain/weather/nowcast/rolling.ts';
import { fitWithPrior } from '../../domain/weather/nowcast/fit-with-prior.ts';
import type { NowcastModel } from '../../domain/weather/nowcast/model.ts';
import { NowcastPredictor } from '../../domain/weather/nowcast/predict.ts';
import { sameRegressors, SEASON_REGRESSORS } from '../../domain/weather/nowcast/regressors.ts';
import { evaluatePrior, type PriorEvaluation } from '../../domain/weather/nowcast/prior-eval.ts';
import { MIN_PRIOR_DAYS } from '../../domain/weather/nowcast/prior.ts';
import { nextDay } from '../../domain/weather/judge-calendar.ts';
import { parseIsoDate } from '../../domain/time/civil.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { badTimeZoneMessage } from '../tz-option.ts';

interface ArchiveOpts {
  archive?: string;
  station: string;
  tz?: string;
  daily?: string;
  archiveStation?: string;
  minDecileCases?: string;
  from?: string;
  to?: string;
  judgeDay?: string;
  date?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

/**
 * A comma-separated list of `YYYY-MM` months the calendar has: `2020-13` is a usage error naming the
 * flag, not a month that silently matches no day (which ended as "nothing to score", exit 1).
 */
function months(flag: string, list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const out = list.split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of out) {
    if (!MONTH.test(m)) throw new UsageError(`${flag}: expected YYYY-MM: ${m}`);
    if (parseIsoDate(`${m}-01`) === null) throw new UsageError(`${flag}: not a calendar month: ${m}`);
  }
  return out;
}

/**
 * A `YYYY-MM-DD` option on the calendar (the one check parseIsoDate makes for every date option):
 * days are compared as text, so `2020-02-30` would silently bound the period between two real days.
 */
function calendarDay(flag: string, day: string | undefined): void {
  if (day === undefined || parseIsoDate(day) !== null) return;
  throw new UsageError(`${flag}: ${DATE.test(day) ? 'not a calendar date' : 'expected YYYY-MM-DD'}: ${day}`);
}

class UsageError extends Error {}
/** The input holds nothing to work on (exit 1, data problem). */
class DataError extends Error {}

function sameStation(a: string, b: string): boolean {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x === y || (x.length === 3 && 'K' + x === y) || (y.length === 3 && 'K' + y === x);
}

/** The station's reports from an archive; zero reports is a data problem, not an empty result. */
function loadReports(file: string, station: string, tz: string, mode: JudgeDayMode, date: string | undefined): LoadedArchive {
  const loaded = loadStationArchive(file, station, tz, mode, date);
  if (loaded.read.reports.length === 0) throw new DataError(`no reports for station ${station.toUpperCase()} in ${file}`);
  return loaded;
}

function dailyHighs(file: string, io: CliIo): DailyHigh[] {
  const read = readDailyRecordFile(file);
  if (read.errors.length) io.err(`helios nowcast: ${file}: ${read.errors.length} unparseable lines skipped (first at line ${read.errors[0]!.line}: ${read.errors[0]!.error})\n`);
  if (read.highs.length === 0) throw new DataError(`no daily highs in ${file}`);
  return read.highs;
}

function decileCases(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--min-decile-cases ${v}: expected a positive integer`);
  return n;
}

/** The period to work on; checks every date option (--date included) before any file is read. */
function scope(opts: ArchiveOpts): CaseOptions {
  calendarDay('--from', opts.from);
  calendarDay('--to', opts.to);
  calendarDay('--date', opts.date);
  return { fromDay: opts.from, toDay: opts.to };
}

/** A `--tz` that is not an IANA zone is a usage error naming the flag (the judge calendar's own error would not). */
function timeZoneOption(tz: string | undefined): void {
  const bad = tz === undefined ? null : badTimeZoneMessage(tz);
  if (bad) throw new UsageError(bad);
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
    .description('fit the nowcast (intraday model of the final judge max from hourly METARs, mixed with the station\'s climatological prior) and write it as JSON')
    .requiredOption('--archive <file>', 'hourly archive: IEM ASOS CSV or raw METAR text')
    .requiredOption('--station <id>', 'station (ICAO) the model is for')
    .requiredOption('--tz <zone>', 'IANA zone of the judge clock')
    .requiredOption('--out <file>', 'model file, e.g. data/models/KLGA.json')
    .option('--daily <file>', 'the station\'s long daily-high record (CSV with local_date, max_temp, max_temp_times) for the prior; default: the archive\'s own days')
    .option('--archive-station <id>', 'station of the hourly archive when it is a neighbour of --station (needs --daily)')
    .option('--from <YYYY-MM-DD>', 'first day to learn from (both records)')
    .option('--to <YYYY-MM-DD>', 'last day to learn from (both records)')
    .option('--exclude-months <list>', 'comma-separated YYYY-MM months held back for evaluation (both records)')
    .option('--judge-day <mode>', 'local (WU, default) or standard (NWS climate day)')
    .option('--date <YYYY-MM-DD>', 'reference date for raw text archives')
    .action((opts: ArchiveOpts & { archive: string; tz: string; out: string; excludeMonths?: string }) =>
      run(io, () => {
        timeZoneOption(opts.tz);
        const exclude = months('--exclude-months', opts.excludeMonths) ?? [];
        const mode = judgeDay(opts);
        const station = opts.station.toUpperCase();
        const hourlyStation = (opts.archiveStation ?? opts.station).toUpperCase();
        if (!sameStation(hourlyStation, station) && !opts.daily) throw new UsageError(`--archive-station ${hourlyStation} is not ${station}: give ${station}'s own --daily record for its prior`);
        const range = scope(opts);
        const highs = opts.daily ? dailyHighs(opts.daily, io) : null;
        const { days, read } = loadReports(opts.archive, hourlyStation, opts.tz, mode, opts.date);
        const cases = buildCases(days, { ...range, excludeMonths: exclude });
        if (cases.length === 0) throw new DataError(`no complete judge days of ${hourlyStation} in ${opts.archive} within the period`);
        const priorDays = (highs ?? archiveDailyHighs(days)).filter((h) => dayInScope(h.day, { ...range, excludeMonths: exclude }));
        if (priorDays.length < MIN_PRIOR_DAYS) {
          if (highs) throw new DataError(`${priorDays.length} daily highs of ${station} in ${opts.daily} within the period: the prior needs at least ${MIN_PRIOR_DAYS}`);
          io.err(`helios nowcast fit: warning: only ${priorDays.length} complete days in the archive, fewer than the ${MIN_PRIOR_DAYS} a climatological prior needs; fitted without one (give --daily)\n`);
        }
        const { model, prior } = fitWithPrior(
          cases,
          { highs: priorDays, source: highs ? 'daily_record' : 'hourly_archive' },
          { station, tz: opts.tz, judgeDay: mode, excludeMonths: exclude, routineMinute: routineMinute(read.reports.map((r) => r.report)), hourlyStation },
        );
        writeNowcastModel(opts.out, model);
        io.err(
          `helios nowcast fit: ${hourlyStation} ${read.reports.length} reports, ${model.fitted.days} days, ${model.fitted.cases} cases; cv rps ${model.fitted.cv_rps} (hour climatology ${model.fitted.cv_rps_climatology}, persistence ${model.fitted.cv_rps_persistence}); ${regressorNote(model)}; ${prior ? `prior ${station} ${prior.source} ${prior.from_day}..${prior.to_day} (${prior.days} days, cv rps ${prior.cv_rps})` : 'no prior'} → ${opts.out}\n`,
        );
        if (read.errors.length) io.err(`helios nowcast fit: ${read.errors.length} unparseable lines skipped (first at line ${read.errors[0]!.line})\n`);
        io.out(
          JSON.stringify({
            out: opts.out,
            fitted: model.fitted,
            blocks: model.blocks,
            climatology_season_days: model.climatology_season_days,
            prior: prior ? { season_days: prior.season_days, smoothing_f: prior.smoothing_f, cv_rps: prior.cv_rps } : null,
            prior_weights: model.prior_weights ?? null,
          }) + '\n',
        );
      }),
    );

  nowcast
    .command('eval')
    .description('score the model by local issue hour against the station\'s climatology and persistence (RPS over integer °F), and its prior alone on a daily-high record; --rolling fits and scores month by month instead')
    .option('--model <file>', 'model written by `nowcast fit` (not with --rolling)')
    .requiredOption('--station <id>', 'station (ICAO) the model is for')
    .option('--archive <file>', 'hourly archive of the station (IEM ASOS CSV or raw METAR text): scores the whole model')
    .option('--daily <file>', 'daily-high record of the station: scores the prior alone (the start-of-day forecast); with --rolling, the prior\'s record')
    .option('--tz <zone>', 'IANA zone of the judge clock (default: the model\'s)')
    .option('--from <YYYY-MM-DD>', 'first judge day to score')
    .option('--to <YYYY-MM-DD>', 'last judge day to score')
    .option('--months <list>', 'only these comma-separated YYYY-MM months (e.g. the ones held back at fit)')
    .option('--after-fit', 'only days after every period the model was fitted on')
    .option('--rolling', 'rolling origin: fit on the archive\'s months before each month (the prior on the daily highs before it) and score that month; pooled and per fold')
    .option('--min-fit-months <n>', `with --rolling: months of archive a fold fits on at least (default ${DEFAULT_MIN_FIT_MONTHS})`)
    .option('--judge-day <mode>', 'with --rolling: local (WU, default) or standard (NWS climate day)')
    .option('--min-decile-cases <n>', `a reliability decile is judged from this many bucket forecasts (default ${RELIABILITY_MIN_CASES}) and a 95 % binomial half-width ≤ ${TARGET_RELIABILITY_PP} pp`)
    .option('--date <YYYY-MM-DD>', 'reference date for raw text archives')
    .option('--json', 'print one JSON object')
    .action((opts: ArchiveOpts & { model?: string; months?: string; json?: boolean; afterFit?: boolean; rolling?: boolean; minFitMonths?: string }) =>
      run(io, () => {
        // Usage is checked before any file is read: a bad date is named, not met as "nothing to score".
        timeZoneOption(opts.tz);
        const range = scope(opts);
        const only = months('--months', opts.months);
        const minDecileCases = decileCases(opts.minDecileCases);
        if (opts.rolling) return evalRolling(io, opts, { range, only, minDecileCases });
        // Fitting options: a model keeps what it was fitted with, so they would be silently ignored.
        for (const [flag, v] of [['--judge-day', opts.judgeDay], ['--min-fit-months', opts.minFitMonths]] as const) {
          if (v !== undefined) throw new UsageError(`${flag} applies to --rolling only (a --model keeps what it was fitted with); add --rolling or drop it`);
        }
        if (!opts.model) throw new UsageError('give --model (or --rolling to fit month by month)');
        if (!opts.archive && !opts.daily) throw new UsageError('give --archive (whole model) and/or --daily (prior alone)');
        const model = readNowcastModel(opts.model);
        if (!sameStation(model.station, opts.station)) throw new UsageError(`${opts.model} is a model for ${model.station}, not ${opts.station.toUpperCase()}`);
        if (opts.afterFit) {
          const after = nextDay([model.fitted.to_day, model.fitted.stations?.daily?.to_day ?? model.fitted.to_day].sort()[1]!);
          if (!range.fromDay || range.fromDay < after) range.fromDay = after;
        }
        const out: Record<string, unknown> = { station: model.station, fitted_stations: model.fitted.stations ?? null };
        if (opts.daily) {
          if (!model.prior) throw new UsageError(`${opts.model} has no climatological prior to score (refit with this version)`);
          const highs = dailyHighs(opts.daily, io).filter((h) => dayInScope(h.day, { ...range, onlyMonths: only }));
          const prior = evaluatePrior(model.prior, highs, { minDecileCases });
          if (prior.n === 0) throw new DataError(`no days of ${opts.daily} to score in the period (each needs the day before)`);
          if (prior.in_sample_days) io.err(`helios nowcast eval: warning: ${prior.in_sample_days} of the prior's scored days were used to fit it; scores on them are optimistic\n`);
          out.prior_alone = prior;
        }
        if (opts.archive) {
          const { days } = loadReports(opts.archive, opts.station, opts.tz ?? model.tz, model.judge_day, opts.date);
          const cases = buildCases(days, { ...range, onlyMonths: only });
          if (cases.length === 0) throw new DataError(`no complete judge days of ${opts.station.toUpperCase()} in ${opts.archive} to score in the period`);
          const report = evaluateNowcast(new NowcastPredictor(model), cases, { minDecileCases });
          const inSample = [...new Set(cases.map((c) => c.day))].filter((d) => fittedOn(model, d)).length;
          if (inSample) io.err(`helios nowcast eval: warning: ${inSample} of the scored days were used to fit the model; scores on them are optimistic\n`);
          Object.assign(out, report, { overall: { ...report.overall, in_sample_days: inSample } });
        }
        if (opts.json) io.out(JSON.stringify(out) + '\n');
        else io.out(formatReport(out));
      }),
    );
}

/**
 * `eval --rolling`: every scored month is forecast by a fit on the months before it only, so the
 * pooled table is out of sample throughout (in_sample_days is 0 by construction).
 */
function evalRolling(
  io: CliIo,
  opts: ArchiveOpts & { model?: string; json?: boolean; afterFit?: boolean; minFitMonths?: string },
  checked: { range: CaseOptions; only: string[] | undefined; minDecileCases: number | undefined },
): void {
  if (opts.model) throw new UsageError('--rolling fits its own models: drop --model');
  if (opts.afterFit) throw new UsageError('--rolling scores each month after its own fit: drop --after-fit');
  if (!opts.archive || !opts.tz) throw new UsageError('--rolling needs --archive and --tz');
  const minFitMonths = opts.minFitMonths === undefined ? undefined : Number(opts.minFitMonths);
  if (minFitMonths !== undefined && !(Number.isInteger(minFitMonths) && minFitMonths >= 1)) throw new UsageError(`--min-fit-months ${opts.minFitMonths}: expected a positive integer`);
  const mode = judgeDay(opts);
  const station = opts.station.toUpperCase();
  const { range } = checked;
  const { days, read } = loadReports(opts.archive, station, opts.tz, mode, opts.date);
  const cases = buildCases(days, range);
  const highs = (opts.daily ? dailyHighs(opts.daily, io) : archiveDailyHighs(days)).filter((h) => dayInScope(h.day, { toDay: range.toDay }));
  let report: RollingReport;
  try {
    report = rollingOriginEvaluation(cases, {
      fit: { station, tz: opts.tz, judgeDay: mode, routineMinute: routineMinute(read.reports.map((r) => r.report)) },
      priorDays: { highs, source: opts.daily ? 'daily_record' : 'hourly_archive' },
      minFitMonths,
      onlyMonths: checked.only,
      minDecileCases: checked.minDecileCases,
    });
  } catch (err) {
    throw new DataError((err as Error).message);
  }
  const out = { station, ...report, overall: { ...report.overall, in_sample_days: 0 } };
  if (opts.json) io.out(JSON.stringify(out) + '\n');
  else io.out(formatRolling(report) + formatReport(out));
}

/** Which regressor set each block of hours uses (chosen on the season edges, or the model's own). */
function regressorNote(model: NowcastModel): string {
  const blocks = model.blocks.map((b) => `${b.hours[0]}-${b.hours[b.hours.length - 1]} ${b.regressor_choice?.chosen ?? (sameRegressors(b.regressors ?? model.regressors, SEASON_REGRESSORS) ? 'season' : 'custom')}`);
  return `regressors by hour ${blocks.join(', ')}`;
}

/** The station's routine-report minute: the most common minute of its METAR (not SPECI) reports. */
function routineMinute(reports: readonly MetarReport[]): number {
  const counts = new Array<number>(60).fill(0);
  for (const r of reports) if (r.reportType === 'METAR') counts[Math.floor((r.obsMs % 3_600_000) / 60_000)]!++;
  const best = counts.indexOf(Math.max(...counts));
  return counts[best]! > 0 ? best : 51;
}

/** Whether a day was seen by any part of the fit (the intraday cases or the prior's days). */
function fittedOn(model: NowcastModel, day: string): boolean {
  const month = day.slice(0, 7);
  const hourly = day >= model.fitted.from_day && day <= model.fitted.to_day && !model.fitted.exclude_months.includes(month);
  const d = model.fitted.stations?.daily;
  const daily = !!d && sameStation(d.station, model.station) && day >= d.from_day && day <= d.to_day && !d.exclude_months.includes(month);
  return hourly || daily;
}

function run(io: CliIo, body: () => void): void {
  try {
    body();
    io.exit(EXIT.OK);
  } catch (err) {
    if (err instanceof DataError) {
      io.err(`helios nowcast: ${err.message}\n`);
      io.exit(EXIT.DATA_ERROR);
      return;
    }
    const usage = err instanceof UsageError || (err as NodeJS.ErrnoException).code === 'ENOENT' || /time zone|not a helios nowcast model/.test((err as Error).message);
    io.err(`helios nowcast: ${(err as Error).message}\n`);
    io.exit(usage ? EXIT.CONFIG_ERROR : EXIT.RUNTIME_ERROR);
  }
}

type EvalOut = Partial<EvaluationReport> & { overall?: EvaluationReport['overall'] & { in_sample_days: number }; prior_alone?: PriorEvaluation };

function formatReport(r: EvalOut): string {
  const f = (v: number | null) => (v === null ? '   -  ' : v.toFixed(3).padStart(6));
  const lines: string[] = [];
  if (r.by_hour && r.overall) {
    lines.push('hour     n    rps   clim   pers  brier    log  hclim');
    for (const h of r.by_hour) lines.push(`${String(h.hour).padStart(4)} ${String(h.n).padStart(5)} ${f(h.rps)} ${f(h.rps_climatology)} ${f(h.rps_persistence)} ${f(h.brier_buckets)} ${f(h.log_score)} ${f(h.rps_hour_climatology)}`);
    const o = r.overall;
    lines.push(
      `hours ${o.target_hours}: rps ${o.rps_target_hours} vs ${o.climatology === 'long_record' ? 'long-record' : 'hour-and-season'} climatology ${o.rps_climatology_target_hours} (skill ${o.skill_vs_climatology}) and persistence ${o.rps_persistence_target_hours} (skill ${o.skill_vs_persistence}); worst hour ${o.worst_hour} at ${o.worst_hour_ratio}× the better baseline; reliability worst judged decile ${o.reliability_max_gap_pp ?? '-'} pp, ${o.reliability_flagged} flagged; targets ${o.targets_met ? 'met' : 'NOT met'}`,
    );
  }
  const deciles = (rows: ReliabilityRow[]) => {
    lines.push('decile      n  mean_p  observed  gap_pp  ±95%pp      z');
    for (const d of rows)
      lines.push(
        `${d.p_lo.toFixed(1)}-${d.p_hi.toFixed(1)} ${String(d.n).padStart(6)} ${f(d.mean_p)}    ${f(d.observed_freq)}  ${d.gap_pp === null ? '     -' : String(d.gap_pp).padStart(6)}  ${d.half_width_pp === null ? '     -' : String(d.half_width_pp).padStart(6)} ${d.z === null ? '     -' : String(d.z).padStart(6)}${d.enough ? '' : ' (few)'}${d.flagged ? ' MISS' : ''}`,
      );
  };
  const mid = (m: MidRangeBias | undefined) => {
    if (!m || m.n === 0) return;
    lines.push(
      `mid-range ${m.p_lo}-${m.p_hi}: ${m.n} forecasts on ${m.clusters} days, bias ${m.bias_pp} pp ± ${m.se_binomial_pp} (binomial se; day-clustered ${m.se_day_clustered_pp ?? '-'}), z ${m.z_binomial ?? '-'}${m.within_target === false ? ' MISS' : ''}`,
    );
  };
  if (r.reliability) deciles(r.reliability);
  mid(r.reliability_mid_range);
  if (r.overall) lines.push(`rule: ${r.overall.reliability_rule}`);
  const p = r.prior_alone;
  if (p) {
    lines.push(
      `prior alone (start of day), ${p.n} days ${p.from_day}..${p.to_day}: rps ${p.rps} vs persistence ${p.rps_persistence} (skill ${p.skill_vs_persistence}); reliability worst decile ${p.reliability_max_gap_pp ?? '-'} pp; peak time rps ${p.peak.rps} vs all-year ${p.peak.rps_all_year}`,
    );
    deciles(p.reliability);
  }
  return lines.join('\n') + '\n';
}

/** One line per fold of `eval --rolling`, before the pooled report. */
function formatRolling(r: RollingReport): string {
  const lines = [`rolling origin: each month scored by a fit on the months before it (at least ${r.rolling.min_fit_months})`];
  for (const fold of r.rolling.folds) {
    const o = fold.overall;
    const m = fold.reliability_mid_range;
    lines.push(
      `${fold.month}: fit ${fold.fit_from_day}..${fold.fit_to_day} (${fold.fit_days} days, prior ${fold.prior_days}); ${o.days} days; 08-18 rps ${o.rps_target_hours} vs climatology ${o.rps_climatology_target_hours} / persistence ${o.rps_persistence_target_hours}; worst hour ${o.worst_hour} at ${o.worst_hour_ratio}×; worst judged decile ${o.reliability_max_gap_pp ?? '-'} pp, ${o.reliability_flagged} flagged; mid-range ${m.bias_pp ?? '-'} ± ${m.se_binomial_pp ?? '-'} pp`,
    );
  }
  lines.push('pooled:');
  return lines.join('\n') + '\n';
}
