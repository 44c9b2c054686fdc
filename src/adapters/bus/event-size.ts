import type { HeliosEvent } from '../../domain/events/catalog.ts';

/**
 * Rough V8 heap footprint of a retained event, in bytes: enough to hold a memory budget to the
 * right order of magnitude without serializing every event on the hot path. Object and array
 * headers and slots are counted as V8 lays them out on 64-bit (pointer compression off), strings
 * at one byte per character (Latin-1; identifiers and numbers are) plus their header.
 */
const OBJECT_HEADER = 24;
const SLOT = 8;
const STRING_HEADER = 16;
const HEAP_NUMBER = 16;

export function estimateEventBytes(event: HeliosEvent): number {
  return estimate(event, 0);
}

function estimate(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      return STRING_HEADER + value.length;
    case 'number':
      return Number.isInteger(value) && Math.abs(value) < 2 ** 30 ? 0 : HEAP_NUMBER;
    case 'object': {
      if (value === null || depth > 8) return 0;
      if (Array.isArray(value)) {
        let n = OBJECT_HEADER + SLOT * value.length;
        // Indexed: a for-of here (a recursive function V8 does not inline) allocates an iterator per array.
        for (let i = 0; i < value.length; i++) n += estimate(value[i], depth + 1);
        return n;
      }
      let n = OBJECT_HEADER;
      for (const key in value as Record<string, unknown>) n += SLOT + estimate((value as Record<string, unknown>)[key], depth + 1);
      return n;
    }
    default:
      return 0;
  }
}
