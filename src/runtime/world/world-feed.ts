import type { Logger } from '../../adapters/log/logger.ts';
import { parseMetarText } from '../../adapters/weather/metar-parser.ts';
import type { WeatherConfig } from '../../config/sections/weather.ts';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock, TimerHandle } from '../../domain/time/clock.ts';
import { featureVector } from '../../domain/weather/features.ts';
import { JudgeCalendar } from '../../domain/weather/judge-calendar.ts';
import { toMetarRecord, type MetarReport, type ReportType } from '../../domain/weather/metar-report.ts';
import type { TempBucket } from '../../domain/weather/nowcast/buckets.ts';
import { metarVerdict, PwsCluster, type PwsClusterResult, type PwsObservation } from '../../domain/weather/pws-qc.ts';
import { StationDays } from '../../domain/weather/station-days.ts';
import type { NowcastEngine, NowcastResult } from '../../actors/nowcast-engine.ts';
import { StationQcEngine } from './station-qc-engine.ts';

export interface WorldFeedOptions {
  clock: Clock;
  sink: EventSink;
  events: EventFactory;
  config: WeatherConfig;
  /** Nowcast engine (worker thread in the daemon, inline in tests); null disables NOWCAST. */
  nowcast: NowcastEngine | null;
  logger?: Logger;
  /**
   * Stations whose NOWCAST waits for a discovered layout (live mode: the configured cities'
   * stations): never published over self-centred buckets, which no market of theirs settles on.
   */
  awaitLayouts?: readonly string[];
}

/** One recompute in flight: what its NOWCAST names, and the layout it was asked over. */
interface PendingNowcast {
  correlationId: string | null;
  causationId: string | null;
  inputs: string[];
  layoutGeneration: number;
}

export interface MetarIngest {
  status: 'added' | 'replaced' | 'duplicate' | 'ignored' | 'unparseable' | 'unknown_station';
  report: MetarReport | null;
  eventId: string | null;
}

interface StationWorld {
  id: string;
  calendar: JudgeCalendar;
  days: StationDays;
  cluster: PwsCluster;
  pwsIds: Set<string>;
  metarEventByObsMs: Map<number, string>;
  latestMetarEventId: string | null;
  lastCluster: PwsClusterResult | null;
  /** The first closed bin is queued for judging (see ingestPws). */
  firstBinPending: boolean;
  lastClusterEventId: string | null;
  lastFeaturesEventId: string | null;
  /** The current judge day's layout when none is dated (the simulated day); null: self-centred. */
  buckets: TempBucket[] | null;
  /** Discovered layouts by judge day: each open day gets its own NOWCAST over its own buckets. */
  layouts: Map<string, TempBucket[]>;
  awaitLayout: boolean;
  /** Bumped on every layout change: a result asked over an older layout is dropped and asked again. */
  layoutGeneration: number;
  nowcastDirty: boolean;
  nextRequestId: number;
  /** Requests in flight (one per judge day of a round), by request id. */
  pending: Map<number, PendingNowcast>;
  queuedCause: { correlationId: string | null; causationId: string | null } | null;
}

const MINUTE_MS = 60_000;

/**
 * The world tape for the configured stations: ingests METAR/SPECI text and PWS readings from any
 * source (live clients, simulator, replay), keeps judge days, runs the per-station QC actors, and
 * publishes METAR_OBS, PWS_CLUSTER and QC_STATE on `world`, FEATURES every minute, and NOWCAST from
 * the nowcast engine every minute and after each new observation, naming the events it used.
 */
export class WorldFeed {
  readonly qc: StationQcEngine;
  private readonly stations = new Map<string, StationWorld>();
  private readonly pwsOwner = new Map<string, string>();
  private minuteTimer: TimerHandle | null = null;
  private binTimer: TimerHandle | null = null;
  private nowcastTimer: TimerHandle | null = null;
  private running = false;

  constructor(private readonly o: WorldFeedOptions) {
    const q = o.config.qc;
    this.qc = new StationQcEngine({
      clock: o.clock,
      sink: o.sink,
      events: o.events,
      settings: { metarStaleAfterMs: q.metar_stale_after_ms, pwsStaleAfterMs: q.pws_stale_after_ms, outliersToDegrade: q.outliers_to_degrade, passesToRecover: q.passes_to_recover },
    });
    const thresholds = {
      range_min_f: q.range_min_f,
      range_max_f: q.range_max_f,
      step_max_f: q.step_max_f,
      step_window_ms: q.step_window_ms,
      flat_line_ms: q.flat_line_ms,
      flat_line_min_readings: q.flat_line_min_readings,
      z_low: q.z_low,
      z_high: q.z_high,
      min_support: q.min_support,
      min_spread_f: q.min_spread_f,
      spread: q.spread,
      stale_after_ms: q.pws_stale_after_ms,
    };
    for (const s of o.config.stations) {
      const calendar = new JudgeCalendar(s.tz, o.config.nowcast.judge_day);
      this.stations.set(s.id, {
        id: s.id,
        calendar,
        days: new StationDays(calendar),
        cluster: new PwsCluster(s.pws, thresholds),
        pwsIds: new Set(s.pws),
        metarEventByObsMs: new Map(),
        latestMetarEventId: null,
        lastCluster: null,
        firstBinPending: false,
        lastClusterEventId: null,
        lastFeaturesEventId: null,
        buckets: null,
        layouts: new Map(),
        awaitLayout: o.awaitLayouts?.includes(s.id) ?? false,
        layoutGeneration: 0,
        nowcastDirty: false,
        nextRequestId: 1,
        pending: new Map(),
        queuedCause: null,
      });
      this.qc.ensure(s.id, 'metar', s.id);
      for (const p of [...s.pws].sort()) {
        this.pwsOwner.set(p, s.id);
        this.qc.ensure(p, 'pws', s.id);
      }
    }
    o.nowcast?.onResult((r) => this.onNowcast(r));
  }

  stationIds(): string[] {
    return [...this.stations.keys()].sort();
  }

  /** Starts the minute (FEATURES), nowcast and PWS-bin timers on the clock, aligned to their periods. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleMinute();
    this.scheduleBin();
    this.scheduleNowcast();
  }

  stop(): void {
    this.running = false;
    for (const t of [this.minuteTimer, this.binTimer, this.nowcastTimer]) if (t !== null) this.o.clock.clearTimeout(t);
    this.minuteTimer = this.binTimer = this.nowcastTimer = null;
    this.qc.stop();
  }

  private delayTo(periodMs: number): number {
    const now = this.o.clock.now();
    return periodMs - (now % periodMs) || periodMs;
  }

  private scheduleMinute(): void {
    this.minuteTimer = this.o.clock.setTimeout(() => {
      if (!this.running) return;
      const minute = Math.floor(this.o.clock.now() / MINUTE_MS) * MINUTE_MS;
      for (const id of this.stationIds()) this.emitFeatures(id, minute);
      this.scheduleMinute();
    }, this.delayTo(MINUTE_MS));
  }

  private scheduleNowcast(): void {
    const period = this.o.config.nowcast.recompute_interval_ms;
    this.nowcastTimer = this.o.clock.setTimeout(() => {
      if (!this.running) return;
      for (const id of this.stationIds()) this.requestNowcast(id, null);
      this.scheduleNowcast();
    }, this.delayTo(period));
  }

  private scheduleBin(): void {
    const bin = this.o.config.pws.bin_ms;
    this.binTimer = this.o.clock.setTimeout(() => {
      if (!this.running) return;
      const binStart = Math.floor(this.o.clock.now() / bin) * bin;
      for (const id of this.stationIds()) this.closePwsBin(id, binStart);
      this.scheduleBin();
    }, this.delayTo(bin));
  }

  /**
   * Sets a market bucket layout the station's NOWCAST is published over: of `judgeDay` (a
   * discovered event's; null removes it), or with no day, the current day's (the simulated day).
   * Once a station has dated layouts, only those are published.
   */
  setBuckets(stationId: string, buckets: TempBucket[] | null, judgeDay: string | null = null): void {
    const s = this.stations.get(stationId);
    if (!s) return;
    if (judgeDay === null) s.buckets = buckets;
    else if (buckets === null) s.layouts.delete(judgeDay);
    else s.layouts.set(judgeDay, buckets);
    s.layoutGeneration++;
  }

  /** The layouts a station's NOWCAST round covers, by judge day (null: the current day), sorted. */
  private layoutsOf(s: StationWorld): Array<{ judgeDay: string | null; buckets: TempBucket[] | null }> {
    if (s.layouts.size > 0) return [...s.layouts.keys()].sort().map((judgeDay) => ({ judgeDay, buckets: s.layouts.get(judgeDay)! }));
    if (s.buckets === null && s.awaitLayout) return [];
    return [{ judgeDay: null, buckets: s.buckets }];
  }

  /** One raw METAR/SPECI received at `receivedMs` (anchors its day-of-month). */
  ingestMetar(raw: string, receivedMs: number, typeHint: ReportType | null = null): MetarIngest {
    const parsed = parseMetarText(raw, { refMs: receivedMs, typeHint, routineMinute: this.o.config.metar.routine_minute });
    if (!parsed.ok) {
      this.o.logger?.warn({ raw, error: parsed.error }, 'unparseable METAR');
      return { status: 'unparseable', report: null, eventId: null };
    }
    const report = parsed.report;
    const s = this.stations.get(report.station);
    if (!s) return { status: 'unknown_station', report, eventId: null };
    const added = s.days.add(report);
    if (added.conflict) {
      const { kept, dropped, rule } = added.conflict;
      this.o.logger?.warn({ station: s.id, obs_ms: report.obsMs, kept_c: kept.tempC, dropped_c: dropped.tempC, rule, kept: kept.raw, dropped: dropped.raw }, 'two METARs of the same minute disagree on the temperature');
    }
    if (added.status === 'duplicate' || added.status === 'ignored') return { status: added.status, report, eventId: null };

    const record = toMetarRecord(report);
    const maxSoFar = s.days.maxSoFar(added.day);
    const event = this.o.events.make(
      'METAR_OBS',
      {
        raw: record.raw,
        report_type: record.report_type,
        corrected: record.corrected,
        replaced_earlier: added.status === 'replaced',
        obs_time_utc: record.obs_time_utc,
        temp_c: record.temp_c,
        dewpoint_c: record.dewpoint_c,
        precision: record.precision,
        temp_f_judge: record.temp_f_judge,
        max6h_c: record.max6h_c,
        min6h_c: record.min6h_c,
        max24h_c: record.max24h_c,
        min24h_c: record.min24h_c,
        flags: record.flags,
        judge_day: added.day,
        judge_max_so_far_f: maxSoFar?.f ?? null,
        official_max_f: s.days.officialMaxF(added.day),
      },
      { station_id: s.id, ts_source: report.obsMs },
    );
    this.o.sink.emit(event);
    s.metarEventByObsMs.set(report.obsMs, event.event_id);
    s.latestMetarEventId = event.event_id;
    this.pruneEventIndex(s, report.obsMs);

    const prev = this.previousWithTemp(s, report);
    const verdict = metarVerdict(
      report.flags,
      report.tempFJudge,
      prev?.tempFJudge ?? null,
      prev ? (report.obsMs - prev.obsMs) / 3_600_000 : null,
      this.o.config.qc.metar_max_change_per_hour_f,
    );
    this.qc.check(s.id, verdict.verdict, verdict.reason, receivedMs, event.event_id);

    this.o.nowcast?.addReport(s.id, report);
    this.requestNowcast(s.id, { correlationId: event.correlation_id, causationId: event.event_id });
    return { status: added.status, report, eventId: event.event_id };
  }

  private previousWithTemp(s: StationWorld, report: MetarReport): MetarReport | null {
    let best: MetarReport | null = null;
    for (const day of [s.calendar.dayOf(report.obsMs - 2 * 3_600_000), s.calendar.dayOf(report.obsMs)]) {
      for (const r of s.days.reportsOf(day)) {
        if (r.obsMs < report.obsMs && r.tempFJudge !== null && (!best || r.obsMs > best.obsMs)) best = r;
      }
    }
    return best;
  }

  private pruneEventIndex(s: StationWorld, latestObsMs: number): void {
    if (s.metarEventByObsMs.size < 400) return;
    for (const t of [...s.metarEventByObsMs.keys()]) if (t < latestObsMs - 4 * 86_400_000) s.metarEventByObsMs.delete(t);
    s.days.pruneBefore(s.calendar.dayOf(latestObsMs - 4 * 86_400_000));
  }

  /**
   * One PWS reading; the temporal checks run now, the cluster checks at the next bin close. The
   * first readings of a station that fall in an already closed bin (the history delivered at start)
   * are judged at once, once the delivery has finished, so the cluster reports within a step of
   * start instead of at the next bin boundary (up to `pws.bin_ms` later).
   */
  ingestPws(obs: PwsObservation): void {
    const owner = this.pwsOwner.get(obs.pwsId);
    if (!owner) return;
    const s = this.stations.get(owner)!;
    s.cluster.add(obs);
    const bin = this.o.config.pws.bin_ms;
    const currentBinStart = Math.floor(this.o.clock.now() / bin) * bin;
    if (s.lastCluster === null && !s.firstBinPending && obs.obsMs < currentBinStart) {
      s.firstBinPending = true;
      this.o.clock.setTimeout(() => {
        if (this.running && s.lastCluster === null) this.closePwsBin(s.id, currentBinStart - bin);
      }, 0);
    }
  }

  /** Cluster QC for the bin starting at `binStartMs`; feeds each PWS's QC actor, then publishes. */
  closePwsBin(stationId: string, binStartMs: number): PwsClusterResult | null {
    const s = this.stations.get(stationId);
    if (!s || s.pwsIds.size === 0) return null;
    const result = s.cluster.evaluate(binStartMs);
    for (const row of result.stations) {
      if (row.verdict === 'none') continue;
      this.qc.check(row.pws_id, row.verdict, row.flags.length ? row.flags.join(',') : 'passed', binStartMs);
    }
    const event = this.o.events.make(
      'PWS_CLUSTER',
      {
        bin_start_ms: result.bin_start_ms,
        support: result.support,
        median_f: result.median_f,
        spread_f: result.spread_f,
        stations: result.stations.map((r) => ({ pws_id: r.pws_id, temp_f: r.temp_f, z: r.z, flags: r.flags, qc_state: this.qc.state(r.pws_id) })),
      },
      { station_id: s.id, ts_source: binStartMs },
    );
    this.o.sink.emit(event);
    s.lastCluster = result;
    s.lastClusterEventId = event.event_id;
    return result;
  }

  private reportsOf(s: StationWorld): MetarReport[] {
    return s.days.dayList().flatMap((d) => [...s.days.reportsOf(d)]);
  }

  /** FEATURES for one station at a minute boundary. */
  emitFeatures(stationId: string, minuteStartMs: number): void {
    const s = this.stations.get(stationId);
    if (!s) return;
    const f = featureVector(minuteStartMs, s.days, this.reportsOf(s), s.calendar, s.lastCluster, this.qc.state(s.id) === 'ok');
    const ev = this.o.events.make('FEATURES', f, { station_id: s.id, correlation_id: s.latestMetarEventId ?? undefined });
    s.lastFeaturesEventId = ev.event_id;
    this.o.sink.emit(ev);
  }

  /**
   * Asks the engine for a recompute; while one is in flight, later triggers coalesce into a single
   * follow-up so a slow worker never builds a queue.
   */
  requestNowcast(stationId: string, cause: { correlationId: string | null; causationId: string | null } | null): void {
    const s = this.stations.get(stationId);
    const engine = this.o.nowcast;
    if (!s || !engine || !this.o.config.nowcast.enabled) return;
    if (s.pending.size > 0) {
      s.nowcastDirty = true;
      if (cause) s.queuedCause = cause;
      return;
    }
    const inputs = [s.latestMetarEventId, this.qc.lastEventId(s.id), s.lastClusterEventId].filter((x): x is string => x !== null);
    const atMs = this.o.clock.now();
    const qcState = this.qc.state(s.id);
    // Every request is pending before the first is sent: an inline engine answers at once.
    const round = this.layoutsOf(s).map((l) => ({ ...l, requestId: s.nextRequestId++ }));
    for (const r of round) s.pending.set(r.requestId, { correlationId: cause?.correlationId ?? s.latestMetarEventId, causationId: cause?.causationId ?? null, inputs, layoutGeneration: s.layoutGeneration });
    for (const r of round) engine.recompute(s.id, { requestId: r.requestId, atMs, buckets: r.buckets, qcState, judgeDay: r.judgeDay });
  }

  private onNowcast(r: NowcastResult): void {
    const s = this.stations.get(r.stationId);
    if (!s) return;
    const pending = s.pending.get(r.requestId);
    if (!pending) return;
    s.pending.delete(r.requestId);
    if (r.error) this.o.logger?.warn({ station_id: s.id, error: r.error }, 'nowcast failed');
    // Asked over a layout since replaced (discovery moved on): ask again rather than publish it.
    if (pending.layoutGeneration !== s.layoutGeneration) s.nowcastDirty = true;
    else if (r.outcome) {
      const used = r.outcome.usedObsMs.map((t) => s.metarEventByObsMs.get(t)).filter((x): x is string => x !== undefined);
      const inputs = [...new Set([...used, ...pending.inputs])];
      this.o.sink.emit(
        this.o.events.make(
          'NOWCAST',
          { ...r.outcome.payload, inputs },
          { station_id: s.id, correlation_id: pending.correlationId ?? undefined, causation_id: pending.causationId ?? undefined },
        ),
      );
    }
    if (s.nowcastDirty && s.pending.size === 0) {
      s.nowcastDirty = false;
      const cause = s.queuedCause;
      s.queuedCause = null;
      this.requestNowcast(s.id, cause);
    }
  }
}
