import pino, { type Logger } from 'pino';
import { LOG_REDACT_PATHS } from '../../config/secrets.ts';
import { redactForLog, scrubText } from './redact.ts';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  format?: 'auto' | 'json' | 'pretty';
  /** Destination stream; defaults to stdout (fd 1). Tests pass their own. */
  destination?: NodeJS.WritableStream;
  name?: string;
}

/**
 * JSON lines with correlation ids as standard fields (`correlation_id`, `causation_id`,
 * `event_id`, and the entity ids) and secret paths redacted; human-readable on a terminal.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const format = opts.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && !opts.destination && process.stdout.isTTY === true);
  const base = {
    level: opts.level ?? 'info',
    name: opts.name ?? 'helios',
    redact: { paths: LOG_REDACT_PATHS, censor: '[REDACTED]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }), log: redactForLog },
    // Messages are not part of the object `formatters.log` sees: scrub them on the way in.
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)));
      },
    },
  };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(base, opts.destination ?? pino.destination({ fd: 1, sync: false }));
}

/** Child logger carrying the ids of the event being handled. */
export function withCorrelation(
  logger: Logger,
  ids: { correlation_id?: string; causation_id?: string; event_id?: string; market_id?: string; token_id?: string; station_id?: string; match_id?: string },
): Logger {
  return logger.child(ids);
}
