import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { replayTruth } from '../../src/apps/truth-replay/truth-replay.ts';
import { REPORT_STATUSES, type ReportStatus } from '../../src/domain/truth/report.ts';
import { truthMachine } from '../../src/machines/truth/truth.machine.ts';
import { defaultTruthConfig, MATCH, RULES, report } from './support.ts';

const SOURCES = ['grid', 'pandascore', 'polymarket_sports', 'liquipedia'] as const;
const config = defaultTruthConfig();

interface Say {
  source: string;
  status: ReportStatus;
  winner: 'A' | 'B' | null;
  gap: number;
}

const saying = (sources: readonly string[]) =>
  fc
    .record({
      source: fc.constantFrom(...sources),
      status: fc.constantFrom(...REPORT_STATUSES, 'finished', 'running'),
      winner: fc.constantFrom('A', 'B', null),
      gap: fc.integer({ min: 0, max: 90_000 }),
    })
    .map((s): Say => ({ ...s, winner: s.status === 'finished' ? s.winner : null }));

function toNdjson(says: readonly Say[], matchId = 'm1'): string {
  let t = Date.UTC(2026, 3, 5, 15, 0, 0);
  return says
    .map((s) => {
      t += s.gap;
      return JSON.stringify({ ts: new Date(t).toISOString(), source: s.source, match_id: matchId, status: s.status, winner: s.winner, score: null, teams: ['A', 'B'] });
    })
    .join('\n');
}

/** Pure stepping through the machine: the state after each report. */
function states(says: readonly Say[]) {
  let [snap] = initialTransition(truthMachine, { match: MATCH, rules: RULES, now: 0 });
  let t = 0;
  const out = [];
  for (const s of says) {
    t += s.gap;
    [snap] = transition(truthMachine, snap, { type: 'REPORT', report: report(s.source, s.status, t, s.winner) });
    out.push({ snap, t });
  }
  return out;
}

describe('truth properties', () => {
  it('reports from a single Tier-B or Tier-C source never make a match effectively final', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pandascore', 'polymarket_sports', 'liquipedia').chain((source) => fc.array(saying([source]), { minLength: 1, maxLength: 12 })),
        (says) => {
          const { lines, errors } = replayTruth(toNdjson(says), config);
          expect(errors).toEqual([]);
          for (const line of lines) expect(JSON.parse(line).state).not.toBe('effectively_final');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('an invalidation always leaves effectively_final', () => {
    let finals = 0;
    const final = fc.constantFrom<Say[]>(
      [{ source: 'grid', status: 'finished', winner: 'A', gap: 1 }],
      [
        { source: 'pandascore', status: 'finished', winner: 'B', gap: 1 },
        { source: 'polymarket_sports', status: 'finished', winner: 'B', gap: 1 },
      ],
    );
    fc.assert(
      fc.property(fc.array(saying(SOURCES), { maxLength: 6 }), final, fc.array(saying(SOURCES), { maxLength: 6 }), fc.constantFrom(...SOURCES), (before, fin, after, invalidator) => {
        for (const { snap, t } of states([...before, ...fin, ...after])) {
          if (snap.value !== 'effectively_final') continue;
          finals++;
          const [next] = transition(truthMachine, snap, { type: 'REPORT', report: report(invalidator, 'invalidated', t + 1) });
          expect(next.value).toBe('invalidated');
        }
      }),
      { numRuns: 200 },
    );
    expect(finals).toBeGreaterThan(100);
  });

  it('identical input gives identical output', () => {
    fc.assert(
      fc.property(fc.array(saying(SOURCES), { minLength: 1, maxLength: 15 }), fc.array(saying(SOURCES), { maxLength: 8 }), (a, b) => {
        const text = `${toNdjson(a, 'm1')}\n${toNdjson(b, 'm2')}`;
        const first = replayTruth(text, config);
        const second = replayTruth(text, config);
        expect(second).toEqual(first);
        expect(first.lines.length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });
});
