import type { Command } from 'commander';
import { createLogger } from '../../adapters/log/logger.ts';
import { openReplaySource, recordedRange, runReplay, type ReplayRun, type SourceKind } from '../../apps/replay/replay-run.ts';
import { replayMarkers, type ReplayMarker } from '../../apps/dashboard/replay-markers.ts';
import { listDispatchLogs } from '../../adapters/storage/dispatch-log.ts';
import { recordedDataOverwrite } from '../../adapters/storage/recorded-data.ts';
import { unwritableOutput } from '../../adapters/storage/output-path.ts';
import { DamagedLakeFileError } from '../../adapters/storage/parquet/lake-damage.ts';
import { replayDispatchLogs } from '../../runtime/replay/dispatch-replay.ts';
import { ReplayServer } from '../../apps/replay/replay-server.ts';
import { DashboardFiles } from '../../apps/dashboard/static-files.ts';
import { RecentEvents } from '../../apps/dashboard/recent-events.ts';
import { machineGraphs } from '../../apps/dashboard/machine-graphs.ts';
import { marketListing } from '../../apps/dashboard/market-listing.ts';
import { MarketStates } from '../../apps/dashboard/market-states.ts';
import { readMarketCatalog } from '../../adapters/storage/market-catalog.ts';
import { FanOutSink } from '../../domain/events/sink.ts';
import { CHANNELS, isChannel, type Channel } from '../../domain/events/channels.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { PortUnavailable } from '../../adapters/net/listen.ts';
import { apiPortSetBy, badPortMessage, parsePort, portUnavailableMessage } from '../port-option.ts';
import { collect, missingDataDir, noEventsMessage, parseSpeed, parseTime, recordedEventBounds, replayContext } from '../replay-options.ts';
import { untilSignal } from '../until-signal.ts';

/** What the served replay's Controls view says instead of offering halt, resume and reconciliation. */
const REPLAY_TAKES_NO_ACTIONS = 'a replay takes no actions: halt, resume and force reconciliation act on a running daemon (helios run)';

interface Opts {
  dataDir?: string;
  from?: string;
  to?: string;
  speed?: string;
  serve?: boolean;
  port?: string;
  paused?: boolean;
  exitAtEnd?: boolean;
  decisionsOut?: string;
  channels?: string;
  source?: string;
  config?: string;
  set?: string[];
  json?: boolean;
}

/**
 * `helios replay`: a recorded range replayed on the virtual clock, as fast as possible or paced.
 * With --serve the events go out on the live WebSocket protocol (a client cannot tell replay from
 * live) with HTTP controls; with --decisions-out the decision pipeline runs beside the replay and
 * writes its decisions (byte-identical for the same range). Without --serve: one summary line.
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('replay')
    .description('replay a recorded range on the virtual clock (optionally serving the live WebSocket channels, or recomputing decisions)')
    .option('--data-dir <dir>', 'data directory (default: app.data_dir)')
    .option('--from <iso>', 'start of the range (ISO 8601, UTC unless a zone is given; with --to, or neither: everything recorded)')
    .option('--to <iso>', 'end of the range (exclusive)')
    .option('--speed <x>', 'multiple of real time (1, 5, 10, …) or max (default: 1 with --serve, max otherwise)')
    .option('--serve', 'stream the channels over WebSocket on 127.0.0.1 (the live protocol), with /replay/* controls')
    .option('--port <n>', 'port for --serve (default: api.port; 0 = any free port)')
    .option('--paused', 'with --serve: wait for POST /replay/play before playing')
    .option('--exit-at-end', 'with --serve: exit once the range has played (default: keep serving until SIGINT/SIGTERM, so a page can seek back)')
    .option('--decisions-out <file>', 'run the decision pipeline and write its decisions as NDJSON')
    .option('--channels <list>', `comma-separated channels to replay (default all: ${CHANNELS.join(',')})`)
    .option('--source <kind>', 'auto | journal | parquet (default auto: the journal when it covers the range)', 'auto')
    .option('--config <file>', 'YAML file layered over the defaults')
    .option('--set <key=value>', 'override a config key (dotted path), repeatable', collect)
    .option('--json', 'print the summary as JSON')
    .action(async (opts: Opts) => {
      const whole = opts.from === undefined && opts.to === undefined;
      if (!whole && (opts.from === undefined || opts.to === undefined)) {
        // Unlike backtest, the range is optional here: say so rather than call both required.
        io.err(`replay: ${opts.from === undefined ? '--to' : '--from'} needs ${opts.from === undefined ? '--from' : '--to'}: give both (ISO 8601, e.g. 2025-07-15T17:00:00Z), or neither to replay everything recorded\n`);
        return io.exit(EXIT.CONFIG_ERROR);
      }
      const ctx = replayContext(opts, io, 'replay', !whole);
      if (!ctx) return;
      const usage = (msg: string) => {
        io.err(`replay: ${msg}\n`);
        io.exit(EXIT.CONFIG_ERROR);
      };
      const overwrite = opts.decisionsOut === undefined ? null : recordedDataOverwrite(opts.decisionsOut, ctx.dataDir);
      if (overwrite) return usage(`--decisions-out ${overwrite}; write the decisions elsewhere`);
      const unwritable = opts.decisionsOut === undefined ? null : unwritableOutput(opts.decisionsOut, 'file');
      if (unwritable) return usage(`--decisions-out ${unwritable}; write the decisions elsewhere`);
      const speed = opts.speed === undefined ? (opts.serve ? 1 : Infinity) : parseSpeed(opts.speed);
      if (Number.isNaN(speed)) return usage(`--speed must be a positive number or max, got ${opts.speed}`);
      let channels: Channel[] | undefined;
      if (opts.channels !== undefined) {
        const list = opts.channels.split(',').map((c) => c.trim()).filter(Boolean);
        const bad = list.filter((c) => !isChannel(c));
        if (bad.length || list.length === 0) return usage(`--channels: unknown channel(s) ${bad.join(', ') || '(none given)'}; known: ${CHANNELS.join(', ')}`);
        channels = list as Channel[];
      }
      // Options of the served page: without --serve they would be silently ignored.
      const serveOnly = ([['--paused', opts.paused], ['--port', opts.port], ['--exit-at-end', opts.exitAtEnd]] as const).filter(([, v]) => v !== undefined).map(([f]) => f);
      if (serveOnly.length && !opts.serve) return usage(`${serveOnly.join(', ')} ${serveOnly.length === 1 ? 'applies' : 'apply'} to --serve only (without it the replay plays at once and ends with its range); add --serve or drop ${serveOnly.length === 1 ? 'it' : 'them'}`);
      if (!['auto', 'journal', 'parquet'].includes(opts.source ?? 'auto')) return usage(`--source must be auto, journal or parquet`);
      const port = opts.port === undefined ? ctx.config.api.port : parsePort(opts.port);
      if (port === null) return usage(badPortMessage('--port', opts.port));
      const missing = missingDataDir(ctx.dataDir);
      if (missing) {
        io.err(`replay: ${missing}\n`);
        io.exit(EXIT.DATA_ERROR);
        return;
      }

      if (whole) {
        // A daemon's own run: its trading node's dispatch logs give its decisions back exactly.
        const logs = opts.decisionsOut && !opts.serve ? listDispatchLogs(ctx.dataDir) : [];
        if (logs.length) {
          try {
            const r = await replayDispatchLogs({ config: ctx.config, files: logs, out: opts.decisionsOut });
            for (const s of r.sessions) if (s.torn_last_line !== null) io.err(`replay: warning: skipped a torn last line in ${s.file}:${s.torn_last_line}, left by a killed writer\n`);
            if (opts.json) io.out(JSON.stringify({ source: 'dispatch', dispatch: r, decisions_out: opts.decisionsOut }, null, 2) + '\n');
            else io.out(`replay: ${r.inputs} inputs of ${r.sessions.length} trading session(s) in dispatch order; decisions: ${r.orders} orders, ${r.fills} fills → ${opts.decisionsOut}\n`);
            io.exit(EXIT.OK);
          } catch (err) {
            io.err(`replay: ${(err as Error).message}\n`);
            io.exit(EXIT.DATA_ERROR);
          }
          return;
        }
        const range = await recordedRange(ctx.dataDir);
        if (!range) {
          io.err(`replay: nothing recorded in ${ctx.dataDir} (no journal, Parquet or dispatch log)\n`);
          io.exit(EXIT.DATA_ERROR);
          return;
        }
        ctx.from = range.from;
        ctx.to = range.to;
        // What was recorded, not the empty rest of the files' hours or days: the page's timeline,
        // and a decision replay's virtual time (a day of watchdog pulses over nothing costs ~20 s).
        try {
          const { source } = await openReplaySource(ctx.dataDir, ctx.config, range, (opts.source ?? 'auto') as SourceKind);
          const events = await recordedEventBounds(source, { ...range, channels });
          if (events) {
            ctx.from = events.first;
            ctx.to = events.last + 1;
          }
        } catch (err) {
          io.err(`replay: ${(err as Error).message}\n`);
          io.exit(failureExitCode(err));
          return;
        }
      }

      let server: ReplayServer | null = null;
      const recent = new RecentEvents({ order_updates: ctx.config.api.dashboard_backlog_order_updates, fills: ctx.config.api.dashboard_backlog_fills });
      // No market machine runs here: /markets reads each market's state off the replayed stream.
      const states = new MarketStates();
      let markers: Promise<ReplayMarker[]> | null = null;
      let url = '';
      let issues = 0;
      try {
        if (opts.serve) {
          // A subscription must name a recorded market; without a readable catalog any id is taken
          // (GET /markets reports the catalog's own error).
          const catalog = await readMarketCatalog(ctx.dataDir).catch(() => null);
          server = new ReplayServer({ host: '127.0.0.1', port, api: ctx.config.api, logger: createLogger({ level: 'warn', destination: { write: (s: string) => (io.err(s), true) } as unknown as NodeJS.WritableStream }), parseTime,
            fallback: new DashboardFiles({ mode: 'replay', replay_controls: true, actions_refused: REPLAY_TAKES_NO_ACTIONS, staleness_ms: ctx.config.daemon.staleness_ms }, { recent, graphs: () => machineGraphs(ctx.config), dataDir: ctx.dataDir }).answer,
            markets: async () => ((await readMarketCatalog(ctx.dataDir)) ?? []).map((m) => marketListing(m, states.state(m.spec.market_id), states.haltCauses(m.spec.market_id))),
            ...(catalog ? { knownMarket: (id: string) => catalog.some((m) => m.spec.market_id === id) } : {}),
            // Read once, on the first request, from a source of its own (the engine's is reading).
            markers: () =>
              (markers ??= openReplaySource(ctx.dataDir, ctx.config, { from: ctx.from, to: ctx.to }, (opts.source ?? 'auto') as SourceKind).then(({ source }) => replayMarkers(source, { from: ctx.from, to: ctx.to }))),
          });
          url = await server.listen().catch((err: unknown) => {
            throw PortUnavailable.from(err, 'the replay server', '127.0.0.1', port);
          });
        }
        const srv = server;
        const run: ReplayRun = await runReplay({
          config: ctx.config,
          dataDir: ctx.dataDir,
          from: ctx.from,
          to: ctx.to,
          speed,
          channels,
          source: (opts.source ?? 'auto') as SourceKind,
          // The page's recent past beside the channels, as in the daemon.
          sink: srv ? new FanOutSink(srv, recent, states) : undefined,
          decisions: opts.decisionsOut ? { out: opts.decisionsOut } : null,
          onIssue: (i) => {
            if (i.kind === 'malformed') issues++;
            io.err(i.kind === 'torn_tail' ? `replay: warning: skipped a torn last line in ${i.file}\n` : `replay: malformed line ${i.file}:${i.line} skipped\n`);
          },
          onEngine: (engine) => {
            if (!srv) return;
            srv.attach(engine);
            // Announced once the controls work: a client may act on this line at once.
            io.out(`replay: serving ${url.replace('http', 'ws')}${ctx.config.api.ws_path} (dashboard ${url}/; controls: POST ${url}/replay/{play,pause,speed?x=,step?target=,seek?t=,range?from=&to=}, GET ${url}/replay/status)${opts.paused ? '; paused' : ''}\n`);
          },
          startGate: srv && opts.paused ? srv.playRequested() : undefined,
        });
        const r = run.replay;
        const d = run.decisions;
        if (opts.json) {
          io.out(JSON.stringify({ source: run.source, replay: r, decisions: d, decisions_out: opts.decisionsOut ?? null }, null, 2) + '\n');
        } else {
          const secs = (r.wall_ms / 1000).toFixed(1);
          const speedText = r.speed_multiple === null ? '' : ` (${r.speed_multiple >= 100 ? Math.round(r.speed_multiple) : r.speed_multiple.toFixed(1)}× real time)`;
          let line = `replay: ${r.emitted} events ${new Date(ctx.from).toISOString()} → ${new Date(ctx.to).toISOString()} from ${run.source} in ${secs} s${speedText}`;
          if (d) {
            line += `; decisions: ${d.decisions.POLICY} policies, ${d.orders} orders, ${d.fills} fills, ${d.state_changes} state changes, net PnL ${d.net_pnl.toFixed(4)} USDC → ${opts.decisionsOut}`;
            if (run.markets === null) line += ' (no market catalog: markets inferred from the tape, pair arbitrage only)';
          }
          io.out(line + '\n');
        }
        if (r.emitted === 0) io.err(`replay: ${noEventsMessage(ctx.dataDir, ctx.from, ctx.to)}\n`);
        // The page stays usable at the end (seek back, choose a range, step) until the operator stops it.
        if (srv && !opts.exitAtEnd) {
          io.out(`replay: at the end of the range; still serving ${url} until SIGINT/SIGTERM\n`);
          await untilSignal();
        }
        io.exit(issues > 0 || r.emitted === 0 ? EXIT.DATA_ERROR : EXIT.OK);
      } catch (err) {
        io.err(`replay: ${err instanceof PortUnavailable ? portUnavailableMessage(err, apiPortSetBy(opts.port !== undefined)) : (err as Error).message}\n`);
        io.exit(failureExitCode(err));
      } finally {
        await server?.close();
      }
    });
}

/**
 * A damaged lake file is a data problem (its message says what rebuilds it); a port another process
 * holds is a usage error (a restart would fail again); anything else failed at run time.
 */
function failureExitCode(err: unknown): number {
  if (err instanceof PortUnavailable) return EXIT.CONFIG_ERROR;
  return err instanceof DamagedLakeFileError ? EXIT.DATA_ERROR : EXIT.RUNTIME_ERROR;
}
