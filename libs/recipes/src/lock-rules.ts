/**
 * The pure decisions of the lock recipes: how lock nodes are ordered, whether a node holds the lock, and which
 * single node it has to watch otherwise (never the parent's child list: no herd effect).
 */
import { sequenceOf } from './utils.js';

/** Orders lock node names by their sequence suffix (the GUID prefixes differ, so plain sorting would not do). */
export function sortBySequence(names: readonly string[]): string[] {
  return [...names].sort((a, b) => sequenceOf(a) - sequenceOf(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export type LockDecision = { acquired: true } | { acquired: false; watch: string };

export class LockNodeMissingError extends Error {
  constructor(name: string) {
    super(`lock node ${name} is gone (session expired or deleted)`);
    this.name = 'LockNodeMissingError';
  }
}

/**
 * Mutex / semaphore-style decision (Curator StandardLockInternalsDriver): the node holds the lock when fewer than
 * `maxLeases` nodes precede it; otherwise it watches the node `maxLeases` places before it (its immediate
 * predecessor for a mutex).
 */
export function mutexDecision(sorted: readonly string[], ours: string, maxLeases = 1): LockDecision {
  const index = sorted.indexOf(ours);
  if (index < 0) throw new LockNodeMissingError(ours);
  if (index < maxLeases) return { acquired: true };
  return { acquired: false, watch: sorted[index - maxLeases]! };
}

export const READ_MARKER = '__READ__';
export const WRITE_MARKER = '__WRIT__';

export function isWriteNode(name: string): boolean {
  return name.includes(WRITE_MARKER);
}
export function isReadNode(name: string): boolean {
  return name.includes(READ_MARKER);
}

/**
 * A write lock is held by the first node; a writer waits on its immediate predecessor (reader or writer), so a
 * release wakes at most one writer.
 */
export function writeDecision(sorted: readonly string[], ours: string): LockDecision {
  return mutexDecision(sorted, ours, 1);
}

/**
 * A read lock is held when no write node precedes it (readers share), or when the caller already holds the write
 * lock (downgrade / re-entry). Otherwise the reader waits on the NEAREST write node before it — not the first
 * one, as Curator does — so a writer's release wakes only the readers queued directly behind it.
 */
export function readDecision(sorted: readonly string[], ours: string, holdsWriteLock = false): LockDecision {
  const index = sorted.indexOf(ours);
  if (index < 0) throw new LockNodeMissingError(ours);
  if (holdsWriteLock) return { acquired: true };
  for (let i = index - 1; i >= 0; i--) {
    if (isWriteNode(sorted[i]!)) return { acquired: false, watch: sorted[i]! };
  }
  return { acquired: true };
}
