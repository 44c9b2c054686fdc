/**
 * V8 turns `String.prototype` into a slow (dictionary-mode) object when some module declares
 * `class X extends String` — the redis client does (`VerbatimString`) — and only turns it back once
 * an instance of such a class gets a property. Until then every string method call (`charCodeAt`,
 * `indexOf`, `slice`) runs 2–5× slower, which halves the market-frame decoder's throughput (measured:
 * bench `tape`). Storing a property on an object whose prototype is `String.prototype` makes V8
 * re-optimize the prototype to fast mode.
 *
 * Idempotent and cheap; call it from entry points after the modules they use are loaded (the
 * daemon's composition root, CLI commands, benchmarks).
 */
export function restoreFastStringPrototype(): void {
  const probe = Object.create(String.prototype) as { fast?: boolean };
  probe.fast = true;
}
