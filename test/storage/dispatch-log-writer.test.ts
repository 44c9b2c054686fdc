import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { DispatchLogWriter, readDispatchLog, type DispatchHeader, type DispatchRecord } from '../../src/adapters/storage/dispatch-log.ts';
import { stableStringify } from '../../src/domain/util/stable-json.ts';
import { testFactory, trade } from '../support/events.ts';
import { dataDirsRemovedAfterEach } from './support/data-dirs.ts';

const dataDir = dataDirsRemovedAfterEach();

const header: DispatchHeader = { kind: 'dispatch_header', version: 1, session: 3, start_ms: 1_700_000_000_000, ids_seed: 7, seq_base: 0, markets: [] };

describe('dispatch log writer', () => {
  it('writes exactly the lines stableStringify gives, across turns and buffer growth, and everything by close', async () => {
    const file = path.join(dataDir(), 'dispatch', 'session-000000003.ndjson');
    const writer = new DispatchLogWriter(file, header);
    const { factory } = testFactory(5);
    const records: DispatchRecord[] = [];
    for (let i = 1; i <= 3_000; i++) {
      const record: DispatchRecord = i % 7 === 0 ? { seq: i, tick: 1_700_000_000_000 + i } : { seq: i, event: trade(factory, `m${i % 5}`, `t${i % 9}`, (i % 90) / 100 + 0.01) };
      records.push(record);
      writer.write(record);
      // Some turns end mid-way: lines go out while others are still being written.
      if (i % 500 === 0) await nextTurn();
    }
    await writer.close();
    const want = [header, ...records].map((r) => stableStringify(r) + '\n').join('');
    expect(readFileSync(file, 'utf8')).toBe(want);
    const back = await readDispatchLog(file);
    expect(back.header).toEqual(header);
    expect(back.records).toEqual(JSON.parse(JSON.stringify(records)));
  });

  it('lines are serialized when the turn hands them to the file: an immediate registered before runs first', async () => {
    const file = path.join(dataDir(), 'dispatch', 'session-000000004.ndjson');
    const writer = new DispatchLogWriter(file, header);
    const { factory } = testFactory(6);
    const event = trade(factory, 'm', 't', 0.42);
    await new Promise((r) => setTimeout(r, 5)); // the header is out
    // The market tape's end-of-turn flush was registered before the node logged this input.
    let ranFirst = false;
    setImmediate(() => {
      (event.payload as { price: number }).price = 0.43;
      ranFirst = true;
    });
    writer.writeEvent(1, event);
    await new Promise((r) => setTimeout(r, 5));
    expect(ranFirst).toBe(true);
    await writer.close();
    expect(readFileSync(file, 'utf8').split('\n')[1]).toBe(stableStringify({ seq: 1, event: { ...event, payload: { ...event.payload, price: 0.43 } } }));
  });

  it('an input that cannot be serialized ends the log there: no partial line, reported once, close rejects; the lines before it read back', async () => {
    const file = path.join(dataDir(), 'dispatch', 'session-000000005.ndjson');
    const errors: Error[] = [];
    const writer = new DispatchLogWriter(file, header, (err) => errors.push(err));
    const { factory } = testFactory(7);
    const good = trade(factory, 'm', 't', 0.4);
    const bad = { ...good, payload: { price: { toJSON: () => { throw new Error('no JSON'); } } } } as unknown as typeof good;
    writer.writeEvent(1, good);
    writer.writeTick(2, 1_700_000_000_500);
    // The trading node goes on: logging is not what stops it.
    expect(() => writer.writeEvent(3, bad)).not.toThrow();
    writer.writeEvent(4, good);
    await expect(writer.close()).rejects.toThrow('dispatch input 3 cannot be serialized: no JSON');
    expect(errors.map((e) => e.message)).toEqual(['dispatch input 3 cannot be serialized: no JSON']);
    expect(readFileSync(file, 'utf8')).toBe([header, { seq: 1, event: good }, { seq: 2, tick: 1_700_000_000_500 }].map((r) => stableStringify(r) + '\n').join(''));
    expect((await readDispatchLog(file)).records).toHaveLength(2);
  });

  it('with a cadence, lines reach the file every flushIntervalMs or once flushMaxBytes wait, not every turn; close writes the rest', async () => {
    const file = path.join(dataDir(), 'dispatch', 'session-000000006.ndjson');
    // An interval long beside a loaded machine's scheduling delays: what is early or late is plain.
    const intervalMs = 2_000;
    const writer = new DispatchLogWriter(file, header, undefined, { flushIntervalMs: intervalMs, flushMaxBytes: 4_096 });
    const { factory } = testFactory(9);
    const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
    await vi.waitFor(() => expect(lines()).toBe(1), { timeout: 3 * intervalMs }); // the header
    writer.writeEvent(1, trade(factory, 'm', 't', 0.4));
    const written = Date.now();
    await nextTurn();
    await new Promise((r) => setTimeout(r, 20));
    expect(lines()).toBe(1); // serialized, waiting for the interval
    await vi.waitFor(() => expect(lines()).toBe(2), { timeout: 3 * intervalMs });
    expect(Date.now() - written).toBeGreaterThanOrEqual(intervalMs - 50);
    // Past flushMaxBytes: out on the next turn, well before the interval would send it.
    const burst = Date.now();
    for (let i = 2; i <= 40; i++) writer.writeEvent(i, trade(factory, 'm', 't', 0.4));
    await nextTurn();
    await vi.waitFor(() => expect(lines()).toBe(41), { timeout: intervalMs / 2 });
    expect(Date.now() - burst).toBeLessThan(intervalMs);
    writer.writeEvent(41, trade(factory, 'm', 't', 0.4));
    await writer.close();
    expect(lines()).toBe(42);
  });

  it.runIf(process.platform === 'linux')('a failed write is reported once as it happens, and close rejects with it (a full disk: /dev/full)', async () => {
    const errors: Error[] = [];
    const writer = new DispatchLogWriter('/dev/full', header, (err) => errors.push(err));
    const { factory } = testFactory(8);
    for (let i = 1; i <= 50; i++) {
      writer.writeEvent(i, trade(factory, 'm', 't', 0.4));
      if (i % 10 === 0) await nextTurn();
    }
    await expect(writer.close()).rejects.toThrow(/ENOSPC/);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/ENOSPC/);
  });
});
