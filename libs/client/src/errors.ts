/**
 * Typed errors carrying the ZooKeeper error code (KeeperException.Code) and the path the operation was about.
 *
 * Every server or client-generated failure is a {@link ZooKeeperError}; the common codes have their own subclass
 * (`err instanceof NoNodeError`), and `err.code` / `err.codeName` always work.
 */
import { ErrorCode, errorName } from '@paddock/protocol';

export class ZooKeeperError extends Error {
  /** The numeric code as on the wire (KeeperException.Code), e.g. -101. */
  readonly code: number;
  /** The constant name of the code, e.g. `NO_NODE`. */
  readonly codeName: string;
  /** The client path (chroot stripped) of the failed operation, when it was about one. */
  readonly path: string | undefined;

  constructor(code: number, path?: string, message?: string) {
    const codeName = errorName(code);
    super(message ?? (path === undefined ? `${codeName} (${code})` : `${codeName} (${code}) for ${path}`));
    this.name = new.target.name;
    this.code = code;
    this.codeName = codeName;
    this.path = path;
  }
}

export class ConnectionLossError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.CONNECTION_LOSS, path, message);
  }
}
export class SessionExpiredError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.SESSION_EXPIRED, path, message);
  }
}
export class OperationTimeoutError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.OPERATION_TIMEOUT, path, message);
  }
}
export class AuthFailedError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.AUTH_FAILED, path, message);
  }
}
export class NoNodeError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.NO_NODE, path, message);
  }
}
export class NodeExistsError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.NODE_EXISTS, path, message);
  }
}
export class BadVersionError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.BAD_VERSION, path, message);
  }
}
export class NotEmptyError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.NOT_EMPTY, path, message);
  }
}
export class NoAuthError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.NO_AUTH, path, message);
  }
}
export class NoChildrenForEphemeralsError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, path, message);
  }
}
export class BadArgumentsError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.BAD_ARGUMENTS, path, message);
  }
}
export class InvalidACLError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.INVALID_ACL, path, message);
  }
}
export class NoWatcherError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.NO_WATCHER, path, message);
  }
}
export class UnimplementedError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.UNIMPLEMENTED, path, message);
  }
}
export class SessionMovedError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(ErrorCode.SESSION_MOVED, path, message);
  }
}

const SUBCLASSES = new Map<number, new (path?: string, message?: string) => ZooKeeperError>([
  [ErrorCode.CONNECTION_LOSS, ConnectionLossError],
  [ErrorCode.SESSION_EXPIRED, SessionExpiredError],
  [ErrorCode.OPERATION_TIMEOUT, OperationTimeoutError],
  [ErrorCode.AUTH_FAILED, AuthFailedError],
  [ErrorCode.NO_NODE, NoNodeError],
  [ErrorCode.NODE_EXISTS, NodeExistsError],
  [ErrorCode.BAD_VERSION, BadVersionError],
  [ErrorCode.NOT_EMPTY, NotEmptyError],
  [ErrorCode.NO_AUTH, NoAuthError],
  [ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, NoChildrenForEphemeralsError],
  [ErrorCode.BAD_ARGUMENTS, BadArgumentsError],
  [ErrorCode.INVALID_ACL, InvalidACLError],
  [ErrorCode.NO_WATCHER, NoWatcherError],
  [ErrorCode.UNIMPLEMENTED, UnimplementedError],
  [ErrorCode.SESSION_MOVED, SessionMovedError],
]);

/** The error for a code: its subclass when there is one, else a plain ZooKeeperError (KeeperException.create). */
export function createError(code: number, path?: string, message?: string): ZooKeeperError {
  const Cls = SUBCLASSES.get(code);
  return Cls ? new Cls(path, message) : new ZooKeeperError(code, path, message);
}

/** Codes worth retrying the same operation for (Curator's RetryLoop.shouldRetry). */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  ErrorCode.CONNECTION_LOSS,
  ErrorCode.OPERATION_TIMEOUT,
  ErrorCode.SESSION_MOVED,
]);

export function isRetryable(error: unknown): boolean {
  return error instanceof ZooKeeperError && RETRYABLE_CODES.has(error.code);
}

/** Result of one op of a multi (transaction) or multiRead, paths chroot-stripped. */
export type OpResult =
  | { type: 'create'; path: string; stat?: import('@paddock/protocol').Stat }
  | { type: 'delete' }
  | { type: 'setData'; stat: import('@paddock/protocol').Stat }
  | { type: 'check' }
  | { type: 'getData'; data: Buffer | null; stat: import('@paddock/protocol').Stat }
  | { type: 'getChildren'; children: string[] }
  | { type: 'error'; code: number; codeName: string; error: ZooKeeperError };

/**
 * A multi (transaction) that was rejected: nothing was applied. `code`/`path` are those of the first op that
 * failed; `results` has one entry per op (0 = OK for ops before it, the failing code, -2 RUNTIME_INCONSISTENCY
 * after it), like KeeperException.getResults().
 */
export class TransactionError extends ZooKeeperError {
  constructor(
    code: number,
    path: string | undefined,
    readonly results: OpResult[],
    /** Index of the first failing op. */
    readonly failedOpIndex: number,
  ) {
    super(code, path, `transaction failed at op ${failedOpIndex}: ${errorName(code)} (${code})${path === undefined ? '' : ` for ${path}`}`);
  }
}
