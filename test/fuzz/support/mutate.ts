/**
 * Input generators shared by the fuzz properties: random inputs, and valid samples mutated
 * structurally (drop a field, swap a type, huge numbers, "NaN" strings, deep nesting, unicode,
 * prototype keys) and textually (flip / insert / delete / truncate characters).
 */
import fc from 'fast-check';

/** Strings that break naive number, time and id parsing. */
export const NASTY_STRINGS: readonly string[] = [
  '', ' ', '\t', '\n', '\u0000', '\ud800', '\u202e', '\ufeff0.5', 'ｂｕｙ', '١٢٣', '😀',
  'NaN', 'nan', 'Infinity', '-Infinity', 'undefined', 'null', 'true', 'false',
  '-0', '0', '1', '-1', '0.5', '.5', '5.', '..5', '0.5.5', '+1', '1e309', '-1e309', '1e-400', '5e-324', '0x1A', '0b1', '1_000', ' 0.5', '0.5 ',
  '99999999999999999999999999999', '9'.repeat(400), '0.' + '0'.repeat(300) + '1',
  '2025-13-45T99:99:99Z', '1970-01-01T00:00:00Z', '275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '{"a":1}', '[1,2]', '"quoted"', '\\', '\\u0000', 'PONG', 'PING', 'NO NEW ASSETS',
  'BUY', 'SELL', 'buy', 'LIVE', 'MATCHED', 'CANCELED_', 'TRADE', 'finished', 'x'.repeat(5_000),
];

export const NASTY_NUMBERS: readonly number[] = [
  0, -0, 1, -1, 0.5, 1.5, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, -(2 ** 63), 2 ** 64, 1e21, 0.1 + 0.2, 1_760_000_000, 1_760_000_000_000, 8.64e15 + 1,
];

/** Keys that must never reach a prototype or be trusted as own data. */
export const PROTO_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** [[[…]]] or {"a":{"a":…}} `depth` levels deep. */
export function deepNesting(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = kind === 'array' ? [] : {};
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

function deep(maxDepth: number): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: Math.min(10, maxDepth), max: maxDepth }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => deepNesting(d, k));
}

/**
 * One hostile JSON-ish value. ±Infinity only where `jsonOnly` is false: value-level decoders get
 * them from JSON.parse ("1e400"), while JSON.stringify would turn them into null. Never NaN, which
 * no parsed input can hold.
 */
export function nastyValue(jsonOnly = true, maxDepth = 800): fc.Arbitrary<unknown> {
  const numbers = jsonOnly ? fc.constantFrom(...NASTY_NUMBERS) : fc.constantFrom(...NASTY_NUMBERS, Infinity, -Infinity);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    // Lookups in object literals keyed by venue text find these on Object.prototype.
    { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS, 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'constructor-x-y') },
    { weight: 3, arbitrary: numbers },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: jsonOnly }) },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.double({ noNaN: true }).map(String) },
    { weight: 1, arbitrary: deep(maxDepth) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

/** Every (parent, key) under root, breadth first, capped: no recursion, so deep inputs are fine. */
function slotsOf(root: unknown, limit = 2_000): Slot[] {
  const out: Slot[] = [];
  const queue: unknown[] = [root];
  for (let q = 0; q < queue.length && out.length < limit; q++) {
    const node = queue[q];
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length && out.length < limit; i++) {
        out.push({ parent: node, key: i });
        queue.push(node[i]);
      }
    } else if (typeof node === 'object' && node !== null) {
      for (const k of Object.keys(node)) {
        if (out.length >= limit) break;
        out.push({ parent: node as Record<string, unknown>, key: k });
        queue.push((node as Record<string, unknown>)[k]);
      }
    }
  }
  return out;
}

/** A deep copy without recursion (structuredClone overflows the stack on deep nesting). */
export function cloneJson<T>(value: T): T {
  const copyOf = (v: unknown): unknown => (Array.isArray(v) ? new Array(v.length) : typeof v === 'object' && v !== null ? {} : v);
  const root = copyOf(value);
  const stack: Array<[unknown, unknown]> = [[value, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    if (typeof from !== 'object' || from === null) continue;
    for (const k of Object.keys(from)) {
      const child = (from as Record<string, unknown>)[k];
      const copy = copyOf(child);
      setOwn(to as Container, Array.isArray(to) ? Number(k) : k, copy);
      stack.push([child, copy]);
    }
  }
  return root as T;
}

/** Sets an own property even for `__proto__` (plain assignment would replace the prototype). */
export function setOwn(target: Container, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function retype(v: unknown): unknown {
  if (typeof v === 'string') return v === '' ? 0 : Number.isNaN(Number(v)) ? v.length : Number(v);
  if (typeof v === 'number') return v === 0 ? false : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 0;
  if (v === null) return '';
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (typeof v === 'object') return Object.values(v as object);
  return null;
}

export type StructuralOp =
  | { kind: 'drop'; at: number }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'retype'; at: number }
  | { kind: 'add_key'; at: number; key: string; value: unknown }
  | { kind: 'duplicate'; at: number }
  | { kind: 'wrap'; at: number; inArray: boolean };

export function structuralOp(keys: readonly string[], jsonOnly = true, maxDepth = 800): fc.Arbitrary<StructuralOp> {
  const at = fc.nat();
  const key = fc.oneof(fc.constantFrom(...keys, ...PROTO_KEYS, ''), fc.string({ maxLength: 12 }));
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const), at }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at, value: nastyValue(jsonOnly, maxDepth) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('retype' as const), at }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('add_key' as const), at, key, value: nastyValue(jsonOnly, maxDepth) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), at, inArray: fc.boolean() }) },
  );
}

/** Applies one structural mutation in place; returns the (possibly replaced) root. */
export function applyStructural(root: unknown, op: StructuralOp): unknown {
  const slots = slotsOf(root);
  const i = op.at % (slots.length + 1);
  const slot = i < slots.length ? slots[i]! : null;
  const current = slot === null ? root : (slot.parent as Record<string | number, unknown>)[slot.key];
  const put = (v: unknown): unknown => {
    if (slot === null) return v;
    setOwn(slot.parent, slot.key, v);
    return root;
  };
  switch (op.kind) {
    case 'drop':
      if (slot === null) return undefined;
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      return root;
    case 'replace':
      return put(cloneJson(op.value));
    case 'retype':
      return put(retype(current));
    case 'add_key': {
      const target = typeof current === 'object' && current !== null ? (current as Container) : null;
      if (target === null) return put({ [op.key]: cloneJson(op.value) });
      if (Array.isArray(target)) target.push(cloneJson(op.value));
      else setOwn(target, op.key, cloneJson(op.value));
      return root;
    }
    case 'duplicate':
      if (slot !== null && Array.isArray(slot.parent)) slot.parent.push(cloneJson(current));
      else if (Array.isArray(current) && current.length > 0) current.push(cloneJson(current[0]));
      return root;
    case 'wrap':
      return put(op.inArray ? [current] : { value: current });
  }
}

export type TextOp = { kind: 'flip' | 'insert' | 'delete' | 'truncate' | 'repeat'; at: number; len: number; text: string };

export const textOp: fc.Arbitrary<TextOp> = fc.record({
  kind: fc.constantFrom<TextOp['kind']>('flip', 'flip', 'insert', 'insert', 'delete', 'delete', 'truncate', 'repeat'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 8 }),
  text: fc.oneof(
    fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', '-', '.', 'e', '0', '9', ' ', '\n', '\u0000', 'null', '"":', '\ud83d', 'é', '\u2028'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
  ),
});

export function applyText(text: string, op: TextOp): string {
  const at = text.length === 0 ? 0 : op.at % (text.length + 1);
  switch (op.kind) {
    case 'flip':
      return text.slice(0, at) + op.text + text.slice(at + op.text.length);
    case 'insert':
      return text.slice(0, at) + op.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + op.len);
    case 'truncate':
      return text.slice(0, at);
    case 'repeat':
      return text.slice(0, at) + text.slice(at, at + op.len * 4).repeat(3) + text.slice(at + op.len * 4);
  }
}

/** A valid sample with 1–4 structural mutations (a fresh copy each time: samples stay intact). */
export function mutatedValue(samples: readonly unknown[], keys: readonly string[] = [], jsonOnly = true): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.nat({ max: samples.length - 1 }), fc.array(structuralOp(keys, jsonOnly), { minLength: 1, maxLength: 4 }))
    .map(([i, ops]) => ops.reduce<unknown>((v, op) => applyStructural(v, op), cloneJson(samples[i])));
}

/** A sample's text with 0–3 structural and 1–3 character mutations. */
export function mutatedText(samples: readonly unknown[], keys: readonly string[] = [], render: (v: unknown) => string = jsonText): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat({ max: samples.length - 1 }), fc.array(structuralOp(keys), { maxLength: 3 }), fc.array(textOp, { minLength: 1, maxLength: 3 }))
    .map(([i, ops, edits]) => {
      const value = ops.reduce<unknown>((v, op) => applyStructural(v, op), cloneJson(samples[i]));
      return edits.reduce((t, e) => applyText(t, e), render(value));
    });
}

/** Mutations of plain text samples (METAR lines, CSV rows, NDJSON lines). */
export function mutatedLine(samples: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...samples), fc.array(textOp, { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => edits.reduce((t, e) => applyText(t, e), text));
}

export function jsonText(v: unknown): string {
  return JSON.stringify(v) ?? 'undefined';
}

const JSONISH = [...'{}[]",:0123456789.-+eE \n\\truefalsnPONG'];

/** Random text: bytes, unicode, JSON-ish character soup, and random JSON documents. */
export const shallowRandomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: fc.constantFrom(...JSONISH), maxLength: 120 }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(...NASTY_STRINGS),
);

/** `[[[…` or `{"a":{"a":…`, closed or not: far deeper than any value we build. */
export function deepText(maxDepth: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: Math.min(100, maxDepth), max: maxDepth }), fc.boolean(), fc.boolean())
    .map(([n, arrays, closed]) => (arrays ? '['.repeat(n) + (closed ? ']'.repeat(n) : '') : '{"a":'.repeat(n) + (closed ? '1' + '}'.repeat(n) : '')));
}

export const randomText: fc.Arbitrary<string> = fc.oneof({ weight: 5, arbitrary: shallowRandomText }, { weight: 1, arbitrary: deepText(20_000) });

/** Random JSON values (what JSON.parse can hand a value-level decoder). */
export const randomJsonValue: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 4 }), nastyValue(false), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }));

/** Freezes a value all the way down, so a decoder that writes to its input throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
  return value;
}

/** Own property names of the shared prototypes: a decoder must never add to them. */
export function prototypeFingerprint(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
}
