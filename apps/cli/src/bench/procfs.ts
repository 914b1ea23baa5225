/**
 * What the benchmark reads from a server's process on Linux: CPU time (the run time of all its
 * threads, /proc/<pid>/task/<tid>/schedstat, in nanoseconds; utime+stime from /proc/<pid>/stat
 * where schedstat is missing) and resident set size (/proc/<pid>/status VmRSS).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let clockTicks: number | undefined;

/** Kernel clock ticks per second (USER_HZ), the unit of utime/stime. Almost always 100. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU time of the process (all its threads, not its waited-for children) in milliseconds; undefined
 * if unreadable. utime+stime come in clock ticks (10 ms), too coarse for a fan-out that costs the
 * server a few ms, so the threads' schedstat run times (ns) are summed instead. A thread that exits
 * between two readings drops out of the sum; neither server ends threads under the bench's loads.
 */
export function cpuTimeMs(pid: number): number | undefined {
  return threadRunTimeMs(pid) ?? tickCpuTimeMs(pid);
}

function threadRunTimeMs(pid: number): number | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let ns = 0;
  let read = 0;
  for (const tid of tids) {
    try {
      // "run-time-ns wait-time-ns timeslices"
      const runNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0]);
      if (!Number.isFinite(runNs)) return undefined;
      ns += runNs;
      read++;
    } catch {
      // the thread ended after readdir
    }
  }
  return read > 0 ? ns / 1e6 : undefined;
}

function tickCpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may contain spaces: split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / clockTicksPerSecond();
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes; undefined if unreadable. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
