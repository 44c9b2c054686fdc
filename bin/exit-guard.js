// Every command has finished its work when the CLI's main resolves (servers and daemons are stopped
// by then). Anything still holding the event loop (a worker or socket started while shutting down)
// must not keep a stopped daemon alive under a supervisor: say what it was, then end the process.

/** Ends the process with `code` once nothing holds it open, or after `graceMs` regardless. */
export function exitWhenDone(code, graceMs) {
  process.exitCode = code;
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    process.stderr.write(`helios: the command finished ${graceMs} ms ago but ${open.join(', ') || 'something'} still held the process open; exiting with ${code}\n`);
    process.exit(code);
  }, graceMs).unref();
}
