/**
 * Reference-counted ACL interning (ZooKeeper's ReferenceCountedACLCache): each distinct ACL list is stored
 * once and nodes hold a numeric reference. -1 stands for OPEN_ACL_UNSAFE (ZooKeeper's built-in nodes).
 * References are never reused, so a ref seen at two moments always names the same list.
 */
import type { ACL } from '@paddock/protocol';
import { OPEN_ACL_UNSAFE } from './acl.js';

export const OPEN_UNSAFE_ACL_REF = -1;

interface Entry {
  acl: ACL[];
  key: string;
  count: number;
  hash: number;
}

export function aclKey(acl: readonly ACL[]): string {
  let k = '';
  for (const a of acl) k += `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}\u0001`;
  return k;
}

/** Element-wise equality, in order (the key compares lists the same way). */
function sameAcl(a: readonly ACL[], b: readonly ACL[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

function hashString(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class AclCache {
  private readonly byRef = new Map<number, Entry>();
  private readonly byKey = new Map<string, number>();
  private nextRef = 1;
  /** the list interned last and its ref: creates mostly repeat one ACL, so most calls skip building its key */
  private lastAcl: readonly ACL[] | null = null;
  private lastRef = 0;

  get size(): number {
    return this.byRef.size;
  }

  /** Interns `acl` and adds one usage; returns its ref. */
  addUsage(acl: readonly ACL[]): number {
    if (this.lastAcl !== null && sameAcl(this.lastAcl, acl)) {
      const hit = this.byRef.get(this.lastRef);
      if (hit !== undefined) {
        hit.count++;
        return this.lastRef;
      }
    }
    const key = aclKey(acl);
    const ref = this.byKey.get(key);
    if (ref !== undefined) {
      this.byRef.get(ref)!.count++;
      this.remember(ref);
      return ref;
    }
    const copy = acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } }));
    const newRef = this.nextRef++;
    this.byRef.set(newRef, { acl: copy, key, count: 1, hash: hashString(key, 0x811c9dc5) });
    this.byKey.set(key, newRef);
    this.remember(newRef);
    return newRef;
  }

  private remember(ref: number): void {
    this.lastAcl = this.byRef.get(ref)!.acl;
    this.lastRef = ref;
  }

  /** Adds a usage to an existing ref (snapshot load). */
  addRefUsage(ref: number): void {
    if (ref === OPEN_UNSAFE_ACL_REF) return;
    const e = this.byRef.get(ref);
    if (e) e.count++;
  }

  removeUsage(ref: number): void {
    if (ref === OPEN_UNSAFE_ACL_REF) return;
    const e = this.byRef.get(ref);
    if (!e) return;
    if (--e.count <= 0) {
      this.byRef.delete(ref);
      this.byKey.delete(e.key);
    }
  }

  has(ref: number): boolean {
    return ref === OPEN_UNSAFE_ACL_REF || this.byRef.has(ref);
  }

  /** The shared list for a ref (do not mutate). */
  get(ref: number): ACL[] {
    if (ref === OPEN_UNSAFE_ACL_REF) return OPEN_ACL_UNSAFE as ACL[];
    const e = this.byRef.get(ref);
    if (!e) throw new Error(`unknown ACL reference ${ref}`);
    return e.acl;
  }

  hashOf(ref: number): number {
    if (ref === OPEN_UNSAFE_ACL_REF) return 0x5bd1e995;
    return this.byRef.get(ref)?.hash ?? 0;
  }

  /** Snapshot of (ref, list) pairs, in ref order. */
  entries(): Array<[number, ACL[]]> {
    const out: Array<[number, ACL[]]> = [];
    for (const [ref, e] of this.byRef) out.push([ref, e.acl]);
    return out;
  }

  /** Loads a ref -> list mapping with zero usages (snapshot load). */
  define(ref: number, acl: ACL[]): void {
    if (this.byRef.has(ref)) throw new Error(`duplicate ACL reference ${ref} in snapshot`);
    const key = aclKey(acl);
    this.byRef.set(ref, { acl, key, count: 0, hash: hashString(key, 0x811c9dc5) });
    // the first definition of a list wins for interning
    if (!this.byKey.has(key)) this.byKey.set(key, ref);
    if (ref >= this.nextRef) this.nextRef = ref + 1;
  }

  /** Drops entries with no usages (after a snapshot load). */
  purgeUnused(): void {
    for (const [ref, e] of this.byRef) {
      if (e.count <= 0) {
        this.byRef.delete(ref);
        if (this.byKey.get(e.key) === ref) this.byKey.delete(e.key);
      }
    }
  }
}
