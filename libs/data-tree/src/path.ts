/**
 * Znode path rules (ZooKeeper's PathUtils.validatePath). Works on UTF-16 code units like Java chars.
 */

/** null if the path is valid, else the reason. `isSequential` validates `path + "1"` like ZooKeeper. */
export function validatePath(path: string, isSequential = false): string | null {
  if (isSequential) path = path + '1';
  if (typeof path !== 'string') return 'Path cannot be null';
  const n = path.length;
  if (n === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (n === 1) return null;
  if (path.charCodeAt(n - 1) === 0x2f) return 'Path must not end with / character';
  let lastc = 0x2f;
  for (let i = 1; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && lastc === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e && lastc === 0x2e) {
      if (path.charCodeAt(i - 2) === 0x2f && (i + 1 === n || path.charCodeAt(i + 1) === 0x2f)) {
        return `relative paths not allowed @${i}`;
      }
    } else if (c === 0x2e) {
      if (path.charCodeAt(i - 1) === 0x2f && (i + 1 === n || path.charCodeAt(i + 1) === 0x2f)) {
        return `relative paths not allowed @${i}`;
      }
    } else if (
      (c > 0x0000 && c <= 0x001f) ||
      (c >= 0x007f && c <= 0x009f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${i}`;
    }
    lastc = c;
  }
  return null;
}

/** Parent of a path the way ZooKeeper computes it: substring before the last '/' ("" for children of the root). */
export function parentOf(path: string): string {
  return path.substring(0, path.lastIndexOf('/'));
}

/**
 * Parent paths of a run of sibling paths: returns the previous parent string when it still applies, so
 * creates/deletes under one parent share a single string whose hash V8 has already computed (a fresh
 * substring per request would be hashed again at every Map lookup).
 */
export class ParentPathCache {
  private last: string | null = null;

  /** `path.substring(0, lastSlash)`, where lastSlash = path.lastIndexOf('/') >= 0. */
  of(path: string, lastSlash: number): string {
    const last = this.last;
    if (last !== null && last.length === lastSlash && path.startsWith(last)) return last;
    const parent = path.substring(0, lastSlash);
    this.last = parent;
    return parent;
  }
}

/** The path watchers know a parent by: "" (the root alias) is reported as "/". */
export function watchPathOfParent(parent: string): string {
  return parent === '' ? '/' : parent;
}

/** ZooKeeper's `String.format("%010d", n)` for the sequential suffix (int32, may be negative). */
export function sequentialSuffix(n: number): string {
  n |= 0;
  if (n < 0) {
    const abs = String(-n); // -(-2^31) is fine as a double
    return '-' + (abs.length >= 9 ? abs : abs.padStart(9, '0'));
  }
  const s = String(n);
  return s.length >= 10 ? s : s.padStart(10, '0');
}
