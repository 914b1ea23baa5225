import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from '@jest/globals';
import { cpuUsedMs, waitUntilQuiet, type QuietDeps } from './quiet.js';

/** A fake machine: each pid burns a scripted number of CPU ms per elapsed ms until a given time. */
function scripted(load: Record<number, { busyUntilMs: number; cores: number }>): QuietDeps & { clock: number } {
  const deps = {
    clock: 0,
    readCpuMs(pid: number): number | undefined {
      const l = load[pid];
      if (!l) return undefined;
      return Math.min(deps.clock, l.busyUntilMs) * l.cores;
    },
    async sleep(ms: number): Promise<void> {
      deps.clock += ms;
    },
    now: () => deps.clock,
  };
  return deps;
}

describe('waitUntilQuiet', () => {
  it('returns after one window when every process is idle', async () => {
    const deps = scripted({ 1: { busyUntilMs: 0, cores: 1 }, 2: { busyUntilMs: 0, cores: 1 } });
    const result = await waitUntilQuiet(() => [1, 2], { windowMs: 200, maxBusyFraction: 0.05, timeoutMs: 10_000 }, deps);
    expect(result).toEqual({ quiet: true, waitedMs: 200, busyFraction: 0 });
  });

  it('waits while any process works and sums the processes', async () => {
    // pid 2 works at 1.5 cores (a JVM collecting on two threads) for 1 s
    const deps = scripted({ 1: { busyUntilMs: 0, cores: 1 }, 2: { busyUntilMs: 1000, cores: 1.5 } });
    const result = await waitUntilQuiet(() => [1, 2], { windowMs: 200, maxBusyFraction: 0.05, timeoutMs: 10_000 }, deps);
    expect(result.quiet).toBe(true);
    expect(result.waitedMs).toBe(1200);
  });

  it('gives up at the timeout and says so', async () => {
    const deps = scripted({ 7: { busyUntilMs: Number.POSITIVE_INFINITY, cores: 0.5 } });
    const result = await waitUntilQuiet(() => [7], { windowMs: 200, maxBusyFraction: 0.05, timeoutMs: 1000 }, deps);
    expect(result).toEqual({ quiet: false, waitedMs: 1000, busyFraction: 0.5 });
  });

  it('counts a process that exits mid-window as idle, and no processes as quiet', async () => {
    expect(cpuUsedMs(new Map([[1, 50], [2, 10]]), new Map([[1, 60]]))).toBe(10);
    expect(await waitUntilQuiet(() => [], undefined, scripted({}))).toEqual({ quiet: true, waitedMs: 0, busyFraction: 0 });
  });

  describe('with real processes', () => {
    const children: ChildProcess[] = [];
    const start = (code: string): ChildProcess => {
      const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
      children.push(child);
      return child;
    };
    afterEach(() => {
      for (const child of children.splice(0)) child.kill('SIGKILL');
    });

    it('sees a spinning process as busy and a sleeping one as idle', async () => {
      const spinning = start('for (;;) {}');
      const sleeping = start('setTimeout(() => {}, 60_000)');
      // let both get past node's start-up
      await new Promise((resolve) => setTimeout(resolve, 500));
      const options = { windowMs: 200, maxBusyFraction: 0.05, timeoutMs: 600 };
      const busy = await waitUntilQuiet(() => [spinning.pid!, sleeping.pid!], options);
      expect(busy.quiet).toBe(false);
      expect(busy.busyFraction).toBeGreaterThan(0.05);
      const idle = await waitUntilQuiet(() => [sleeping.pid!], { ...options, timeoutMs: 5_000 });
      expect(idle.quiet).toBe(true);
      expect(idle.busyFraction).toBeLessThanOrEqual(0.05);
    }, 20_000);
  });
});
