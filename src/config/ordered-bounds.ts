/**
 * Every backoff in the configuration is a pair `<name>_min_ms` (or `_initial_ms`) … `<name>_max_ms`
 * doubling from the first to the second. A first above the second is a typo the backoffs would
 * silently clamp (every wait at the max, or the min ignored): the whole tree is checked for such
 * pairs, so a section added later is covered too.
 */
export interface BoundsProblem {
  path: Array<string | number>;
  message: string;
}

const LOWER_SUFFIXES = ['_min_ms', '_initial_ms'] as const;

export function misorderedBounds(node: unknown, path: Array<string | number> = []): BoundsProblem[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => misorderedBounds(v, [...path, i]));
  if (node === null || typeof node !== 'object') return [];
  const obj = node as Record<string, unknown>;
  const problems: BoundsProblem[] = [];
  for (const key of Object.keys(obj).sort()) {
    const value = obj[key];
    if (key.endsWith('_max_ms') && typeof value === 'number') {
      const stem = key.slice(0, -'_max_ms'.length);
      for (const suffix of LOWER_SUFFIXES) {
        const lower = obj[stem + suffix];
        if (typeof lower === 'number' && lower > value) {
          problems.push({ path: [...path, stem + suffix], message: `at most ${key} (${value}): a backoff doubles from ${stem + suffix} up to ${key}` });
        }
      }
    } else problems.push(...misorderedBounds(value, [...path, key]));
  }
  return problems;
}
