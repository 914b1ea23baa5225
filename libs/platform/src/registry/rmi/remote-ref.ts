/**
 * Remote references as Java RMI serializes them (java.rmi.server.RemoteObject.writeObject): inside a stub (a
 * dynamic proxy whose RemoteObjectInvocationHandler is a RemoteObject, or a RemoteStub subclass), RemoteObject's
 * custom data holds the ref class name ("UnicastRef" / "UnicastRef2") followed by the LiveRef: the endpoint
 * (host, port; UnicastRef2 first writes a format byte and, with a client socket factory, that object), the ObjID
 * (objNum long; UID: unique int, time long, count short) and a boolean saying whether it came in a result stream
 * (which asks the receiver for a DGCAck).
 */
import { AnnotationInput, JavaArray, JavaObject, JavaStreamError, type PrimitiveInput } from './java-serialization.js';

export interface RmiUid {
  readonly unique: number;
  readonly time: bigint;
  readonly count: number;
}

export interface RmiObjId {
  readonly objNum: bigint;
  readonly space: RmiUid;
}

/** ObjID.REGISTRY_ID: the well-known object number 0 in the all-zero address space. */
export const REGISTRY_OBJ_ID: RmiObjId = { objNum: 0n, space: { unique: 0, time: 0n, count: 0 } };

export interface RemoteRef {
  readonly host: string;
  readonly port: number;
  readonly objId: RmiObjId;
  /** "UnicastRef" or "UnicastRef2". */
  readonly refClass: string;
  /** The remote interfaces of a proxy stub, or the stub class name. */
  readonly interfaces: readonly string[];
  /** Whether the server asked for a DGCAck (the ref was marshalled into a result stream). */
  readonly inResultStream: boolean;
}

export function readUid(input: PrimitiveInput): RmiUid {
  return { unique: input.readInt(), time: input.readLong(), count: input.readShort() };
}

export function encodeUid(uid: RmiUid): Buffer {
  const b = Buffer.alloc(14);
  b.writeInt32BE(uid.unique, 0);
  b.writeBigInt64BE(uid.time, 4);
  b.writeInt16BE(uid.count, 12);
  return b;
}

export function encodeObjId(id: RmiObjId): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(id.objNum, 0);
  return Buffer.concat([b, encodeUid(id.space)]);
}

const REMOTE_OBJECT = 'java.rmi.server.RemoteObject';

/** Every remote reference in a deserialized object graph. */
export function findRemoteRefs(value: unknown): RemoteRef[] {
  const refs: RemoteRef[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown, holder: JavaObject | undefined) => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (v instanceof JavaArray) {
      for (const item of v.values) visit(item, undefined);
      return;
    }
    if (!(v instanceof JavaObject)) return;
    const data = v.classData.get(REMOTE_OBJECT);
    if (data?.annotation) refs.push(parseRemoteObjectData(data.annotation, holder ?? v));
    for (const { fields, annotation } of v.classData.values()) {
      for (const f of Object.values(fields)) visit(f, v);
      for (const item of annotation ?? []) if (!Buffer.isBuffer(item)) visit(item, undefined);
    }
  };
  visit(value, undefined);
  return refs;
}

/** The one remote reference a stub carries; a clear error when the value is not a stub. */
export function remoteRefOf(value: unknown): RemoteRef {
  const refs = findRemoteRefs(value);
  if (refs.length === 0) {
    const what = value instanceof JavaObject ? value.className : value === null ? 'null' : typeof value;
    throw new JavaStreamError(`expected a remote stub, got ${what}`);
  }
  return refs[0]!;
}

function parseRemoteObjectData(annotation: readonly unknown[], stub: JavaObject): RemoteRef {
  const input = new AnnotationInput(annotation);
  const refClass = input.readUTF();
  if (refClass !== 'UnicastRef' && refClass !== 'UnicastRef2') {
    throw new JavaStreamError(`unsupported remote reference type "${refClass || input.readObject()}" (only UnicastRef/UnicastRef2)`);
  }
  if (refClass === 'UnicastRef2') {
    const format = input.readByte();
    if (format === 1) {
      const host = input.readUTF();
      const port = input.readInt();
      const factory = input.readObject();
      const factoryName = factory instanceof JavaObject ? factory.className : String(factory);
      throw new JavaStreamError(`the remote object at ${host}:${port} needs the client socket factory ${factoryName}, which is not supported`);
    }
    if (format !== 0) throw new JavaStreamError(`unknown endpoint format ${format} in UnicastRef2`);
  }
  const host = input.readUTF();
  const port = input.readInt();
  const objNum = input.readLong();
  const space = readUid(input);
  const inResultStream = input.readBoolean();
  const interfaces = stub.classDesc.kind === 'proxy' ? stub.classDesc.interfaces : [stub.className];
  return { host, port, objId: { objNum, space }, refClass, interfaces, inResultStream };
}
