/**
 * Client-side path rules: PathUtils.validatePath (checked before anything is sent, as the Java client does)
 * and chroot mapping between the paths the application sees and the paths on the server.
 */
import { ErrorCode } from '@paddock/protocol';
import { ZooKeeperError } from './errors.js';

/** A path the client refuses to send (Java throws IllegalArgumentException); code BAD_ARGUMENTS. */
export class InvalidPathError extends ZooKeeperError {
  constructor(path: string, reason: string) {
    super(ErrorCode.BAD_ARGUMENTS, path, `Invalid path string "${path}": ${reason}`);
  }
}

/** Why `path` is not a valid znode path, or undefined when it is. `sequential` allows a trailing "/". */
export function pathProblem(path: string, sequential = false): string | undefined {
  if (typeof path !== 'string') return 'path must be a string';
  if (sequential) path = `${path}1`;
  if (path.length === 0) return 'Path length must be > 0';
  if (path[0] !== '/') return 'Path must start with / character';
  if (path.length === 1) return undefined;
  if (path[path.length - 1] === '/') return 'Path must not end with / character';
  let last = '/';
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const ch = path[i]!;
    if (c === 0) return `null character not allowed @${i}`;
    if (ch === '/' && last === '/') return `empty node name specified @${i}`;
    if (ch === '.' && last === '.') {
      if (path[i - 2] === '/' && (i + 1 === path.length || path[i + 1] === '/')) return `relative paths not allowed @${i}`;
    } else if (ch === '.') {
      if (path[i - 1] === '/' && (i + 1 === path.length || path[i + 1] === '/')) return `relative paths not allowed @${i}`;
    } else if ((c > 0x0000 && c <= 0x001f) || (c >= 0x007f && c <= 0x009f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      return `invalid character @${i}`;
    }
    last = ch;
  }
  return undefined;
}

export function validatePath(path: string, sequential = false): void {
  const problem = pathProblem(path, sequential);
  if (problem !== undefined) throw new InvalidPathError(String(path), problem);
}

/** A chroot ("/app") or undefined for none; "/" normalises to none. */
export function normalizeChroot(chroot: string | undefined): string | undefined {
  if (chroot === undefined || chroot === '' || chroot === '/') return undefined;
  validatePath(chroot);
  return chroot;
}

/** Client path -> server path ("/x" under "/app" is "/app/x"; "/" is "/app"). */
export function toServerPath(chroot: string | undefined, clientPath: string): string {
  if (chroot === undefined) return clientPath;
  return clientPath === '/' ? chroot : chroot + clientPath;
}

/**
 * Server path -> client path. Paths outside the chroot (which the server should never send) are returned
 * unchanged, like ClientCnxn does for paths that do not start with the chroot.
 */
export function toClientPath(chroot: string | undefined, serverPath: string): string {
  if (chroot === undefined) return serverPath;
  if (serverPath === chroot) return '/';
  if (serverPath.startsWith(chroot) && serverPath[chroot.length] === '/') return serverPath.slice(chroot.length);
  return serverPath;
}

/** The path itself and every ancestor up to "/" (PathParentIterator.forAll). */
export function* selfAndAncestors(path: string): Generator<string> {
  let p = path;
  for (;;) {
    yield p;
    if (p === '/') return;
    const i = p.lastIndexOf('/');
    p = i <= 0 ? '/' : p.slice(0, i);
  }
}
