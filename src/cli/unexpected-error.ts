/** The environment variable that asks for stack traces of unexpected errors. */
export const DEBUG_ENV = 'HELIOS_DEBUG';

/**
 * What a user reads when a command fails in a way it did not foresee: one line saying what failed
 * and what to do. The stack helps only whoever debugs helios, so it comes only when asked for
 * (`HELIOS_DEBUG=1`), after that line.
 */
export function unexpectedErrorText(who: string, err: unknown, env: NodeJS.ProcessEnv): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ').trim() || (err instanceof Error ? err.name : 'unknown error');
  const line = `${who}: unexpected error: ${message} (rerun with ${DEBUG_ENV}=1 for the stack trace; if it persists, report it with that output)\n`;
  if (!debugRequested(env)) return line;
  const stack = err instanceof Error && err.stack ? err.stack : String(err);
  return `${line}${stack}\n`;
}

function debugRequested(env: NodeJS.ProcessEnv): boolean {
  const value = env[DEBUG_ENV];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
