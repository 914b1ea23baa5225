/**
 * Distributed GC leases, as a Java RMI client keeps them (sun.rmi.transport.DGCClient): while this process
 * holds a stub, it tells the server's DGC (ObjID 2) that it references the object — `dirty(ObjID[], seq, Lease)` —
 * and renews the lease at half the granted duration; dropping the stub sends `clean(ObjID[], seq, VMID, strong)`.
 * A server pins a non-permanent exported object only while some client holds a lease on it: without one, the
 * object can be garbage collected and calls fail with java.rmi.NoSuchObjectException ("no such object in table").
 *
 * DGCImpl_Stub uses the JDK 1.1 protocol: interface hash -669196253586618813, operation 0 clean, 1 dirty.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { JavaObject, WritableArray, WritableObject, type JavaClassSpec } from './java-serialization.js';
import type { JrmpClient } from './jrmp-transport.js';
import type { RemoteRef, RmiObjId, RmiUid } from './remote-ref.js';

export const DGC_OBJ_ID: RmiObjId = { objNum: 2n, space: { unique: 0, time: 0n, count: 0 } };
export const DGC_INTERFACE_HASH = -669196253586618813n;
const DGC_CLEAN_OP = 0;
const DGC_DIRTY_OP = 1;

// serialVersionUIDs and fields as ObjectStreamClass.lookup reports them on JDK 17
const UID_CLASS: JavaClassSpec = {
  name: 'java.rmi.server.UID',
  serialVersionUID: 1086053664494604050n,
  fields: [
    { typeCode: 'I', name: 'unique' },
    { typeCode: 'J', name: 'time' },
    { typeCode: 'S', name: 'count' },
  ],
};
const OBJID_CLASS: JavaClassSpec = {
  name: 'java.rmi.server.ObjID',
  serialVersionUID: -6386392263968365220n,
  fields: [
    { typeCode: 'J', name: 'objNum' },
    { typeCode: 'L', name: 'space', typeSignature: 'Ljava/rmi/server/UID;' },
  ],
};
const OBJID_ARRAY_CLASS: JavaClassSpec = { name: '[Ljava.rmi.server.ObjID;', serialVersionUID: -8713620060265225090n, fields: [] };
const VMID_CLASS: JavaClassSpec = {
  name: 'java.rmi.dgc.VMID',
  serialVersionUID: -538642295484486218n,
  fields: [
    { typeCode: '[', name: 'addr', typeSignature: '[B' },
    { typeCode: 'L', name: 'uid', typeSignature: 'Ljava/rmi/server/UID;' },
  ],
};
const LEASE_CLASS: JavaClassSpec = {
  name: 'java.rmi.dgc.Lease',
  serialVersionUID: -5713411624328831948n,
  fields: [
    { typeCode: 'J', name: 'value' },
    { typeCode: 'L', name: 'vmid', typeSignature: 'Ljava/rmi/dgc/VMID;' },
  ],
};

export function writableUid(uid: RmiUid): WritableObject {
  return new WritableObject(UID_CLASS, { unique: uid.unique, time: uid.time, count: uid.count });
}

export function writableObjIds(ids: readonly RmiObjId[]): WritableArray {
  return new WritableArray(
    OBJID_ARRAY_CLASS,
    ids.map((id) => new WritableObject(OBJID_CLASS, { objNum: id.objNum, space: writableUid(id.space) })),
  );
}

export function writableLease(vmid: WritableObject, durationMs: number): WritableObject {
  return new WritableObject(LEASE_CLASS, { value: BigInt(durationMs), vmid });
}

/** A VMID for this process: random address bytes and a fresh UID (what java.rmi.dgc.VMID does, minus the host). */
export function newVmid(): WritableObject {
  return new WritableObject(VMID_CLASS, { addr: randomBytes(8), uid: writableUid({ unique: randomInt(0x7fffffff), time: BigInt(Date.now()), count: 0 }) });
}

interface Held {
  ref: RemoteRef;
  host: string;
  port: number;
  timer: NodeJS.Timeout | undefined;
  released: boolean;
}

export interface DgcLeaseOptions {
  /** The lease duration asked for. Default 10 minutes (java.rmi.dgc.leaseValue's default). */
  leaseMs?: number;
  /** Deadline for one dirty/clean call. Default 5 s. */
  callTimeoutMs?: number;
}

/** Holds DGC leases on stubs, keyed by the caller's cache key. */
export class DgcLeases {
  private readonly vmid = newVmid();
  private sequence = 0n;
  private readonly held = new Map<string, Held>();
  private readonly leaseMs: number;
  private readonly callTimeoutMs: number;

  constructor(
    private readonly client: JrmpClient,
    options: DgcLeaseOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 600_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 5_000;
  }

  /** Makes the dirty call for `ref` at host:port (where its calls go) and keeps renewing it; resolves to the granted ms. */
  async hold(key: string, ref: RemoteRef, host: string, port: number, deadline: number): Promise<number> {
    this.drop(key);
    const entry: Held = { ref, host, port, timer: undefined, released: false };
    this.held.set(key, entry);
    try {
      const granted = await this.dirty(entry, deadline);
      this.scheduleRenewal(entry, granted);
      return granted;
    } catch (error) {
      if (this.held.get(key) === entry) this.drop(key);
      throw error;
    }
  }

  /** Stops renewing and sends clean (best effort). */
  async release(key: string): Promise<void> {
    const entry = this.drop(key);
    if (!entry) return;
    await this.client
      .call(
        entry.host,
        entry.port,
        {
          objId: DGC_OBJ_ID,
          op: DGC_CLEAN_OP,
          hash: DGC_INTERFACE_HASH,
          writeArguments: (out) => out.writeObject(writableObjIds([entry.ref.objId])).writeLong(this.nextSequence()).writeObject(this.vmid).writeBoolean(false),
          readResult: () => undefined,
        },
        Date.now() + this.callTimeoutMs,
      )
      .catch(() => undefined);
  }

  /**
   * Stops renewing without sending clean: for a stub dropped after a failure, whose object may still be wanted
   * (a clean would unpin it on a server that is alive); the server lets an unrenewed lease expire.
   */
  forget(key: string): void {
    this.drop(key);
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((key) => this.release(key)));
  }

  heldKeys(): string[] {
    return [...this.held.keys()];
  }

  private drop(key: string): Held | undefined {
    const entry = this.held.get(key);
    if (!entry) return undefined;
    this.held.delete(key);
    entry.released = true;
    clearTimeout(entry.timer);
    return entry;
  }

  private async dirty(entry: Held, deadline: number): Promise<number> {
    const lease = await this.client.call(
      entry.host,
      entry.port,
      {
        objId: DGC_OBJ_ID,
        op: DGC_DIRTY_OP,
        hash: DGC_INTERFACE_HASH,
        writeArguments: (out) => out.writeObject(writableObjIds([entry.ref.objId])).writeLong(this.nextSequence()).writeObject(writableLease(this.vmid, this.leaseMs)),
        readResult: (input) => input.readObject(),
      },
      deadline,
    );
    const value = lease instanceof JavaObject ? lease.field('value') : undefined;
    return typeof value === 'bigint' && value > 0n ? Number(value) : this.leaseMs;
  }

  private scheduleRenewal(entry: Held, grantedMs: number): void {
    if (entry.released) return;
    entry.timer = setTimeout(() => {
      this.dirty(entry, Date.now() + this.callTimeoutMs).then(
        (granted) => this.scheduleRenewal(entry, granted),
        // a failed renewal is retried sooner; the next call on the stub reports a dead provider anyway
        () => this.scheduleRenewal(entry, Math.min(grantedMs, 10_000)),
      );
    }, Math.max(1_000, grantedMs / 2));
    entry.timer.unref();
  }

  private nextSequence(): bigint {
    this.sequence += 1n;
    return this.sequence;
  }
}
