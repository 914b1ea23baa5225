/**
 * Version string and `envi` lines for a Paddock process. Unlike the rest of this folder these read
 * the process and OS, so the formatting code stays pure and the server passes the results in.
 */
import os from 'node:os';
import v8 from 'node:v8';

/** The ZooKeeper release whose wire protocol and behaviour Paddock matches. */
export const ZOOKEEPER_COMPAT_VERSION = '3.8.4';

/**
 * `Version.getFullVersion()` for Paddock: `3.8.4-paddock-<version>, built on <builtOn>`. It starts
 * with the ZooKeeper version number because clients parse it (kazoo's `server_version()` reads the
 * leading digits of `zookeeper.version` from `envi`).
 */
export function paddockFullVersion(paddockVersion: string, builtOn = 'unknown'): string {
  return `${ZOOKEEPER_COMPAT_VERSION}-paddock-${paddockVersion}, built on ${builtOn}`;
}

/** Java's `os.arch` names for Node's `process.arch`. */
function javaArch(arch: string): string {
  switch (arch) {
    case 'x64': return 'amd64';
    case 'arm64': return 'aarch64';
    case 'ia32': return 'x86';
    default: return arch;
  }
}

const MB = 1024 * 1024;

/**
 * `Environment.list()` keys, in ZooKeeper's order, with this process's values; `java.*` keys that
 * have no Node equivalent print `<NA>` (what ZooKeeper prints for a missing property). Node and
 * Paddock specifics are appended.
 */
export function nodeEnvironment(fullVersion: string): [string, string][] {
  const heap = v8.getHeapStatistics();
  let userName = '<NA>';
  let userHome = '<NA>';
  try {
    const info = os.userInfo();
    userName = info.username;
    userHome = info.homedir;
  } catch {
    // no passwd entry (containers with arbitrary uids)
  }
  return [
    ['zookeeper.version', fullVersion],
    ['host.name', os.hostname()],
    ['java.version', '<NA>'],
    ['java.vendor', '<NA>'],
    ['java.home', '<NA>'],
    ['java.class.path', '<NA>'],
    ['java.library.path', '<NA>'],
    ['java.io.tmpdir', os.tmpdir()],
    ['java.compiler', '<NA>'],
    ['os.name', os.type()],
    ['os.arch', javaArch(process.arch)],
    ['os.version', os.release()],
    ['user.name', userName],
    ['user.home', userHome],
    ['user.dir', process.cwd()],
    ['os.memory.free', `${Math.floor((heap.total_heap_size - heap.used_heap_size) / MB)}MB`],
    ['os.memory.max', `${Math.floor(heap.heap_size_limit / MB)}MB`],
    ['os.memory.total', `${Math.floor(heap.total_heap_size / MB)}MB`],
    ['node.version', process.version],
    ['node.execPath', process.execPath],
    ['process.pid', String(process.pid)],
  ];
}

/**
 * Heap figures for `mntr`:
 * - `heap_used_bytes`: V8's used heap now (live objects plus garbage not yet collected), always;
 * - `heap_live_bytes`: V8's used heap right after a full, synchronous garbage collection, only when
 *   the process runs with `node --expose-gc` (e.g. `NODE_OPTIONS=--expose-gc paddock server ...`).
 *   Each `mntr` then pays for one full GC (tens of ms on a large tree), so this is opt-in: meant for
 *   benchmarks and memory investigations (it is what `paddock bench` reads for bytes per znode,
 *   like `jcmd GC.run` + `GC.heap_info` on ZooKeeper), not for servers polled by monitoring.
 */
export function heapFigures(): [key: string, value: number][] {
  const out: [string, number][] = [['heap_used_bytes', v8.getHeapStatistics().used_heap_size]];
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc === 'function') {
    (gc as () => void)();
    out.push(['heap_live_bytes', v8.getHeapStatistics().used_heap_size]);
  }
  return out;
}
