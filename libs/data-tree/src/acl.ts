/**
 * ACL checks and ACL fix-up, as ZooKeeper's ZooKeeperServer.checkACL, PrepRequestProcessor.fixupACL and
 * the built-in "ip" and "digest" authentication providers (plus "world:anyone" and the "super" id).
 */
import { createHash } from 'node:crypto';
import { ErrorCode, type ACL, type Id } from '@paddock/protocol';

export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]);
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([{ perms: 31, id: { scheme: 'auth', id: '' } }]);

/** "user:" + base64(sha1("user:password")) — DigestAuthenticationProvider.generateDigest. */
export function digestId(userColonPassword: string): string {
  const colon = userColonPassword.indexOf(':');
  const user = colon === -1 ? userColonPassword : userColonPassword.substring(0, colon);
  const digest = createHash('sha1').update(userColonPassword, 'utf8').digest('base64');
  return `${user}:${digest}`;
}

/** Java's String.split(regexOfOneChar) with limit 0: trailing empty strings are removed. */
function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  // Java returns [""] for "" (no match at all)
  if (parts.length === 0) return s.length === 0 ? [''] : [];
  return parts;
}

/** Java Integer.parseInt accepting an optional sign; NaN when not an int. */
function parseJavaInt(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) return NaN;
  const v = Number(s);
  if (v > 2147483647 || v < -2147483648) return NaN;
  return v;
}

function v4addr2Bytes(addr: string): number[] | null {
  const parts = addr.split('.');
  if (parts.length !== 4) return null;
  const b: number[] = new Array(4);
  for (let i = 0; i < 4; i++) {
    const v = parseJavaInt(parts[i]!);
    if (!(v >= 0 && v <= 255)) return null;
    b[i] = v;
  }
  return b;
}

function v6addr2Bytes(addr: string): number[] | null {
  // drop a zone id ("fe80::1%eth0")
  const pct = addr.indexOf('%');
  if (pct !== -1) addr = addr.substring(0, pct);
  if (addr.startsWith('[') && addr.endsWith(']')) addr = addr.substring(1, addr.length - 1);
  let tail: number[] = [];
  // embedded IPv4 in the last 32 bits ("::ffff:1.2.3.4")
  const lastColon = addr.lastIndexOf(':');
  if (lastColon === -1) return null;
  const lastPart = addr.substring(lastColon + 1);
  if (lastPart.includes('.')) {
    const v4 = v4addr2Bytes(lastPart);
    if (!v4) return null;
    tail = v4;
    addr = addr.substring(0, lastColon + 1) + '0:0'; // placeholder groups, replaced below
  }
  const dbl = addr.indexOf('::');
  if (dbl !== -1 && addr.indexOf('::', dbl + 1) !== -1) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl !== -1) {
    const head = parseGroups(addr.substring(0, dbl));
    const rest = parseGroups(addr.substring(dbl + 2));
    if (!head || !rest || head.length + rest.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  } else {
    const all = parseGroups(addr);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  const b: number[] = [];
  for (const g of groups) b.push((g >> 8) & 0xff, g & 0xff);
  if (tail.length === 4) b.splice(12, 4, ...tail);
  return b;
}

function addr2Bytes(addr: string): number[] | null {
  if (addr.includes(':')) return v6addr2Bytes(addr);
  if (addr.includes('.')) return v4addr2Bytes(addr);
  return null;
}

function maskBytes(b: number[], bits: number): void {
  let start = Math.floor(bits / 8);
  let startMask = ~((1 << (8 - (bits % 8))) - 1);
  while (start < b.length) {
    b[start] = b[start]! & startMask & 0xff;
    startMask = 0;
    start++;
  }
}

/** IPAuthenticationProvider.isValid: "addr" or "addr/bits", IPv4 or IPv6. */
export function isValidIpAcl(id: string): boolean {
  const slash = id.indexOf('/');
  const addr = slash === -1 ? id : id.substring(0, slash);
  const aclAddr = addr2Bytes(addr);
  if (!aclAddr) return false;
  if (slash !== -1) {
    const bits = parseJavaInt(id.substring(slash + 1));
    if (!(bits >= 0 && bits <= aclAddr.length * 8)) return false;
  }
  return true;
}

/** IPAuthenticationProvider.matches(id = the client's address, aclExpr = "addr[/bits]"). */
export function ipMatches(id: string, aclExpr: string): boolean {
  const slash = aclExpr.indexOf('/');
  const aclAddr = addr2Bytes(slash === -1 ? aclExpr : aclExpr.substring(0, slash));
  if (!aclAddr) return false;
  let bits = aclAddr.length * 8;
  if (slash !== -1) {
    bits = parseJavaInt(aclExpr.substring(slash + 1));
    if (!(bits >= 0 && bits <= aclAddr.length * 8)) return false;
  }
  const remote = addr2Bytes(id);
  if (!remote || remote.length !== aclAddr.length) return false;
  maskBytes(aclAddr, bits);
  maskBytes(remote, bits);
  for (let i = 0; i < remote.length; i++) if (remote[i] !== aclAddr[i]) return false;
  return true;
}

/** DigestAuthenticationProvider.isValid: exactly two parts around ':' (Java split semantics). */
export function isValidDigestAcl(id: string): boolean {
  return javaSplit(id, ':').length === 2;
}

interface Provider {
  isValid(id: string): boolean;
  matches(id: string, aclExpr: string): boolean;
  isAuthenticated: boolean;
}

const providers: ReadonlyMap<string, Provider> = new Map<string, Provider>([
  ['ip', { isValid: isValidIpAcl, matches: ipMatches, isAuthenticated: false }],
  ['digest', { isValid: isValidDigestAcl, matches: (id, expr) => id === expr, isAuthenticated: true }],
]);

/** Is `scheme` one of the server's authentication providers (ip, digest)? */
export function isKnownScheme(scheme: string): boolean {
  return providers.has(scheme);
}

/**
 * ZooKeeperServer.checkACL: skipACL -> allow; empty ACL -> allow; a 'super' id -> allow; otherwise some entry
 * must carry `perm` and be world:anyone or match one of `authIds` through its scheme's provider.
 */
export function checkPermission(acl: readonly ACL[] | null, perm: number, authIds: readonly Id[], opts?: { skipACL?: boolean }): boolean {
  if (opts?.skipACL) return true;
  if (acl === null || acl.length === 0) return true;
  for (let i = 0; i < authIds.length; i++) if (authIds[i]!.scheme === 'super') return true;
  for (let i = 0; i < acl.length; i++) {
    const a = acl[i]!;
    if ((a.perms & perm) === 0) continue;
    const id = a.id;
    if (id.scheme === 'world' && id.id === 'anyone') return true;
    const ap = providers.get(id.scheme);
    if (ap === undefined) continue;
    for (let j = 0; j < authIds.length; j++) {
      const authId = authIds[j]!;
      if (authId.scheme === id.scheme && ap.matches(authId.id, id.id)) return true;
    }
  }
  return false;
}

/**
 * True when `checkPermission(acl, READ, ids)` holds for every caller: no ACL, or a world:anyone entry
 * with READ. Lets a server skip the per-connection check when delivering to many watchers.
 */
export function isWorldReadable(acl: readonly ACL[] | null): boolean {
  if (acl === null || acl.length === 0) return true;
  for (let i = 0; i < acl.length; i++) {
    const a = acl[i]!;
    if ((a.perms & 1) !== 0 && a.id.scheme === 'world' && a.id.id === 'anyone') return true;
  }
  return false;
}

function aclEquals(a: ACL, b: ACL): boolean {
  return a.perms === b.perms && a.id.scheme === b.id.scheme && a.id.id === b.id.id;
}

/** Removes exact duplicates, keeping first occurrences. */
export function removeDuplicateACLs(acl: readonly ACL[] | null): ACL[] {
  if (!acl || acl.length === 0) return [];
  const out: ACL[] = [];
  for (const a of acl) if (!out.some((b) => aclEquals(a, b))) out.push(a);
  return out;
}

/**
 * PrepRequestProcessor.fixupACL: dedupe; empty -> InvalidACL; world:anyone kept; "auth" expands to each of the
 * caller's ids whose provider is authenticated (digest), none -> InvalidACL; other schemes must have a provider
 * that accepts the id. Returns the fixed list or the error code (-114).
 */
export function fixupACL(acl: readonly ACL[] | null, authIds: readonly Id[]): ACL[] | number {
  // the common case, one world:anyone entry (e.g. OPEN_ACL_UNSAFE), is kept as it is: no copies per create
  if (acl && acl.length === 1) {
    const id = acl[0]?.id;
    if (id && id.scheme === 'world' && id.id === 'anyone') return acl as ACL[];
  }
  const uniq = removeDuplicateACLs(acl);
  if (uniq.length === 0) return ErrorCode.INVALID_ACL;
  const rv: ACL[] = [];
  for (const a of uniq) {
    const id = a?.id;
    if (!id || id.scheme == null) return ErrorCode.INVALID_ACL;
    if (id.scheme === 'world' && id.id === 'anyone') {
      rv.push(a);
    } else if (id.scheme === 'auth') {
      let authIdValid = false;
      for (const cid of authIds) {
        const ap = providers.get(cid.scheme);
        if (ap?.isAuthenticated) {
          authIdValid = true;
          rv.push({ perms: a.perms, id: { scheme: cid.scheme, id: cid.id } });
        }
      }
      if (!authIdValid) return ErrorCode.INVALID_ACL;
    } else {
      const ap = providers.get(id.scheme);
      if (!ap || id.id == null || !ap.isValid(id.id)) return ErrorCode.INVALID_ACL;
      rv.push(a);
    }
  }
  return rv;
}

/** getACL without ADMIN permission: digest ids are shown as "user:x" (CVE-2019-0201). */
export function maskDigestACL(acl: readonly ACL[]): ACL[] {
  return acl.map((a) => (a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: a.id.id.replace(/:.*/g, ':x') } } : a));
}
