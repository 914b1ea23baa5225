import type { ClientRequest, JuteWriter, MultiResult } from '@paddock/protocol';
import {
  AddWatchMode,
  ErrorCode,
  EventType,
  KeeperState,
  OpCode,
  Perms,
  Xid,
  writeACL,
  writeMultiResponse,
  writeReplyHeader,
  writeWatcherEvent,
} from '@paddock/protocol';
import type { DataTree } from '@paddock/data-tree';
import { checkPermission, maskDigestACL } from '@paddock/data-tree';
import type { ClientConnection } from './net/client-connection.js';
import { WatchManager } from './watch/watch-manager.js';

interface ReadOptions {
  skipACL: boolean;
}

/**
 * Answers requests that need no txn, from the applied tree, in the session's FIFO position:
 * reads, watch management, sync (standalone), ping, whoAmI and multiRead.
 */
export class ReadHandlers {
  constructor(
    private readonly tree: DataTree,
    private readonly watches: WatchManager<ClientConnection>,
    private readonly options: ReadOptions,
  ) {}

  private canRead(conn: ClientConnection, node: object, perm: number = Perms.READ): boolean {
    return checkPermission(this.tree.aclOf(node as never), perm, conn.authIds, { skipACL: this.options.skipACL });
  }

  /** Writes the reply frame(s) for one request. */
  handle(conn: ClientConnection, xid: number, zxid: number, req: ClientRequest): void {
    const tree = this.tree;
    const reply = (err: number, body?: (w: JuteWriter) => void) =>
      conn.out.frame((w) => {
        writeReplyHeader(w, xid, zxid, err);
        if (err === 0 && body) body(w);
      });

    switch (req.type) {
      case OpCode.ping:
        return reply(0);
      case OpCode.exists: {
        const { path, watch } = req.request;
        if (path.includes('\0')) return reply(ErrorCode.BAD_ARGUMENTS);
        const node = tree.getNode(path);
        // READ is checked as in 3.8.4+ (ZOOKEEPER-2590); 3.8.0 answered exists without any ACL check
        if (node && !this.canRead(conn, node)) return reply(ErrorCode.NO_AUTH);
        // exists registers the watch even when the node is missing
        if (watch) this.watches.add('data', path, conn);
        if (!node) return reply(ErrorCode.NO_NODE);
        return reply(0, (w) => tree.writeStat(w, node));
      }
      case OpCode.getData: {
        const { path, watch } = req.request;
        const node = tree.getNode(path);
        if (!node) return reply(ErrorCode.NO_NODE);
        if (!this.canRead(conn, node)) return reply(ErrorCode.NO_AUTH);
        if (watch) this.watches.add('data', path, conn);
        return reply(0, (w) => {
          w.writeBuffer(tree.dataOf(node));
          tree.writeStat(w, node);
        });
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        const { path, watch } = req.request;
        const node = tree.getNode(path);
        if (!node) return reply(ErrorCode.NO_NODE);
        if (!this.canRead(conn, node)) return reply(ErrorCode.NO_AUTH);
        if (watch) this.watches.add('child', path, conn);
        return reply(0, (w) => {
          w.writeVector(tree.childrenOf(node), (ww, name) => ww.writeString(name));
          if (req.type === OpCode.getChildren2) tree.writeStat(w, node);
        });
      }
      case OpCode.getACL: {
        const node = tree.getNode(req.request.path);
        if (!node) return reply(ErrorCode.NO_NODE);
        const acl = tree.aclOf(node);
        const admin = checkPermission(acl, Perms.ADMIN, conn.authIds, { skipACL: this.options.skipACL });
        if (!admin && !checkPermission(acl, Perms.READ, conn.authIds, { skipACL: this.options.skipACL })) return reply(ErrorCode.NO_AUTH);
        const shown = admin ? acl : maskDigestACL(acl);
        return reply(0, (w) => {
          w.writeVector(shown, writeACL);
          tree.writeStat(w, node);
        });
      }
      case OpCode.sync:
        return reply(0, (w) => w.writeString(req.request.path));
      case OpCode.getAllChildrenNumber: {
        const node = tree.getNode(req.request.path);
        if (!node) return reply(ErrorCode.NO_NODE);
        if (!this.canRead(conn, node)) return reply(ErrorCode.NO_AUTH);
        return reply(0, (w) => w.writeInt(tree.allChildrenNumber(req.request.path)));
      }
      case OpCode.getEphemerals: {
        const prefix = req.request.path;
        const all = tree.getEphemerals(conn.sessionId);
        const matching = prefix === '' || prefix === '/' ? all : all.filter((p) => p.startsWith(prefix));
        return reply(0, (w) => w.writeVector(matching, (ww, p) => ww.writeString(p)));
      }
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        const { path, type } = req.request;
        // ZooKeeper 3.8's WatcherType knows 1..3 only (Persistent/PersistentRecursive came in 3.9): the
        // conversion throws and the request gets MarshallingError. Its containsWatcher walks the path with
        // PathParentIterator, which throws on a non-empty path without '/'.
        if (!WatchManager.isValidType(type)) return reply(ErrorCode.MARSHALLING_ERROR);
        if (req.type === OpCode.checkWatches && path !== '' && !path.includes('/')) return reply(ErrorCode.MARSHALLING_ERROR);
        const found =
          req.type === OpCode.checkWatches ? this.watches.contains(path, type, conn) : this.watches.remove(path, type, conn);
        return reply(found ? 0 : ErrorCode.NO_WATCHER);
      }
      case OpCode.addWatch: {
        const { path, mode } = req.request;
        // WatcherMode.fromZooDef throws IllegalArgumentException on other modes: MarshallingError
        if (mode !== AddWatchMode.PERSISTENT && mode !== AddWatchMode.PERSISTENT_RECURSIVE) return reply(ErrorCode.MARSHALLING_ERROR);
        this.watches.add(mode === AddWatchMode.PERSISTENT ? 'persistent' : 'recursive', path, conn);
        return reply(0, (w) => w.writeInt(0));
      }
      case OpCode.whoAmI:
        return reply(0, (w) =>
          w.writeVector(conn.authIds, (ww, id) => {
            ww.writeString(id.scheme);
            ww.writeString(id.scheme === 'digest' ? id.id.slice(0, id.id.indexOf(':')) : id.id);
          }),
        );
      case OpCode.multiRead: {
        const results: MultiResult[] = req.ops.map((op): MultiResult => {
          const node = tree.getNode(op.request.path);
          if (!node) return { type: -1, err: ErrorCode.NO_NODE };
          if (!this.canRead(conn, node)) return { type: -1, err: ErrorCode.NO_AUTH };
          if (op.type === OpCode.getData) return { type: 4, data: tree.dataOf(node), stat: tree.statOf(node) };
          return { type: 8, children: tree.childrenOf(node) };
        });
        return reply(0, (w) => writeMultiResponse(w, results));
      }
      case OpCode.setWatches:
      case OpCode.setWatches2:
        this.setWatches(conn, req.request);
        conn.out.frame((w) => writeReplyHeader(w, Xid.SET_WATCHES, zxid, 0));
        return;
      default:
        return reply(ErrorCode.UNIMPLEMENTED);
    }
  }

  /** Re-registers a reconnecting client's watches, firing those whose change it missed (ZooKeeper's DataTree.setWatches). */
  private setWatches(
    conn: ClientConnection,
    req: { relativeZxid: number; dataWatches: string[]; existWatches: string[]; childWatches: string[]; persistentWatches: string[]; persistentRecursiveWatches: string[] },
  ): void {
    const tree = this.tree;
    const event = (type: number, path: string) =>
      conn.out.frame((w) => {
        writeReplyHeader(w, Xid.NOTIFICATION, -1, 0);
        writeWatcherEvent(w, { type, state: KeeperState.SyncConnected, path });
      });
    for (const path of req.dataWatches) {
      const node = tree.getNode(path);
      if (!node) event(EventType.NodeDeleted, path);
      else if (tree.statOf(node).mzxid > req.relativeZxid) event(EventType.NodeDataChanged, path);
      else this.watches.add('data', path, conn);
    }
    for (const path of req.existWatches) {
      if (tree.getNode(path)) event(EventType.NodeCreated, path);
      else this.watches.add('data', path, conn);
    }
    for (const path of req.childWatches) {
      const node = tree.getNode(path);
      if (!node) event(EventType.NodeDeleted, path);
      else if (tree.statOf(node).pzxid > req.relativeZxid) event(EventType.NodeChildrenChanged, path);
      else this.watches.add('child', path, conn);
    }
    for (const path of req.persistentWatches) this.watches.add('persistent', path, conn);
    for (const path of req.persistentRecursiveWatches) this.watches.add('recursive', path, conn);
  }
}

