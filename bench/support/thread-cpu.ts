import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: `/proc` counts CPU time in these ticks (100 a second on every Linux this runs on). */
const TICKS_PER_S = 100;

/**
 * CPU time of the calling thread (user + system) in ms, 10 ms resolution, or NaN off Linux.
 * `process.cpuUsage()` counts every thread (a worker, the collector's helpers) and event-loop
 * utilization counts the time a thread waited for a CPU on a loaded host; this is what the thread
 * itself ran (`process.threadCpuUsage` arrives only in Node 23).
 */
export function threadCpuMs(): number {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return NaN;
  }
  // The command name (field 2) may hold spaces: fields count from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}
