import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { writeAtomically } from './atomic-file.ts';

/** How a state file's reader words its refusals (the file named, its own error class). */
export interface StateRecordErrors {
  /** The file exists but cannot be read (`reason`: the system's). */
  unreadable(reason: string): Error;
  /** The file is not what was written (`detail`: " (not JSON)" or ": path: what is wrong"). */
  damaged(detail: string): Error;
}

/** A state file's JSON, undefined when it does not exist (a first start; a `null` in it is damage); unreadable or not JSON: refused. */
export function readStateJson(file: string, errors: StateRecordErrors): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw errors.unreadable((err as Error).message);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw errors.damaged(' (not JSON)');
  }
}

/** `value` as `schema` reads it; otherwise refused as damaged, naming the first field that is wrong. */
export function parseStateRecord<S extends z.ZodType>(schema: S, value: unknown, errors: StateRecordErrors): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw errors.damaged(`: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
}

/** One state file holding one record: read as `schema` reads it (undefined when absent), replaced atomically. */
export interface StateRecordFile<S extends z.ZodType> {
  load(): z.output<S> | undefined;
  save(record: z.input<S>): void;
}

/**
 * The state file `file` of records `schema` validates. Refusals name the file and what it holds
 * (`what`, plural: "the given-up fills … are damaged"), as errors of the caller's class (`refuse`).
 */
export function stateRecordFile<S extends z.ZodType>(file: string, what: string, schema: S, refuse: (message: string) => Error): StateRecordFile<S> {
  const errors: StateRecordErrors = {
    unreadable: (reason) => refuse(`cannot read the ${what} ${file}: ${reason}`),
    damaged: (detail) => refuse(`the ${what} ${file} are damaged${detail}`),
  };
  return {
    load: () => {
      const value = readStateJson(file, errors);
      return value === undefined ? undefined : parseStateRecord(schema, value, errors);
    },
    save: (record) => writeAtomically(file, JSON.stringify(record) + '\n'),
  };
}
