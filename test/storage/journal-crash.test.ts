import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournalFile } from '../../src/adapters/storage/journal/reader.ts';
import { journalFile } from '../../src/adapters/storage/layout.ts';
import { makeRecorder, tempDataDir } from './support/recorder.ts';
import { syntheticEvents } from './support/synthetic.ts';

const WRITER = fileURLToPath(new URL('./support/journal-writer.ts', import.meta.url));

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** Runs the writer child until it has acknowledged at least `minAcked` events, then SIGKILLs it. */
function runAndKill(dataDir: string, minAcked: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = 0;
    let buf = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const m = /^acked (\d+)$/.exec(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (m) acked = Number(m[1]);
      }
      // Killed while it keeps writing: the next batch is typically mid-serialization or mid-write.
      if (acked >= minAcked && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('journal crash consistency', () => {
  it('after a SIGKILL during writes, every acknowledged event is read back, in order, with nothing but a torn last line lost', async () => {
    const t = tempDataDir('helios-crash-');
    cleanup = t.cleanup;
    const acked = await runAndKill(t.dir, 5_000);
    expect(acked).toBeGreaterThanOrEqual(5_000);

    const l2 = await readJournalFile(journalFile(t.dir, '2026-01-29', 'l2', '17'));
    const tape = await readJournalFile(journalFile(t.dir, '2026-01-29', 'tape', '17'));
    for (const file of [l2, tape]) {
      // Only a torn tail is tolerated, never a malformed line in the middle.
      expect(file.issues.filter((i) => i.kind === 'malformed')).toEqual([]);
      expect(file.issues.length).toBeLessThanOrEqual(1);
    }
    // Each file holds a gap-free prefix of its channel's sequence (odd: l2, even: tape)...
    const l2Seqs = l2.records.map((r) => r.seq);
    const tapeSeqs = tape.records.map((r) => r.seq);
    expect(l2Seqs).toEqual(l2Seqs.map((_, i) => 2 * i + 1));
    expect(tapeSeqs).toEqual(tapeSeqs.map((_, i) => 2 * i + 2));
    expect(tape.records.every((r, i) => r.type === 'TRADE' && r.payload.size === 2 * i + 2)).toBe(true);
    // ...that covers everything the writer had acknowledged before it died.
    expect(l2Seqs.length + tapeSeqs.length).toBeGreaterThanOrEqual(acked);

    // A torn write is simulated on top (the kill rarely lands inside write(2) itself), then a new
    // recorder appends after the crash: the torn fragment is cut, nothing else is lost.
    const file = journalFile(t.dir, '2026-01-29', 'tape', '17');
    appendFileSync(file, '{"schema_version":1,"event_id":"01KG5B5Q50ZYMH');
    const torn = await readJournalFile(file);
    expect(torn.issues.map((i) => i.kind)).toEqual(['torn_tail']);
    expect(torn.records).toHaveLength(tape.records.length);

    const { recorder } = makeRecorder(t.dir, { windows: null });
    const more = syntheticEvents({ durationMs: 10_000, metarAtMs: [] }).filter((e) => e.ch === 'tape');
    for (const e of more) recorder.emit(e);
    await recorder.close();
    const after = await readJournalFile(file);
    expect(after.issues).toEqual([]);
    expect(after.records.map((r) => r.event_id)).toEqual([...tape.records.map((r) => r.event_id), ...more.map((e) => e.event_id)]);
  });
});
