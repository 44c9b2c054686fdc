/** Process exit codes, documented in the README. */
export const EXIT = {
  OK: 0,
  /** Input data had malformed lines (reported on stderr), or a check failed. */
  DATA_ERROR: 1,
  /** Bad configuration or command-line usage. */
  CONFIG_ERROR: 2,
  /** Runtime failure (unhandled error, supervisor gave up). */
  RUNTIME_ERROR: 3,
  /** Refused on purpose for safety (e.g. real order placement not available). */
  REFUSED: 4,
} as const;
