/**
 * A copy of `s` that does not keep alive the string it was cut from. V8 represents a slice of 13
 * characters or more as a view of its parent, so a 40-character book hash sliced out of a frame's
 * text held the whole frame for as long as a book kept its last hash (young collections copied the
 * frame, often twice, and promoted it). Prepending a character makes a rope, which V8 flattens
 * into a fresh string when it is sliced; the result is a view of that small copy only.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
