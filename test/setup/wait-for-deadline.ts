import { vi } from 'vitest';

/**
 * `vi.waitFor` gives a condition 1 s by default: on a shared two-core machine under a full run
 * that is a timing assertion, not a wait (a loopback request answered in 1.1 s failed a test).
 * A wait without its own deadline gets this one; one that names a deadline keeps it, since a
 * few tests wait briefly on purpose and go on either way.
 */
const WAIT_FOR_DEFAULT_TIMEOUT_MS = 10_000;

const waitFor = vi.waitFor;
vi.waitFor = ((callback: Parameters<typeof waitFor>[0], options?: Parameters<typeof waitFor>[1]) => {
  if (options === undefined) return waitFor(callback, WAIT_FOR_DEFAULT_TIMEOUT_MS);
  if (typeof options === 'object' && options.timeout === undefined) return waitFor(callback, { ...options, timeout: WAIT_FOR_DEFAULT_TIMEOUT_MS });
  return waitFor(callback, options);
}) as typeof vi.waitFor;
