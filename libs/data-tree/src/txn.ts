/**
 * Transaction records in ZooKeeper's on-disk layout (zookeeper.jute, module org.apache.zookeeper.txn).
 * A log entry body is TxnHeader followed by the record for `header.type`; `writeTxn`/`readTxn`
 * produce/consume exactly that (the optional 3.6+ TxnDigest that may follow is the caller's business).
 */
import { JuteDecodeError, JuteReader, JuteWriter, readACLList, writeACLList, type ACL } from '@paddock/protocol';

export interface TxnHeader {
  sessionId: bigint;
  cxid: number;
  zxid: number;
  time: number;
  /** the txn type = op code (-1 for an error txn) */
  type: number;
}

export type Txn =
  /** create / create2; the owner of an ephemeral is header.sessionId */
  | { type: 1 | 15; path: string; data: Buffer | null; acl: ACL[]; ephemeral: boolean; parentCVersion: number }
  | { type: 19; path: string; data: Buffer | null; acl: ACL[]; parentCVersion: number }
  | { type: 21; path: string; data: Buffer | null; acl: ACL[]; parentCVersion: number; ttl: bigint }
  /** delete / deleteContainer */
  | { type: 2 | 20; path: string }
  /** setData (version = the NEW version); reconfig (16) uses the same SetDataTxn record */
  | { type: 5 | 16; path: string; data: Buffer | null; version: number }
  /** setACL (version = the new aversion) */
  | { type: 7; path: string; acl: ACL[]; version: number }
  | { type: 13; path: string; version: number }
  | { type: -10; timeOut: number }
  | { type: -11; paths: string[] }
  | { type: -1; err: number }
  | { type: 14; txns: Txn[] };

export type CreateTxn = Extract<Txn, { type: 1 | 15 }>;
export type AnyCreateTxn = Extract<Txn, { type: 1 | 15 | 19 | 21 }>;

export class TxnDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TxnDecodeError';
  }
}

const writeAclVector = writeACLList;
const readAclVector = readACLList;

/**
 * The last session id written and its two words: writing a bigint allocates several bigints, and
 * consecutive txns mostly come from the same session.
 */
let lastSessionId = 0n;
let lastSessionHi = 0;
let lastSessionLo = 0;

export function writeTxnHeader(w: JuteWriter, h: TxnHeader): void {
  const sessionId = h.sessionId;
  if (sessionId !== lastSessionId) {
    const u = BigInt.asUintN(64, sessionId);
    lastSessionHi = Number(u >> 32n) | 0;
    lastSessionLo = Number(u & 0xffffffffn) | 0;
    lastSessionId = sessionId;
  }
  w.writeInt(lastSessionHi);
  w.writeInt(lastSessionLo);
  w.writeInt(h.cxid);
  w.writeLongNumber(h.zxid);
  w.writeLongNumber(h.time);
  w.writeInt(h.type);
}

export function readTxnHeader(r: JuteReader): TxnHeader {
  const sessionId = r.readLong();
  const cxid = r.readInt();
  const zxid = r.readLongNumber();
  const time = r.readLongNumber();
  const type = r.readInt();
  return { sessionId, cxid, zxid, time, type };
}

/** Writes only the record of `txn` (no header). */
export function writeTxnRecord(w: JuteWriter, txn: Txn): void {
  switch (txn.type) {
    case 1:
    case 15:
      w.writeString(txn.path);
      w.writeBuffer(txn.data);
      writeAclVector(w, txn.acl);
      w.writeBool(txn.ephemeral);
      w.writeInt(txn.parentCVersion);
      return;
    case 19:
      w.writeString(txn.path);
      w.writeBuffer(txn.data);
      writeAclVector(w, txn.acl);
      w.writeInt(txn.parentCVersion);
      return;
    case 21:
      w.writeString(txn.path);
      w.writeBuffer(txn.data);
      writeAclVector(w, txn.acl);
      w.writeInt(txn.parentCVersion);
      w.writeLong(txn.ttl);
      return;
    case 2:
    case 20:
      w.writeString(txn.path);
      return;
    case 5:
    case 16:
      w.writeString(txn.path);
      w.writeBuffer(txn.data);
      w.writeInt(txn.version);
      return;
    case 7:
      w.writeString(txn.path);
      writeAclVector(w, txn.acl);
      w.writeInt(txn.version);
      return;
    case 13:
      w.writeString(txn.path);
      w.writeInt(txn.version);
      return;
    case -10:
      w.writeInt(txn.timeOut);
      return;
    case -11:
      w.writeVector(txn.paths, (ww, p) => ww.writeString(p));
      return;
    case -1:
      w.writeInt(txn.err);
      return;
    case 14: {
      w.writeInt(txn.txns.length);
      const sub = new JuteWriter(128);
      for (const t of txn.txns) {
        if (t.type === 14) throw new Error('nested multi txn');
        sub.reset();
        writeTxnRecord(sub, t);
        w.writeInt(t.type);
        w.writeBuffer(sub.bytes());
      }
      return;
    }
    default: {
      const never: never = txn;
      throw new Error(`unknown txn type ${(never as { type: number }).type}`);
    }
  }
}

/** Reads the record of a txn of the given type (no header). */
export function readTxnRecord(r: JuteReader, type: number): Txn {
  switch (type) {
    case 1:
    case 15: {
      const path = r.readStringNonNull();
      const data = r.readBuffer();
      const acl = readAclVector(r);
      const ephemeral = r.readBool();
      const parentCVersion = r.readInt();
      return { type, path, data, acl, ephemeral, parentCVersion };
    }
    case 19: {
      const path = r.readStringNonNull();
      const data = r.readBuffer();
      const acl = readAclVector(r);
      const parentCVersion = r.readInt();
      return { type, path, data, acl, parentCVersion };
    }
    case 21: {
      const path = r.readStringNonNull();
      const data = r.readBuffer();
      const acl = readAclVector(r);
      const parentCVersion = r.readInt();
      const ttl = r.readLong();
      return { type, path, data, acl, parentCVersion, ttl };
    }
    case 2:
    case 20:
      return { type, path: r.readStringNonNull() };
    case 5:
    case 16: {
      const path = r.readStringNonNull();
      const data = r.readBuffer();
      const version = r.readInt();
      return { type, path, data, version };
    }
    case 7: {
      const path = r.readStringNonNull();
      const acl = readAclVector(r);
      const version = r.readInt();
      return { type, path, acl, version };
    }
    case 13: {
      const path = r.readStringNonNull();
      return { type, path, version: r.readInt() };
    }
    case -10:
      // very old logs may carry no body
      return { type, timeOut: r.remaining >= 4 ? r.readInt() : 0 };
    case -11:
      // pre-3.6 logs carry no CloseSessionTxn body: then every ephemeral of the session is deleted
      if (r.remaining < 4) return { type, paths: [] };
      return { type, paths: r.readVector((rr) => rr.readStringNonNull()) ?? [] };
    case -1:
      return { type, err: r.readInt() };
    case 14: {
      const count = r.readInt();
      if (count < 0) {
        if (count === -1) return { type, txns: [] };
        throw new JuteDecodeError(`negative multi txn count ${count}`);
      }
      if (count > r.remaining) throw new JuteDecodeError(`multi txn count ${count} exceeds remaining ${r.remaining} bytes`);
      const txns: Txn[] = [];
      for (let i = 0; i < count; i++) {
        const subType = r.readInt();
        const body = r.readBuffer() ?? Buffer.alloc(0);
        if (subType === 14) throw new TxnDecodeError('nested multi txn');
        // a sub-record is parsed from its own buffer
        const sub = new JuteReader(body, 0, body.length, r.maxLength);
        txns.push(readTxnRecord(sub, subType));
      }
      return { type, txns };
    }
    default:
      throw new TxnDecodeError(`unknown txn type ${type}`);
  }
}

/** ZooKeeper's on-disk layout: TxnHeader followed by the record. */
export function writeTxn(w: JuteWriter, header: TxnHeader, txn: Txn): void {
  writeTxnHeader(w, header);
  writeTxnRecord(w, txn);
}

export function readTxn(r: JuteReader): { header: TxnHeader; txn: Txn } {
  const header = readTxnHeader(r);
  const txn = readTxnRecord(r, header.type);
  return { header, txn };
}

/** Encodes header + txn into a fresh Buffer. */
export function encodeTxn(header: TxnHeader, txn: Txn): Buffer {
  const w = new JuteWriter(256);
  writeTxn(w, header, txn);
  return Buffer.from(w.bytes());
}
