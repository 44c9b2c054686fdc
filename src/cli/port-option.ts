import type { PortUnavailable } from '../adapters/net/listen.ts';

/** How a port option's error message says the accepted values. */
export const PORT_TEXT = 'a whole number 0–65535 (0: any free port)';

/**
 * A port option's value (`--port`, `--clob-port`): the port, or null when it is not one. Plain
 * digits only: Number() would read '' as 0 (any free port), '0x10' as 16, ' 8' as 8 and '1e3' as 1000.
 */
export function parsePort(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const port = Number(text);
  return port <= 65_535 ? port : null;
}

/** The one usage message for a bad port option, naming the flag and the value as given. */
export function badPortMessage(flag: string, text: string | undefined): string {
  return `${flag} expects ${PORT_TEXT}; got ${JSON.stringify(text)}`;
}

/** What sets a port that defaults to api.port: the option when given, else the config key (and how). */
export function apiPortSetBy(fromOption: boolean): string {
  return fromOption ? '--port' : 'api.port (the config file or HELIOS_API__PORT; --port overrides it)';
}

/**
 * The usage message for a port a server cannot have, with the option or config key that set it
 * (`setBy`), so the operator knows what to change.
 */
export function portUnavailableMessage(err: PortUnavailable, setBy: string): string {
  return `${err.message}; the port is set by ${setBy}: ${err.remedy}`;
}
