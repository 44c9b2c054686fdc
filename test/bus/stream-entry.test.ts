import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../src/adapters/bus/stream-entry.ts';
import { testFactory, trade } from '../support/events.ts';

describe('stream entry encoding', () => {
  it('hands the events to the client as UTF-8 bytes (not a string it copies into the command text) that read back as the same events', () => {
    const { factory } = testFactory(5);
    const events = [trade(factory, 'élection-2026', 't→1', 0.42), trade(factory, 'm', '🙂', 0.58)];
    const fields = encodeEntry(events);
    const payload = fields[3];
    expect(Buffer.isBuffer(payload)).toBe(true);
    // What the server stores and a reader gets back: the same bytes as text.
    const decoded = decodeEntry(fields.map((f) => (Buffer.isBuffer(f) ? f.toString('utf8') : f)));
    expect(decoded.problems).toEqual([]);
    expect(decoded.events).toEqual(events);
  });
});
