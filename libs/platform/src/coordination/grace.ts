/**
 * Grace-period tracking of workers (pure, injected clock): a worker that vanished is only treated as dead after
 * it stayed away for `graceMs` (a session blip, a quick restart that re-registers the same id, is not a death).
 *
 * `observe(live, now)` is called with the ids currently registered; `expired(now)` lists the ids that are gone
 * for at least the grace period; `inGrace(now)` those that are gone but may still come back. Ids only matter
 * once they were seen live or were declared `expect`ed (e.g. the owners named in a persisted assignment, so a
 * master that starts after a worker died still waits one grace period from its own start).
 */
export class GraceTracker {
  private readonly missingSince = new Map<string, number>();
  private readonly known = new Set<string>();

  constructor(readonly graceMs: number) {
    if (!(graceMs >= 0)) throw new RangeError('graceMs must be >= 0');
  }

  /** Declares ids that should be live (owners of current work); missing ones start their grace now. */
  expect(ids: Iterable<string>, now: number): void {
    for (const id of ids) {
      if (!this.known.has(id)) {
        this.known.add(id);
        this.missingSince.set(id, now);
      }
    }
  }

  /** Records the ids registered now. */
  observe(live: Iterable<string>, now: number): void {
    const liveSet = new Set(live);
    for (const id of liveSet) {
      this.known.add(id);
      this.missingSince.delete(id);
    }
    for (const id of this.known) {
      if (!liveSet.has(id) && !this.missingSince.has(id)) this.missingSince.set(id, now);
    }
  }

  isLive(id: string): boolean {
    return this.known.has(id) && !this.missingSince.has(id);
  }

  /** Gone, but still within the grace period (its work must not move yet). */
  inGrace(now: number): string[] {
    return [...this.missingSince].filter(([, since]) => now - since < this.graceMs).map(([id]) => id);
  }

  /** Gone for at least the grace period (its work may move). */
  expired(now: number): string[] {
    return [...this.missingSince].filter(([, since]) => now - since >= this.graceMs).map(([id]) => id);
  }

  /** When the next grace period ends (to schedule a re-check), or undefined. */
  nextDeadline(now: number): number | undefined {
    let next: number | undefined;
    for (const since of this.missingSince.values()) {
      const d = since + this.graceMs;
      if (d > now && (next === undefined || d < next)) next = d;
    }
    return next;
  }

  /** Forgets a dead id whose work has been moved. */
  forget(id: string): void {
    this.known.delete(id);
    this.missingSince.delete(id);
  }
}

/**
 * Epoch fencing rule of workers: an assignment is applied only if its epoch is at least the highest epoch the
 * worker has seen (a deposed master's late write is refused). Returns the new highest epoch, or `null` to refuse.
 */
export function acceptEpoch(highestSeen: number, incoming: number): number | null {
  if (!Number.isInteger(incoming) || incoming < 0) return null;
  return incoming >= highestSeen ? incoming : null;
}
