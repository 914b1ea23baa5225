/**
 * Tracks live sessions and their deadlines, ZooKeeper-style: deadlines are rounded up to the next
 * expiry tick so expiry is checked per bucket, not per session. Time is passed in (no clock here).
 */
export interface SessionInfo {
  readonly id: bigint;
  timeout: number;
  /** absolute ms of the bucket in which it expires */
  expiresAt: number;
  /** set once a closeSession txn is proposed, so the session is not expired twice */
  closing: boolean;
}

export class SessionTracker {
  private readonly sessions = new Map<bigint, SessionInfo>();
  private readonly buckets = new Map<number, Set<SessionInfo>>();
  private nextSessionId: bigint;

  constructor(
    private readonly expirationInterval: number,
    serverId: number,
    nowMs: number,
  ) {
    this.nextSessionId = initialSessionId(serverId, nowMs);
  }

  /** A fresh session id (ZooKeeper's layout: myid in the top byte, time below). */
  allocateId(): bigint {
    let id = this.nextSessionId;
    // 0x8000000000000000 marks containers; never hand it out
    if (id === -0x8000000000000000n) id = this.nextSessionId = id + 1n;
    this.nextSessionId = BigInt.asIntN(64, id + 1n);
    return id;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: bigint): SessionInfo | undefined {
    return this.sessions.get(id);
  }

  has(id: bigint): boolean {
    return this.sessions.has(id);
  }

  all(): IterableIterator<SessionInfo> {
    return this.sessions.values();
  }

  /** Adds (or re-adds, on recovery) a session with a full timeout from `nowMs`. */
  add(id: bigint, timeout: number, nowMs: number): SessionInfo {
    let s = this.sessions.get(id);
    if (!s) {
      s = { id, timeout, expiresAt: 0, closing: false };
      this.sessions.set(id, s);
    }
    s.timeout = timeout;
    this.reschedule(s, nowMs);
    return s;
  }

  /** Any packet from the client resets its deadline. Returns false for unknown or closing sessions. */
  touch(id: bigint, nowMs: number): boolean {
    const s = this.sessions.get(id);
    if (!s || s.closing) return false;
    this.reschedule(s, nowMs);
    return true;
  }

  remove(id: bigint): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.buckets.get(s.expiresAt)?.delete(s);
  }

  markClosing(id: bigint): void {
    const s = this.sessions.get(id);
    if (s) s.closing = true;
  }

  /** Sessions whose bucket is due at `nowMs`; each is marked closing and returned once. */
  expire(nowMs: number): SessionInfo[] {
    const out: SessionInfo[] = [];
    for (const [at, bucket] of this.buckets) {
      if (at > nowMs) continue;
      this.buckets.delete(at);
      for (const s of bucket) {
        if (!s.closing) {
          s.closing = true;
          out.push(s);
        }
      }
    }
    return out;
  }

  private reschedule(s: SessionInfo, nowMs: number): void {
    const at = roundUp(nowMs + s.timeout, this.expirationInterval);
    if (at === s.expiresAt) return;
    this.buckets.get(s.expiresAt)?.delete(s);
    s.expiresAt = at;
    let bucket = this.buckets.get(at);
    if (!bucket) this.buckets.set(at, (bucket = new Set()));
    bucket.add(s);
  }
}

function roundUp(ms: number, interval: number): number {
  return (Math.floor(ms / interval) + 1) * interval;
}

export function initialSessionId(serverId: number, nowMs: number): bigint {
  // (myid << 56) | ((now << 24) >>> 8), as SessionTrackerImpl.initializeNextSessionId
  const timeBits = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
  return BigInt.asIntN(64, (BigInt(serverId) << 56n) | timeBits);
}
