import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
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

  it('a line is written as the record was at write: a later change to the event does not reach the file', async () => {
    const file = path.join(dataDir(), 'dispatch', 'session-000000004.ndjson');
    const writer = new DispatchLogWriter(file, header);
    const { factory } = testFactory(6);
    const event = trade(factory, 'm', 't', 0.42);
    const before = stableStringify({ seq: 1, event });
    writer.writeEvent(1, event);
    (event.payload as { price: number }).price = 0.99;
    await writer.close();
    expect(readFileSync(file, 'utf8').split('\n')[1]).toBe(before);
  });

  it('an event that cannot be serialized throws from write and leaves no partial line', async () => {
    const file = path.join(dataDir(), 'dispatch', 'session-000000005.ndjson');
    const writer = new DispatchLogWriter(file, header);
    const { factory } = testFactory(7);
    const good = trade(factory, 'm', 't', 0.4);
    const bad = { ...good, payload: { price: { toJSON: () => { throw new Error('no JSON'); } } } } as unknown as typeof good;
    writer.writeEvent(1, good);
    expect(() => writer.writeEvent(2, bad)).toThrow('no JSON');
    writer.writeEvent(2, good);
    await writer.close();
    expect(readFileSync(file, 'utf8')).toBe([header, { seq: 1, event: good }, { seq: 2, event: good }].map((r) => stableStringify(r) + '\n').join(''));
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
