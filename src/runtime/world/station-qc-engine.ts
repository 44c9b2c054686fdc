import { createActor, type Actor } from 'xstate';
import type { EventFactory } from '../../domain/events/factory.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import type { QcVerdict } from '../../domain/weather/pws-qc.ts';
import { stationQcMachine, type StationQcState } from '../../machines/station-qc/station-qc.machine.ts';

export type QcSubject = 'metar' | 'pws';

export interface StationQcSettings {
  metarStaleAfterMs: number;
  pwsStaleAfterMs: number;
  outliersToDegrade: number;
  passesToRecover: number;
}

export interface QcChange {
  stationId: string;
  kind: QcSubject;
  targetStation: string;
  state: StationQcState;
  previous: StationQcState | null;
  reason: string;
  eventId: string;
}

interface Entry {
  actor: Actor<typeof stationQcMachine>;
  kind: QcSubject;
  targetStation: string;
  state: StationQcState;
  lastEventId: string | null;
}

/**
 * One station-QC actor per METAR station and per PWS, on the injected clock (so staleness timers run
 * in virtual time in replay and tests). Publishes QC_STATE on every state change.
 */
export class StationQcEngine {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners: Array<(c: QcChange) => void> = [];
  private pendingCause: string | undefined;

  constructor(
    private readonly o: { clock: Clock; sink: EventSink; events: EventFactory; settings: StationQcSettings },
  ) {}

  /** Creates the station's actor (state `stale` until its first reading). */
  ensure(stationId: string, kind: QcSubject, targetStation: string): void {
    if (this.entries.has(stationId)) return;
    const s = this.o.settings;
    const actor = createActor(stationQcMachine, {
      clock: this.o.clock,
      input: {
        stationId,
        staleAfterMs: kind === 'metar' ? s.metarStaleAfterMs : s.pwsStaleAfterMs,
        outliersToDegrade: s.outliersToDegrade,
        passesToRecover: s.passesToRecover,
      },
    });
    const entry: Entry = { actor, kind, targetStation, state: 'stale', lastEventId: null };
    this.entries.set(stationId, entry);
    actor.subscribe((snap) => {
      const state = snap.value as StationQcState;
      if (state === entry.state) return;
      const previous = entry.state;
      entry.state = state;
      this.publish(stationId, entry, previous, snap.context.reason);
    });
    actor.start();
  }

  private publish(stationId: string, entry: Entry, previous: StationQcState, reason: string): void {
    const ev = this.o.events.make(
      'QC_STATE',
      { state: entry.state, previous, reason, kind: entry.kind, target_station: entry.targetStation },
      { station_id: stationId, causation_id: this.pendingCause },
    );
    entry.lastEventId = ev.event_id;
    this.o.sink.emit(ev);
    const change: QcChange = { stationId, kind: entry.kind, targetStation: entry.targetStation, state: entry.state, previous, reason, eventId: ev.event_id };
    for (const l of this.listeners) l(change);
  }

  /** Feeds one check result; `causationId` is the event that carried the reading. */
  check(stationId: string, verdict: QcVerdict, reason: string, at: number, causationId?: string): void {
    const e = this.entries.get(stationId);
    if (!e) throw new Error(`QC: unknown station ${stationId}`);
    this.pendingCause = causationId;
    try {
      e.actor.send({ type: 'CHECKED', verdict, reason, at });
    } finally {
      this.pendingCause = undefined;
    }
  }

  state(stationId: string): StationQcState {
    return this.entries.get(stationId)?.state ?? 'stale';
  }

  /** Event id of the station's latest QC_STATE (for the nowcast's inputs), null before any change. */
  lastEventId(stationId: string): string | null {
    return this.entries.get(stationId)?.lastEventId ?? null;
  }

  onChange(listener: (c: QcChange) => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    for (const id of [...this.entries.keys()].sort()) this.entries.get(id)!.actor.stop();
    this.entries.clear();
  }
}
