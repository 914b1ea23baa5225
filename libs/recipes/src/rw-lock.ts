/**
 * InterProcessReadWriteLock: readers share, writers exclude everyone, in arrival order (no starvation).
 * Less herd effect than Curator's: a reader waits only on the NEAREST write node before it (Curator makes every
 * reader watch the first write node, so one release wakes them all), a writer waits on its immediate
 * predecessor. A writer's release therefore wakes only the readers queued directly behind it (which all may
 * proceed) or a single writer. The write-lock holder may also take the read lock (downgrade).
 */
import { toFramework, type ClientLike, type Framework } from './framework.js';
import { isReadNode, isWriteNode, readDecision, writeDecision, READ_MARKER, WRITE_MARKER } from './lock-rules.js';
import { InterProcessMutex } from './mutex.js';
import { sequenceOf } from './utils.js';

export class InterProcessReadWriteLock {
  readonly framework: Framework;
  readonly readLock: InterProcessMutex;
  readonly writeLock: InterProcessMutex;

  constructor(client: ClientLike, readonly path: string, options: { data?: Buffer | string | null } = {}) {
    this.framework = toFramework(client);
    const participates = (name: string) => sequenceOf(name) >= 0 && (isReadNode(name) || isWriteNode(name));
    this.writeLock = new InterProcessMutex(this.framework, path, {
      lockName: WRITE_MARKER,
      decide: writeDecision,
      participates,
      ...(options.data !== undefined ? { data: options.data } : {}),
    });
    this.readLock = new InterProcessMutex(this.framework, path, {
      lockName: READ_MARKER,
      decide: (sorted, ours) => readDecision(sorted, ours, this.writeLock.isAcquiredInThisProcess()),
      participates,
      ...(options.data !== undefined ? { data: options.data } : {}),
    });
  }
}
