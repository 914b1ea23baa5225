/**
 * Every measured run starts once the benchmark's server processes are idle. A server keeps working
 * for a while after a workload ends (ZooKeeper's JVM collecting the garbage of a fan-out's 1,000
 * sessions, for one), and with A B alternation on a 2-core machine that work would otherwise land on
 * the other server's next run: its clients and its event loop would share the cores with it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuTimeMs } from './procfs.js';

export interface QuietOptions {
  /** Length of one CPU reading window. */
  windowMs: number;
  /** The processes count as idle when together they used at most this fraction of one core in a window. */
  maxBusyFraction: number;
  /** Give up waiting after this long (the run goes ahead; the caller notes it). */
  timeoutMs: number;
}

export const DEFAULT_QUIET: QuietOptions = { windowMs: 200, maxBusyFraction: 0.05, timeoutMs: 15_000 };

export interface QuietResult {
  quiet: boolean;
  waitedMs: number;
  /** CPU the processes used in the last window, as a fraction of one core. */
  busyFraction: number;
}

export interface QuietDeps {
  readCpuMs(pid: number): number | undefined;
  sleep(ms: number): Promise<unknown>;
  now(): number;
}

const realDeps: QuietDeps = { readCpuMs: cpuTimeMs, sleep: (ms) => sleep(ms), now: () => performance.now() };

/** CPU the processes used between two readings, over the pids readable both times (one that exited drops out). */
export function cpuUsedMs(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let used = 0;
  for (const [pid, ms] of after) {
    const start = before.get(pid);
    if (start !== undefined) used += Math.max(0, ms - start);
  }
  return used;
}

export function readCpu(pids: readonly number[], read: QuietDeps['readCpuMs'] = cpuTimeMs): Map<number, number> {
  const readings = new Map<number, number>();
  for (const pid of new Set(pids)) {
    const ms = read(pid);
    if (ms !== undefined) readings.set(pid, ms);
  }
  return readings;
}

/** Waits until the processes `pids()` names (asked again for each window) are idle, or the timeout passes. */
export async function waitUntilQuiet(pids: () => readonly number[], options: QuietOptions = DEFAULT_QUIET, deps: QuietDeps = realDeps): Promise<QuietResult> {
  const start = deps.now();
  for (;;) {
    const watched = pids();
    if (watched.length === 0) return { quiet: true, waitedMs: deps.now() - start, busyFraction: 0 };
    const before = readCpu(watched, deps.readCpuMs);
    const t0 = deps.now();
    await deps.sleep(options.windowMs);
    const after = readCpu(watched, deps.readCpuMs);
    const busyFraction = cpuUsedMs(before, after) / Math.max(deps.now() - t0, 1);
    const waitedMs = deps.now() - start;
    if (busyFraction <= options.maxBusyFraction) return { quiet: true, waitedMs, busyFraction };
    if (waitedMs >= options.timeoutMs) return { quiet: false, waitedMs, busyFraction };
  }
}
