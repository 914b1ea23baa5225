/**
 * Snapshot body in ZooKeeper's layout (SerializeUtils.serializeSnapshot + DataTree.serialize):
 *   int count, (long sessionId, int timeout)*      sessions
 *   int count, (long ref, vector<ACL>)*             ACL cache
 *   (ustring path, DataNode{buffer data, long aclRef, StatPersisted})*   nodes in pre-order, "" for the root
 *   ustring "/"                                     terminator
 * The caller writes the file header before it and the checksum after it.
 *
 * Serialization is fuzzy and incremental, like ZooKeeper's: the tree may change between chunks. The snapshot
 * is consistent with replaying every txn with zxid > the tree's lastProcessedZxid at the moment
 * `serializeSnapshot` was called (the snapshot's zxid). Nodes created after that point are left out (their
 * create txns will be replayed); a node whose ACL was replaced after that point by an ACL list unknown to the
 * dumped ACL cache is written with the OPEN ACL placeholder (-1), which the replayed setACL txn overwrites.
 */
import { JuteReader, JuteWriter } from '@paddock/protocol';
import { DataTree, type DataTreeOptions, type StatPersisted, type Znode } from './data-tree.js';
import { readACL, writeACL } from '@paddock/protocol';

export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 1 << 20;

/**
 * A node whose children are being written: a live iterator over its children map. A live iterator is what a
 * fuzzy snapshot needs: children deleted since (in a turn between two chunks) are not visited, children added
 * since are (their czxid is past the snapshot's: skipped), and no child list is copied.
 */
interface Frame {
  prefix: string;
  children: MapIterator<[string, Znode]>;
}

/**
 * Yields the snapshot body in chunks of about `chunkBytes`. Everything the snapshot depends on (its zxid =
 * tree.lastProcessedZxid now, the sessions, the ACL cache) is captured by this call, before the first chunk
 * is requested; nodes are read as the chunks are pulled.
 */
export function serializeSnapshot(tree: DataTree, sessions: Iterable<[bigint, number]>, chunkBytes = DEFAULT_SNAPSHOT_CHUNK_BYTES): Generator<Buffer> {
  const startZxid = tree.lastProcessedZxid;
  const sess = Array.from(sessions, ([id, to]) => [id, to] as [bigint, number]);
  const aclEntries = tree.aclCacheEntries();
  const dumpedRefs = new Set<number>(aclEntries.map(([ref]) => ref));
  dumpedRefs.add(-1);
  const limit = Math.max(1, chunkBytes | 0);
  return body();

  function* body(): Generator<Buffer> {
    let w = new JuteWriter(Math.min(limit + 1024, 1 << 24));
    const take = (): Buffer => {
      const out = w.bytes();
      w = new JuteWriter(Math.min(limit + 1024, 1 << 24));
      return out;
    };

    w.writeInt(sess.length);
    for (const [id, timeout] of sess) {
      w.writeLong(id);
      w.writeInt(timeout);
      if (w.offset >= limit) yield take();
    }
    w.writeInt(aclEntries.length);
    for (const [ref, acl] of aclEntries) {
      w.writeLongNumber(ref);
      w.writeVector(acl, writeACL);
      if (w.offset >= limit) yield take();
    }

    // the path is written from its parent's prefix and its name: no joined string per node
    const writeNode = (prefix: string, name: string, node: Znode): void => {
      w.writeJoinedString(prefix, name);
      w.writeBuffer(tree.dataOf(node));
      const ref = tree.aclRefOf(node);
      w.writeLongNumber(dumpedRefs.has(ref) ? ref : -1);
      tree.writeStatPersisted(w, node);
    };

    const root = tree.getNode('') ?? tree.getNode('/');
    const stack: Frame[] = [];
    if (root !== undefined) {
      writeNode('', '', root);
      if (root.children !== null) stack.push({ prefix: '/', children: root.children.entries() });
    }
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.children.next();
      if (next.done === true) {
        stack.pop();
        continue;
      }
      const [name, node] = next.value;
      // deleted since the map was read (slot -1), or created after the snapshot's zxid
      if (node.slot < 0 || tree.czxidOf(node) > startZxid) continue;
      writeNode(top.prefix, name, node);
      if (node.children !== null) stack.push({ prefix: top.prefix + name + '/', children: node.children.entries() });
      if (w.offset >= limit) yield take();
    }
    w.writeString('/');
    yield take();
  }
}

/** Serializes the whole snapshot body at once (tests, small trees). */
export function serializeSnapshotToBuffer(tree: DataTree, sessions: Iterable<[bigint, number]>): Buffer {
  return Buffer.concat(Array.from(serializeSnapshot(tree, sessions)));
}

export interface DeserializeOptions extends DataTreeOptions {
  /** the snapshot's zxid (from its file name); becomes tree.lastProcessedZxid */
  zxid?: number;
}

/** Parses a snapshot body; throws an Error that says what is wrong on malformed input. */
export function deserializeSnapshot(buf: Buffer, options?: DeserializeOptions): { tree: DataTree; sessions: Map<bigint, number> } {
  const r = new JuteReader(buf);
  const tree = new DataTree({ ...options, empty: true });
  const sessions = new Map<bigint, number>();
  try {
    const count = r.readInt();
    if (count < 0 || count * 12 > r.remaining) throw new Error(`bad session count ${count}`);
    for (let i = 0; i < count; i++) {
      const id = r.readLong();
      const timeout = r.readInt();
      sessions.set(id, timeout);
    }
    const aclCount = r.readInt();
    if (aclCount < 0 || aclCount * 12 > r.remaining) throw new Error(`bad ACL cache size ${aclCount}`);
    for (let i = 0; i < aclCount; i++) {
      const ref = r.readLongNumber();
      const acl = r.readVector(readACL);
      if (acl === null) throw new Error(`missing ACL list for reference ${ref}`);
      tree.loadAcl(ref, acl);
    }
    // one stat record for every node (loadNode copies it): a snapshot holds millions of nodes
    const st: StatPersisted = { czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: 0 };
    let path = r.readString();
    let first = true;
    while (path !== '/') {
      if (path === null) throw new Error('null node path');
      if (first && path !== '') throw new Error(`first node must be the root (""), got "${path}"`);
      first = false;
      const dataLength = r.skipBuffer();
      const dataStart = r.offset - Math.max(dataLength, 0);
      const aclRef = r.readLongNumber();
      st.czxid = r.readLongNumber();
      st.mzxid = r.readLongNumber();
      st.ctime = r.readLongNumber();
      st.mtime = r.readLongNumber();
      st.version = r.readInt();
      st.cversion = r.readInt();
      st.aversion = r.readInt();
      st.ephemeralOwner = r.readLongOrZero();
      st.pzxid = r.readLongNumber();
      tree.loadNode(path, buf, dataStart, dataLength, aclRef, st);
      path = r.readString();
    }
    if (r.remaining !== 0) throw new Error(`${r.remaining} unexpected bytes after the "/" terminator`);
    tree.finishLoad();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`malformed snapshot at offset ${r.offset}: ${msg}`);
  }
  if (options?.zxid !== undefined) tree.lastProcessedZxid = options.zxid;
  return { tree, sessions };
}
