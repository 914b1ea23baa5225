/**
 * Small helpers of the recipe suites (on top of targets.ts and test/support): session kill, a critical-section
 * tracker, a condition poll.
 */
import { SessionExpiredError, ZooKeeperClient } from '@paddock/client';
import type { ServerHandle } from '../support/paddock.js';
import { waitFor } from '../support/processes.js';

/**
 * Expires a client's session at once, the way Curator's KillSession does (attach to it, close it). Attaching
 * closes the victim's socket, and the victim reconnects after its reconnect delay (~200 ms in these suites):
 * if that lands between the killer's connect and its close, the session moves back to the victim and the
 * closeSession goes nowhere, and the victim keeps its session (the likely cause of one CI timeout on a loaded
 * machine). So this attaches and closes again until attaching is refused as expired.
 */
export async function killSession(server: ServerHandle, victim: ZooKeeperClient): Promise<void> {
  const credentials = { sessionId: victim.sessionId, sessionPassword: victim.sessionPassword };
  for (let attempt = 1; ; attempt++) {
    const killer = new ZooKeeperClient(server.connectString, credentials);
    try {
      await killer.waitForConnected(10_000);
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      throw error;
    } finally {
      await killer.close();
    }
    if (attempt >= 10) throw new Error(`session 0x${credentials.sessionId.toString(16)} is still alive after ${attempt} kills`);
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
