import { describe, expect, it } from 'vitest';
import { isPlainJsonText, TokenIndex } from '../../src/domain/book/token-index.ts';

const A = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
/** Same length and same last 8 characters as A: the same hash, so they share a probe chain. */
const A_TWIN = '11111111111111111111111111111111111111111111111111111111111111111111183992563';

/** A fresh, flat copy (as a socket delivers it): not the literal the table holds. */
const fresh = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/** Look up text[start, end) where it stands in the text's bytes (ASCII text: byte i is character i). */
function inText<T>(index: TokenIndex<T>, text: string, start: number, end: number): T | undefined {
  const bytes = new TextEncoder().encode(text);
  expect(bytes.length).toBe(text.length);
  return index.getInBytes(new DataView(bytes.buffer), start, end);
}

describe('TokenIndex', () => {
  it('finds ids by value and where they stand in a text; unknown ids and prefixes are not found', () => {
    const index = new TokenIndex<number>();
    index.set(A, 1);
    index.set('42', 2);
    expect(index.get(fresh(A))).toBe(1);
    expect(index.get('42')).toBe(2);
    expect(index.get('43')).toBeUndefined();
    expect(index.get(A.slice(0, -1))).toBeUndefined();
    const text = `{"asset_id":"${A}","x":"42","y":"421"}`;
    const at = text.indexOf(A);
    expect(inText(index, text, at, at + A.length)).toBe(1);
    expect(inText(index, text, at, at + A.length - 1)).toBeUndefined();
    expect(inText(index, text, at + 1, at + A.length)).toBeUndefined();
    const y = text.indexOf('421');
    expect(inText(index, text, y, y + 2)).toBe(2);
    expect(inText(index, text, y, y + 3)).toBeUndefined();
    expect(index.size).toBe(2);
  });

  it('tells apart ids that share a hash (same length, same tail), before and after a removal', () => {
    const index = new TokenIndex<string>();
    const twins = [A, A_TWIN, '2' + A.slice(1), '3' + A.slice(1)];
    for (const id of twins) index.set(id, `v${id[0]}`);
    for (const id of twins) {
      expect(index.get(fresh(id))).toBe(`v${id[0]}`);
      const text = `"${id}"`;
      expect(inText(index, text, 1, text.length - 1)).toBe(`v${id[0]}`);
    }
    expect(index.delete(A_TWIN)).toBe(true);
    expect(index.delete(A_TWIN)).toBe(false);
    expect(index.get(A_TWIN)).toBeUndefined();
    expect(inText(index, `"${A_TWIN}"`, 1, A_TWIN.length + 1)).toBeUndefined();
    for (const id of [A, '2' + A.slice(1), '3' + A.slice(1)]) {
      expect(index.get(fresh(id))).toBe(`v${id[0]}`);
      expect(inText(index, `"${id}"`, 1, id.length + 1)).toBe(`v${id[0]}`);
    }
    expect(index.size).toBe(3);
  });

  it('grows past its first capacity and keeps every id (and a re-added one)', () => {
    const index = new TokenIndex<number>();
    const ids = Array.from({ length: 2000 }, (_, i) => '9' + `${i}`.padStart(76, '0'));
    ids.forEach((id, i) => index.set(id, i));
    index.set(ids[5]!, -5); // overwrite, not a second entry
    expect(index.size).toBe(2000);
    ids.forEach((id, i) => expect(index.get(fresh(id))).toBe(i === 5 ? -5 : i));
    expect(inText(index, `{"asset_id":"${ids[1999]}"}`, 13, 90)).toBe(1999);
    index.delete(ids[7]!);
    expect(index.get(ids[7]!)).toBeUndefined();
    index.set(ids[7]!, 7);
    expect(index.get(ids[7]!)).toBe(7);
    expect(index.keys().sort()).toEqual([...ids].sort());
  });

  it('never matches raw frame text against an id that would not read as itself in JSON', () => {
    const index = new TokenIndex<number>();
    const escaped = 'a\\b'; // a backslash: in a frame, `a\b` would be an escape
    const control = 'a\u0001b'; // raw control characters are invalid JSON
    index.set(escaped, 1);
    index.set(control, 2);
    expect(index.get(escaped)).toBe(1);
    expect(index.get(control)).toBe(2);
    expect(inText(index, `"${escaped}"`, 1, 4)).toBeUndefined();
    expect(inText(index, `"${control}"`, 1, 4)).toBeUndefined();
    // Nor against a non-ASCII id (frames read as bytes are ASCII), nor past the bytes given.
    index.set('é1', 3);
    expect(index.get('é1')).toBe(3);
    expect(inText(index, '"e1"', 1, 3)).toBeUndefined();
    const text = `"${A}"`;
    index.set(A, 4);
    expect(index.getInBytes(new DataView(new TextEncoder().encode(text).buffer), 1, text.length + 7)).toBeUndefined();
    expect(isPlainJsonText(A)).toBe(true);
    expect(isPlainJsonText('a"b')).toBe(false);
  });
});
