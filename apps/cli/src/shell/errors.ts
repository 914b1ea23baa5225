/** The messages zkCli prints for failures (CliException and its subclasses, KeeperException.getMessage). */
import { ZooKeeperError, pathProblem } from '@paddock/client';

/** A command failure: zkCli prints `message` on stderr and remembers `exitCode` (1, 127 for an unknown command). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** KeeperException.getCodeMessage. */
const CODE_MESSAGES = new Map<number, string>([
  [0, 'ok'],
  [-1, 'SystemError'],
  [-2, 'RuntimeInconsistency'],
  [-3, 'DataInconsistency'],
  [-4, 'ConnectionLoss'],
  [-5, 'MarshallingError'],
  [-6, 'Unimplemented'],
  [-7, 'OperationTimeout'],
  [-8, 'BadArguments'],
  [-13, 'NewConfigNoQuorum'],
  [-14, 'ReconfigInProgress'],
  [-100, 'APIError'],
  [-101, 'NoNode'],
  [-102, 'NoAuth'],
  [-103, 'BadVersion'],
  [-108, 'NoChildrenForEphemerals'],
  [-110, 'NodeExists'],
  [-111, 'Directory not empty'],
  [-112, 'Session expired'],
  [-113, 'Invalid callback'],
  [-114, 'InvalidACL'],
  [-115, 'AuthFailed'],
  [-118, 'Session moved'],
  [-119, 'Not a read-only call'],
  [-120, 'Ephemeral node on local session'],
  [-121, 'No such watcher'],
  [-122, 'Reconfig is disabled'],
  [-124, 'Session closed because client failed to authenticate'],
  [-125, 'Quota has exceeded'],
  [-127, 'Op throttled due to high load'],
]);

/** KeeperException.getMessage(): "KeeperErrorCode = NoNode for /x". */
export function keeperMessage(code: number, path: string | undefined | null): string {
  const text = `KeeperErrorCode = ${CODE_MESSAGES.get(code) ?? `Unknown error ${code}`}`;
  return path === undefined || path === null || path === '' ? text : `${text} for ${path}`;
}

/** CliWrapperException's message for a KeeperException (path `null` prints as "null", as Java does). */
export function wrapperMessage(code: number, path: string | undefined | null): string {
  const p = path ?? 'null';
  switch (code) {
    case -101:
      return `Node does not exist: ${p}`;
    case -108:
      return `Ephemerals cannot have children: ${p}`;
    case -110:
      return `Node already exists: ${p}`;
    case -111:
      return `Node not empty: ${p}`;
    case -119:
      return `Not a read-only call: ${p}`;
    case -114:
      return `Acl is not valid : ${p}`;
    case -102:
      return `Insufficient permission : ${p}`;
    case -8:
      return `Arguments are not valid : ${p}`;
    case -103:
      return `version No is not valid : ${p}`;
    case -14:
      return 'Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)';
    case -13:
      return 'No quorum of new config is connected and up-to-date with the leader of last commmitted config - try invoking reconfiguration after new servers are connected and synced';
    case -125:
      return `Quota has exceeded : ${p}`;
    default:
      return keeperMessage(code, path);
  }
}

/** CliWrapperException(cause). */
export function wrapError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ZooKeeperError) return new CliError(wrapperMessage(error.code, error.path));
  return new CliError(error instanceof Error ? error.message : String(error));
}

/**
 * PathUtils.validatePath's IllegalArgumentException message (zkCli prints it as a MalformedPathException), or
 * undefined for a valid path. `sequential` validates `path + "1"`, as the Java client does for sequential modes.
 */
export function javaPathError(path: string, sequential = false): string | undefined {
  const problem = pathProblem(path, sequential);
  if (problem === undefined) return undefined;
  if (problem === 'Path length must be > 0' || problem === 'Path must start with / character' || problem === 'Path must not end with / character') {
    return problem;
  }
  return `Invalid path string "${sequential ? `${path}1` : path}" caused by ${problem}`;
}

/** Throws the MalformedPathException zkCli would for an invalid path. */
export function checkPath(path: string, sequential = false): void {
  const message = javaPathError(path, sequential);
  if (message !== undefined) throw new CliError(message);
}
