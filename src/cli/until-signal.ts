/**
 * Resolves on the first SIGINT or SIGTERM, or after `timeoutMs` when given, with its listeners
 * removed: how a command that serves (playback, a served replay) waits for the operator to stop it.
 */
export function untilSignal(timeoutMs?: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      process.removeListener('SIGINT', done);
      process.removeListener('SIGTERM', done);
      if (timer !== undefined) clearTimeout(timer);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs).unref();
  });
}
