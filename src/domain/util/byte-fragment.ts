/**
 * Bytes written often and as they are (a member's `"k":`), with their whole 4-byte words ready:
 * copying one takes a store per word through a DataView where a byte loop takes one per byte,
 * about half the time for a key of a dozen bytes, and keys are a third of a journal line's bytes.
 */
export class Fragment {
  readonly words: Uint32Array;

  constructor(readonly bytes: Uint8Array) {
    const view = dataViewOf(bytes);
    this.words = new Uint32Array(bytes.length >> 2);
    for (let i = 0; i < this.words.length; i++) this.words[i] = view.getUint32(4 * i, true);
  }
}

export function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
