import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsciiBytes } from '../../src/domain/book/ascii-bytes.ts';

const viewOf = (text: string): DataView => new DataView(Uint8Array.from(text, (c) => c.charCodeAt(0)).buffer);

describe('AsciiBytes', () => {
  it('matches exactly where the bytes spell the text, for texts shorter and longer than one group (property)', () => {
    const ascii = fc.stringMatching(/^[\x00-\x7f]{0,40}$/);
    fc.assert(
      fc.property(ascii, ascii, fc.nat(), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0x7f }))), (word, around, cut, typo) => {
        const at = around.length === 0 ? 0 : cut % (around.length + 1);
        let text = around.slice(0, at) + word + around.slice(at);
        if (typo !== null && text.length > 0) {
          const i = typo[0] % text.length;
          text = text.slice(0, i) + String.fromCharCode(typo[1]) + text.slice(i + 1);
        }
        const bytes = AsciiBytes.of(word)!;
        expect(bytes.length).toBe(word.length);
        const view = viewOf(text);
        for (let p = -1; p <= text.length; p++) {
          const expected = p >= 0 && text.startsWith(word, p);
          expect(bytes.matchesAt(view, p, text.length)).toBe(expected);
        }
        // Never past the first n bytes, even when the bytes beyond would match.
        if (word.length > 0 && text.startsWith(word, at)) expect(bytes.matchesAt(view, at, at + word.length - 1)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses non-ASCII text', () => {
    expect(AsciiBytes.of('abcdéfghij')).toBeNull();
    expect(AsciiBytes.of('\u0122')).toBeNull();
    expect(AsciiBytes.of('')?.length).toBe(0);
  });
});
