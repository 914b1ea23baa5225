/**
 * Small helpers of the recipe suites (on top of targets.ts and test/support): session kill, a critical-section
 * tracker, a condition poll.
 */
import { ZooKeeperClient } from '@paddock/client';
import type { ServerHandle } from '../support/paddock.js';
import { waitFor } from '../support/processes.js';

/** Expires a client's session at once, the way Curator's KillSession does (attach to it, close it). */
export async function killSession(server: ServerHandle, victim: ZooKeeperClient): Promise<void> {
  const killer = new ZooKeeperClient(server.connectString, { sessionId: victim.sessionId, sessionPassword: victim.sessionPassword });
  try {
    await killer.waitForConnected(10_000);
  } finally {
    await killer.close();
  }
}

/** Counts how many are inside at once; `max` must stay 1 for a mutex. */
export class CriticalSection {
  inside = 0;
  max = 0;
  entries = 0;
  readonly violations: string[] = [];

  enter(who: string): void {
    this.inside++;
    this.entries++;
    this.max = Math.max(this.max, this.inside);
    if (this.inside > 1) this.violations.push(`${who} entered with ${this.inside - 1} inside`);
  }

  exit(): void {
    this.inside--;
  }
}

export function until(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<true> {
  return waitFor(description, async () => ((await condition()) ? true : undefined), { timeoutMs, intervalMs: 20 });
}
