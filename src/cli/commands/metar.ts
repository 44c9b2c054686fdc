import type { Command } from 'commander';
import { readMetarFile } from '../../adapters/weather/archive.ts';
import { JudgeCalendar } from '../../domain/weather/judge-calendar.ts';
import { toMetarRecord } from '../../domain/weather/metar-report.ts';
import { StationDays } from '../../domain/weather/station-days.ts';
import type { ReadResult } from '../../adapters/weather/metar-file.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { badTimeZoneMessage } from '../tz-option.ts';

/** `helios metar parse|daily`: captured METAR data (raw lines or IEM ASOS CSV) to NDJSON. */
export function register(program: Command, io: CliIo): void {
  const metar = program.command('metar').description('parse captured METAR/SPECI data (raw lines or IEM ASOS CSV)');

  metar
    .command('parse')
    .description('one NDJSON line per report; unparseable lines to stderr with line numbers (exit 1 if any)')
    .argument('<file>', 'raw METAR text or IEM ASOS CSV')
    .option('--date <YYYY-MM-DD>', 'reference date for raw text (default: a date in the file name, else its mtime)')
    .option('--station <id>', 'keep only this station')
    .action((file: string, opts: { date?: string; station?: string }) => {
      const read = load(io, file, opts);
      if (!read || nothingUsable(io, file, read, opts)) return;
      let out = '';
      for (const { report } of read.reports) {
        out += JSON.stringify(toMetarRecord(report)) + '\n';
        if (out.length > 1 << 20) {
          io.out(out);
          out = '';
        }
      }
      io.out(out);
      reportErrors(io, read);
    });

  metar
    .command('daily')
    .description('one line per judge day: judge max (METAR/SPECI), official max (6-h/24-h groups), counts, flags')
    .argument('<file>', 'raw METAR text or IEM ASOS CSV')
    .requiredOption('--station <id>', 'station (ICAO, or the IEM 3-letter id)')
    .requiredOption('--tz <zone>', 'IANA time zone of the judge clock, e.g. America/New_York')
    .option('--standard-time', 'judge day on local standard time all year (NWS climate day)')
    .option('--date <YYYY-MM-DD>', 'reference date for raw text')
    .action((file: string, opts: { station: string; tz: string; standardTime?: boolean; date?: string }) => {
      const badTz = badTimeZoneMessage(opts.tz);
      if (badTz) {
        io.err(`helios metar: ${badTz}\n`);
        io.exit(EXIT.CONFIG_ERROR);
        return;
      }
      const calendar = new JudgeCalendar(opts.tz, opts.standardTime ? 'standard' : 'local');
      const read = load(io, file, opts);
      if (!read || nothingUsable(io, file, read, opts)) return;
      const days = new StationDays(calendar);
      for (const { report } of read.reports) days.add(report);
      io.out(days.dayList().map((d) => JSON.stringify(days.summary(d)) + '\n').join(''));
      reportErrors(io, read);
    });
}

function load(io: CliIo, file: string, opts: { date?: string; station?: string }): ReadResult | null {
  try {
    return readMetarFile(file, opts);
  } catch (err) {
    io.err(`helios metar: ${file}: ${(err as Error).message}\n`);
    io.exit(EXIT.CONFIG_ERROR);
    return null;
  }
}

/**
 * A file with no report for the station asked for is an input problem, not an empty answer: exit 1
 * naming the stations the file does hold, so a wrong --station is plain at once.
 */
function nothingUsable(io: CliIo, file: string, read: ReadResult, opts: { date?: string; station?: string }): boolean {
  if (read.reports.length > 0) return false;
  for (const e of read.errors) io.err(`line ${e.line}: ${e.error}: ${e.text}\n`);
  let held = '';
  if (opts.station !== undefined) {
    const counts = new Map<string, number>();
    for (const { report } of readMetarFile(file, { date: opts.date }).reports) counts.set(report.station, (counts.get(report.station) ?? 0) + 1);
    held = counts.size
      ? `; it holds ${[...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([st, n]) => `${st} (${n} reports)`).join(', ')}`
      : '';
  }
  io.err(`helios metar: ${file}: no METAR/SPECI reports${opts.station !== undefined ? ` for station ${opts.station}` : ''}${held}\n`);
  io.exit(EXIT.DATA_ERROR);
  return true;
}

function reportErrors(io: CliIo, read: ReadResult): void {
  for (const e of read.errors) io.err(`line ${e.line}: ${e.error}: ${e.text}\n`);
  io.exit(read.errors.length ? EXIT.DATA_ERROR : EXIT.OK);
}
