/** The txn log is damaged somewhere other than its tail: the member must not start on it. */
export class CorruptLogError extends Error {
  override readonly name = 'CorruptLogError';
  constructor(
    /** Absolute path of the damaged log segment (or of the directory for cross-file problems). */
    readonly file: string,
    /** Byte offset inside `file` where the problem starts. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(
      `Corrupt txn log ${file} at offset ${offset}: ${reason}. Refusing to start; ` +
        `move the data aside or restore this member from a peer.`,
    );
  }
}

/** Snapshot files exist but none of them verifies, so the state cannot be rebuilt. */
export class CorruptSnapshotError extends Error {
  override readonly name = 'CorruptSnapshotError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`No valid snapshot in ${dir}: ${reason}. Refusing to start.`);
  }
}

/** A write or fsync of the txn log failed; the log is unusable (fsync errors cannot be retried). */
export class TxnLogFailedError extends Error {
  override readonly name = 'TxnLogFailedError';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}
