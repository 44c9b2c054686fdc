import { describe, expect, it } from 'vitest';
import { EntryAcks, slotDeliveryId } from '../../src/adapters/bus/entry-acks.ts';

describe('EntryAcks.settleDelivery', () => {
  it('names an entry for XACK once all of its events are settled, per topic, whatever order their deliveries come in', () => {
    const acks = new EntryAcks();
    acks.track('tape:a', '1-0', 3, []);
    acks.track('tape:b', '1-0', 2, []);
    acks.track('tape:a', '1-1', 12, [11]);
    const settle = (topic: string, entry: string, slot: number) => acks.settleDelivery(topic, slotDeliveryId(entry, slot));
    expect(settle('tape:a', '1-0', 0)).toBeNull();
    expect(settle('tape:b', '1-0', 1)).toBeNull();
    expect(settle('tape:a', '1-0', 0)).toBeNull(); // twice counts once
    expect(settle('tape:a', '1-0', 2)).toBeNull();
    for (let slot = 0; slot < 10; slot++) expect(settle('tape:a', '1-1', slot)).toBeNull();
    expect(settle('tape:b', '1-0', 0)).toBe('1-0');
    expect(settle('tape:a', '1-0', 1)).toBe('1-0');
    expect(settle('tape:a', '1-1', 10)).toBe('1-1'); // slot 11 was malformed, settled at track
    expect(acks.settledWaiting('tape:a')).toBe(0);
  });

  it('answers an entry of one event and an unknown entry at once, and still counts an entry tracked after its id was seen unknown', () => {
    const acks = new EntryAcks();
    expect(acks.settleDelivery('tape:a', '5-0')).toBe('5-0');
    expect(acks.settleDelivery('tape:a', slotDeliveryId('6-0', 0))).toBe('6-0');
    acks.track('tape:a', '6-0', 2, []);
    expect(acks.settleDelivery('tape:a', slotDeliveryId('6-0', 0))).toBeNull();
    expect(acks.settledWaiting('tape:a')).toBe(1);
    expect(acks.settleDelivery('tape:a', slotDeliveryId('6-0', 1))).toBe('6-0');
  });
});
