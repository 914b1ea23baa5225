/**
 * The third-party ZooKeeper clients the load is generated with, behind one callback interface:
 * - `c`: npm `zookeeper`, the Node binding of the official ZooKeeper 3.8 C client (default);
 * - `nzc`: npm `node-zookeeper-client`, a pure-JavaScript client (cross-check).
 * Neither was written by Paddock's or ZooKeeper's authors. Both are loaded lazily, in the
 * load-generator processes only. Completion callbacks get a return code: 0 = ok, else the
 * ZooKeeper error code (negative).
 */

export type Done = (rc: number) => void;

export interface BenchClient {
  create(path: string, data: Buffer, ephemeralSequential: boolean, done: Done): void;
  setData(path: string, data: Buffer, done: Done): void;
  getData(path: string, done: Done): void;
  exists(path: string, done: Done): void;
  getChildren(path: string, done: Done): void;
  delete(path: string, done: Done): void;
  /** getData leaving a data watch; `onEvent` runs once when it fires. */
  watchData(path: string, onEvent: () => void, done: Done): void;
  close(): void;
}

export type Connector = (connect: string, sessionTimeoutMs: number, connectTimeoutMs: number) => Promise<BenchClient>;

// The packages are imported through a variable so that this module type-checks without their
// (absent or partial) typings; these are the few members used.
interface CNative {
  a_create(path: string, data: Buffer, flags: number, cb: (rc: number) => void): void;
  a_set(path: string, data: Buffer, version: number, cb: (rc: number) => void): void;
  a_get(path: string, watch: boolean, cb: (rc: number) => void): void;
  aw_get(path: string, watcher: (type: number) => void, cb: (rc: number) => void): void;
  a_exists(path: string, watch: boolean, cb: (rc: number) => void): void;
  a_get_children(path: string, watch: boolean, cb: (rc: number) => void): void;
  a_delete_(path: string, version: number, cb: (rc: number) => void): void;
}
interface CClient {
  native: CNative;
  once(event: string, listener: (...args: unknown[]) => void): void;
  init(config: object): void;
  close(): void;
}
interface CModule {
  new (config: object): CClient;
  constants: Record<string, number>;
}

interface NzcError {
  code?: number;
}
type NzcCb = (error: NzcError | null) => void;
interface NzcClient {
  once(event: string, listener: () => void): void;
  connect(): void;
  close(): void;
  create(path: string, data: Buffer, mode: number, cb: NzcCb): void;
  setData(path: string, data: Buffer, version: number, cb: NzcCb): void;
  getData(path: string, watcher: ((event: unknown) => void) | undefined, cb: NzcCb): void;
  exists(path: string, cb: NzcCb): void;
  getChildren(path: string, cb: NzcCb): void;
  remove(path: string, version: number, cb: NzcCb): void;
}
interface NzcModule {
  createClient(connect: string, options: object): NzcClient;
}

async function load<T>(name: string): Promise<T> {
  const mod = (await import(name)) as { default?: T };
  return (mod.default ?? mod) as T;
}

const ZOO_SESSION_EVENT = -1;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what}: no session within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export async function cClientConnector(): Promise<Connector> {
  const ZooKeeper = await load<CModule>('zookeeper');
  const C = ZooKeeper.constants;
  const EPHEMERAL_SEQUENTIAL = (C.ZOO_EPHEMERAL ?? 1) | (C.ZOO_SEQUENCE ?? 2);
  return async (connect, sessionTimeoutMs, connectTimeoutMs) => {
    const zk = new ZooKeeper({
      connect,
      timeout: sessionTimeoutMs,
      debug_level: C.ZOO_LOG_LEVEL_ERROR,
      host_order_deterministic: false,
    });
    const connected = new Promise<void>((resolve) => zk.once('connect', () => resolve()));
    zk.init({});
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      zk.close();
    };
    await withTimeout(connected, connectTimeoutMs, `connect to ${connect}`, close);
    // the wrapper formats a log line (util.inspect) on every call: go to the native handle
    const n = zk.native;
    return {
      create: (path, data, ephemeralSequential, done) => n.a_create(path, data, ephemeralSequential ? EPHEMERAL_SEQUENTIAL : 0, done),
      setData: (path, data, done) => n.a_set(path, data, -1, done),
      getData: (path, done) => n.a_get(path, false, done),
      exists: (path, done) => n.a_exists(path, false, done),
      getChildren: (path, done) => n.a_get_children(path, false, done),
      delete: (path, done) => n.a_delete_(path, -1, done),
      watchData: (path, onEvent, done) =>
        n.aw_get(
          path,
          (type) => {
            if (type !== ZOO_SESSION_EVENT) onEvent();
          },
          done,
        ),
      close,
    };
  };
}

export async function nodeZookeeperClientConnector(): Promise<Connector> {
  const nzc = await load<NzcModule>('node-zookeeper-client');
  const rc = (cb: Done): NzcCb => (error) => cb(error ? (typeof error.code === 'number' ? error.code : -1) : 0);
  return async (connect, sessionTimeoutMs, connectTimeoutMs) => {
    const client = nzc.createClient(connect, { sessionTimeout: sessionTimeoutMs, retries: 0 });
    const connected = new Promise<void>((resolve) => client.once('connected', resolve));
    client.connect();
    await withTimeout(connected, connectTimeoutMs, `connect to ${connect}`, () => client.close());
    return {
      create: (path, data, ephemeralSequential, done) => client.create(path, data, ephemeralSequential ? 3 : 0, rc(done)),
      setData: (path, data, done) => client.setData(path, data, -1, rc(done)),
      getData: (path, done) => client.getData(path, undefined, rc(done)),
      exists: (path, done) => client.exists(path, rc(done)),
      getChildren: (path, done) => client.getChildren(path, rc(done)),
      delete: (path, done) => client.remove(path, -1, rc(done)),
      watchData: (path, onEvent, done) => client.getData(path, () => onEvent(), rc(done)),
      close: () => client.close(),
    };
  };
}

export function connectorFor(library: 'c' | 'nzc'): Promise<Connector> {
  return library === 'c' ? cClientConnector() : nodeZookeeperClientConnector();
}
