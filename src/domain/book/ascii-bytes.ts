/**
 * An ASCII text ready to be recognised in raw bytes (a frame copied into a buffer): its bytes are
 * kept as doubles, 8 bytes each (little-endian; the last group overlaps the one before), so a
 * 77-character token id is checked with 10 loads and compares instead of slicing it out of the
 * frame and comparing strings.
 *
 * Comparing bit patterns as doubles is exact here: 8 bytes below 0x80 never spell NaN (that needs
 * the top byte 0x7f or 0xff and the next ≥ 0xf0) nor −0, and other doubles are equal exactly when
 * their bits are; compared bytes that happen to spell NaN only fail to match.
 */
export class AsciiBytes {
  readonly length: number;
  private readonly groups: Float64Array;
  private readonly offsets: Int32Array;
  /** The bytes themselves, for texts shorter than one group. */
  private readonly bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.length = bytes.length;
    this.bytes = bytes;
    const offsets: number[] = [];
    if (bytes.length >= 8) {
      for (let o = 0; o + 8 < bytes.length; o += 8) offsets.push(o);
      offsets.push(bytes.length - 8);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offsets = Int32Array.from(offsets);
    this.groups = Float64Array.from(offsets, (o) => view.getFloat64(o, true));
  }

  /** The text's bytes; null when a character is not ASCII. */
  static of(text: string): AsciiBytes | null {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return null;
      bytes[i] = c;
    }
    return new AsciiBytes(bytes);
  }

  /** view[at, at + length) holds this text, and lies within its first n bytes. */
  matchesAt(view: DataView, at: number, n: number): boolean {
    if (at < 0 || at + this.length > n) return false;
    const groups = this.groups;
    const offsets = this.offsets;
    if (groups.length === 0) {
      const bytes = this.bytes;
      for (let i = 0; i < bytes.length; i++) if (view.getUint8(at + i) !== bytes[i]) return false;
      return true;
    }
    for (let k = 0; k < groups.length; k++) if (view.getFloat64(at + offsets[k]!, true) !== groups[k]) return false;
    return true;
  }
}
