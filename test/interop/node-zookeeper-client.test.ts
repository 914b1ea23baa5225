/**
 * npm node-zookeeper-client (pure JS, unmodified) against the interop target.
 *
 * Client quirks this suite exercises: its ConnectRequest has no trailing readOnly byte (the
 * server must answer in the same short form), getChildren is sent as getChildren2 (op 12),
 * close() waits for the server to close the socket after closeSession, and an unexpected reply
 * xid makes it drop the connection.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import zookeeper, { type Client, type Event, type Stat, type Transaction, type TransactionResult } from 'node-zookeeper-client';
import { EventQueue, withTimeout } from '../support/async.js';
import type { ServerHandle } from '../support/paddock.js';
import { sleep } from '../support/processes.js';
import {
  MAX_SESSION_TIMEOUT_MS,
  MIN_SESSION_TIMEOUT_MS,
  expiryDeadlineMs,
  holdEphemeral,
  startInteropTarget,
  targetKind,
} from './interop-target.js';

const { CreateMode, Exception } = zookeeper;
const NODE_CREATED = 1;
const NODE_DELETED = 2;
const NODE_DATA_CHANGED = 3;
const NODE_CHILDREN_CHANGED = 4;
const ROOT = '/nzc';

type Cb<T> = (error: Error | null, value: T) => void;

function promised<T>(what: string, fn: (cb: Cb<T>) => void, timeoutMs = 10_000): Promise<T> {
  return withTimeout(
    new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value)))),
    timeoutMs,
    what,
  );
}

const long = (buffer: Buffer): bigint => buffer.readBigInt64BE(0);

interface WatchEvent {
  type: number;
  path: string;
}

function toEvent(event: Event): WatchEvent {
  return { type: event.getType(), path: event.getPath() };
}

/** A promise-returning view of one node-zookeeper-client session. */
class Nzc {
  private constructor(readonly raw: Client) {}

  static async connect(connectString: string, sessionTimeout = 10_000): Promise<Nzc> {
    const raw = zookeeper.createClient(connectString, { sessionTimeout, retries: 0, spinDelay: 200 });
    const connected = new Promise<void>((resolve) => raw.once('connected', () => resolve()));
    raw.connect();
    try {
      await withTimeout(connected, 10_000, `node-zookeeper-client connect to ${connectString}`);
    } catch (error) {
      raw.close();
      throw error;
    }
    return new Nzc(raw);
  }

  get sessionId(): bigint {
    return long(this.raw.getSessionId());
  }

  create(path: string, data: string | null = null, mode: number = CreateMode.PERSISTENT): Promise<string> {
    return promised(`create ${path}`, (cb) => this.raw.create(path, data === null ? null : Buffer.from(data), mode, cb));
  }

  async get(path: string, watcher?: (event: Event) => void): Promise<{ data: string | undefined; stat: Stat }> {
    const [data, stat] = await promised<[Buffer | undefined, Stat]>(`getData ${path}`, (cb) =>
      this.raw.getData(path, watcher, (error, d, s) => cb(error, [d, s])),
    );
    return { data: data?.toString('utf8'), stat };
  }

  set(path: string, data: string, version = -1): Promise<Stat> {
    return promised(`setData ${path}`, (cb) => this.raw.setData(path, Buffer.from(data), version, cb));
  }

  exists(path: string, watcher?: (event: Event) => void): Promise<Stat | null> {
    return promised(`exists ${path}`, (cb) => this.raw.exists(path, watcher, cb));
  }

  async children(path: string, watcher?: (event: Event) => void): Promise<{ children: string[]; stat: Stat }> {
    const [children, stat] = await promised<[string[], Stat]>(`getChildren ${path}`, (cb) =>
      this.raw.getChildren(path, watcher, (error, c, s) => cb(error, [c, s])),
    );
    return { children: [...children].sort(), stat };
  }

  remove(path: string, version = -1): Promise<void> {
    return promised(`remove ${path}`, (cb) => this.raw.remove(path, version, (error) => cb(error, undefined)));
  }

  removeRecursive(path: string): Promise<void> {
    return promised(`removeRecursive ${path}`, (cb) => this.raw.removeRecursive(path, -1, (error) => cb(error, undefined)));
  }

  async listSubTree(path: string): Promise<string[]> {
    const paths = await promised<string[]>(`listSubTreeBFS ${path}`, (cb) => this.raw.listSubTreeBFS(path, cb));
    return [...paths].sort();
  }

  mkdirp(path: string): Promise<string> {
    return promised(`mkdirp ${path}`, (cb) => this.raw.mkdirp(path, null, cb));
  }

  commit(tx: Transaction): Promise<{ error: Error | null; results: TransactionResult[] }> {
    return withTimeout(
      new Promise((resolve) => tx.commit((error, results) => resolve({ error, results }))),
      10_000,
      'transaction commit',
    );
  }

  /** closeSession; resolves when the client reports the disconnect that follows. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.raw.once('disconnected', () => resolve()));
    this.raw.close();
    await withTimeout(closed, 10_000, 'node-zookeeper-client close').catch(() => undefined);
  }
}

function errorCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

/** ls -R: the node and every descendant, sorted. */
async function walk(client: Nzc, path: string): Promise<string[]> {
  const out = [path];
  for (const child of (await client.children(path)).children) out.push(...(await walk(client, `${path}/${child}`)));
  return out.sort();
}

/** deleteall: children first, then the node. */
async function deleteAll(client: Nzc, path: string): Promise<void> {
  for (const child of (await client.children(path)).children) await deleteAll(client, `${path}/${child}`);
  await client.remove(path);
}

async function expectCode(promise: Promise<unknown>, code: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  expect(errorCode(error)).toBe(code);
}

describe(`node-zookeeper-client against ${targetKind()}`, () => {
  let server: ServerHandle;
  let a: Nzc;
  let b: Nzc;
  const extra: Nzc[] = [];

  beforeAll(async () => {
    server = await startInteropTarget();
    a = await Nzc.connect(server.connectString);
    b = await Nzc.connect(server.connectString);
    await a.create(ROOT, 'root');
  }, 60_000);

  afterAll(async () => {
    for (const client of [...extra, b, a]) await client?.close();
    await server?.stop();
  }, 30_000);

  test('handshake: sessions are distinct and the timeout is clamped to [2, 20] ticks', async () => {
    expect(a.sessionId).not.toBe(0n);
    expect(b.sessionId).not.toBe(a.sessionId);
    expect(a.raw.getSessionPassword()).toHaveLength(16);
    expect(a.raw.getSessionTimeout()).toBe(10_000);
    const low = await Nzc.connect(server.connectString, 200);
    const high = await Nzc.connect(server.connectString, 60_000);
    const mid = await Nzc.connect(server.connectString, 4_000);
    extra.push(low, high, mid);
    expect(low.raw.getSessionTimeout()).toBe(MIN_SESSION_TIMEOUT_MS);
    expect(high.raw.getSessionTimeout()).toBe(MAX_SESSION_TIMEOUT_MS);
    expect(mid.raw.getSessionTimeout()).toBe(4_000);
    // the session works: a read right after the handshake
    expect((await low.get(ROOT)).data).toBe('root');
  });

  test('create -s -e: sequential ephemeral and persistent nodes', async () => {
    await a.create(`${ROOT}/seq`);
    const p0 = await a.create(`${ROOT}/seq/n-`, 'e0', CreateMode.EPHEMERAL_SEQUENTIAL);
    const p1 = await a.create(`${ROOT}/seq/n-`, 'e1', CreateMode.EPHEMERAL_SEQUENTIAL);
    const p2 = await a.create(`${ROOT}/seq/p-`, 'p2', CreateMode.PERSISTENT_SEQUENTIAL);
    expect([p0, p1, p2]).toEqual([`${ROOT}/seq/n-0000000000`, `${ROOT}/seq/n-0000000001`, `${ROOT}/seq/p-0000000002`]);
    expect(long((await a.get(p0)).stat.ephemeralOwner)).toBe(a.sessionId);
    expect(long((await b.get(p2)).stat.ephemeralOwner)).toBe(0n);
    expect((await b.children(`${ROOT}/seq`)).children).toEqual(['n-0000000000', 'n-0000000001', 'p-0000000002']);
    await expectCode(a.create(`${p0}/child`), Exception.NO_CHILDREN_FOR_EPHEMERALS);
    await expectCode(a.create(`${ROOT}/seq`), Exception.NODE_EXISTS);
    await expectCode(a.create(`${ROOT}/missing/child`), Exception.NO_NODE);
    // a delete bumps the reported cversion but not the sequence counter
    await a.remove(p1);
    expect((await a.exists(`${ROOT}/seq`))?.cversion).toBe(4);
    expect(await a.create(`${ROOT}/seq/n-`, 'e3', CreateMode.EPHEMERAL_SEQUENTIAL)).toBe(`${ROOT}/seq/n-0000000003`);
  });

  test('get -s: data and every stat field of a new node', async () => {
    const before = Date.now();
    expect(await a.create(`${ROOT}/data`, 'v0')).toBe(`${ROOT}/data`);
    const { data, stat } = await b.get(`${ROOT}/data`);
    expect(data).toBe('v0');
    expect(stat).toMatchObject({ version: 0, cversion: 0, aversion: 0, dataLength: 2, numChildren: 0 });
    expect(long(stat.ephemeralOwner)).toBe(0n);
    expect(long(stat.mzxid)).toBe(long(stat.czxid));
    expect(long(stat.pzxid)).toBe(long(stat.czxid));
    expect(long(stat.mtime)).toBe(long(stat.ctime));
    expect(Math.abs(Number(long(stat.ctime)) - before)).toBeLessThan(60_000);
    // empty data round-trips
    await a.create(`${ROOT}/empty`, '');
    const empty = await b.get(`${ROOT}/empty`);
    expect(empty.stat.dataLength).toBe(0);
    expect(empty.data ?? '').toBe('');
    await expectCode(b.get(`${ROOT}/nope`), Exception.NO_NODE);
  });

  test('set with and without a version', async () => {
    const path = `${ROOT}/versioned`;
    await a.create(path, 'v0');
    const s1 = await a.set(path, 'v1', 0);
    expect(s1.version).toBe(1);
    expect(long(s1.mzxid)).toBeGreaterThan(long(s1.czxid));
    await expectCode(a.set(path, 'stale', 0), Exception.BAD_VERSION);
    expect((await b.get(path)).data).toBe('v1');
    const s2 = await b.set(path, 'v-two', -1);
    expect(s2).toMatchObject({ version: 2, dataLength: 5 });
    await expectCode(a.set(`${ROOT}/nope`, 'x'), Exception.NO_NODE);
  });

  test('ls, ls -R and stat', async () => {
    await a.mkdirp(`${ROOT}/tree/b/c`);
    await a.create(`${ROOT}/tree/a`, 'A');
    await a.create(`${ROOT}/tree/b/d`, 'D');
    const { children, stat } = await b.children(`${ROOT}/tree`);
    expect(children).toEqual(['a', 'b']);
    expect(stat).toMatchObject({ numChildren: 2, cversion: 2 });
    expect(await walk(b, `${ROOT}/tree`)).toEqual([
      `${ROOT}/tree`, `${ROOT}/tree/a`, `${ROOT}/tree/b`, `${ROOT}/tree/b/c`, `${ROOT}/tree/b/d`,
    ]);
    // the client's own listSubTreeBFS only lists one level with async 3.x (a client bug): use it there
    expect(await b.listSubTree(`${ROOT}/tree/b`)).toEqual([`${ROOT}/tree/b`, `${ROOT}/tree/b/c`, `${ROOT}/tree/b/d`]);
    const treeStat = await b.exists(`${ROOT}/tree/b`);
    expect(treeStat).toMatchObject({ numChildren: 2, version: 0 });
    expect(await b.exists(`${ROOT}/tree/zzz`)).toBeNull();
    await expectCode(b.children(`${ROOT}/tree/zzz`), Exception.NO_NODE);
  });

  test('delete and deleteall', async () => {
    const path = `${ROOT}/del`;
    await a.mkdirp(`${path}/x/y`);
    await expectCode(a.remove(path), Exception.NOT_EMPTY);
    await expectCode(a.remove(`${path}/x/y`, 3), Exception.BAD_VERSION);
    await expectCode(a.remove(`${path}/nope`), Exception.NO_NODE);
    await a.remove(`${path}/x/y`, 0);
    expect(await a.exists(`${path}/x/y`)).toBeNull();
    await a.create(`${path}/k`, 'k');
    // removeRecursive (built on listSubTreeBFS) handles one level of children with async 3.x
    await b.removeRecursive(`${path}/x`);
    expect(await a.exists(`${path}/x`)).toBeNull();
    await a.mkdirp(`${path}/deep/er/est`);
    await deleteAll(b, path);
    expect(await a.exists(path)).toBeNull();
    expect(await a.exists(`${path}/deep/er/est`)).toBeNull();
  });

  test('a data watch fires once, for a change made by another session', async () => {
    const path = `${ROOT}/watched`;
    await a.create(path, 'v0');
    const events = new EventQueue<WatchEvent>();
    await a.get(path, (event) => events.push(toEvent(event)));
    await b.set(path, 'v1');
    expect(await events.next('NodeDataChanged')).toEqual({ type: NODE_DATA_CHANGED, path });
    await b.set(path, 'v2');
    await events.expectQuiet('second event from a one-shot watch');
    // re-registered: a delete fires NodeDeleted
    await a.get(path, (event) => events.push(toEvent(event)));
    await b.remove(path);
    expect(await events.next('NodeDeleted')).toEqual({ type: NODE_DELETED, path });
  });

  test('a child watch fires on create and delete of a child, not on its data change', async () => {
    const path = `${ROOT}/kids`;
    await a.create(path);
    const events = new EventQueue<WatchEvent>();
    const watch = (event: Event) => events.push(toEvent(event));
    expect((await a.children(path, watch)).children).toEqual([]);
    await b.create(`${path}/k1`, 'x');
    expect(await events.next('NodeChildrenChanged after create')).toEqual({ type: NODE_CHILDREN_CHANGED, path });
    expect((await a.children(path, watch)).children).toEqual(['k1']);
    await b.set(`${path}/k1`, 'changed');
    await events.expectQuiet('child watch event for a data change');
    await b.remove(`${path}/k1`);
    expect(await events.next('NodeChildrenChanged after delete')).toEqual({ type: NODE_CHILDREN_CHANGED, path });
  });

  test('an exists watch on a missing node fires NodeCreated, then NodeDeleted', async () => {
    const path = `${ROOT}/later`;
    const events = new EventQueue<WatchEvent>();
    const watch = (event: Event) => events.push(toEvent(event));
    expect(await a.exists(path, watch)).toBeNull();
    await b.create(path, 'now');
    expect(await events.next('NodeCreated')).toEqual({ type: NODE_CREATED, path });
    expect(await a.exists(path, watch)).toMatchObject({ dataLength: 3 });
    await b.remove(path);
    expect(await events.next('NodeDeleted')).toEqual({ type: NODE_DELETED, path });
  });

  test('multi: results of a committed transaction and of a rolled-back one', async () => {
    const path = `${ROOT}/tx`;
    const ok = await a.commit(
      a.raw
        .transaction()
        .create(path, Buffer.from('root'))
        .create(`${path}/a`, Buffer.from('1'))
        .setData(`${path}/a`, Buffer.from('11'), 0)
        .check(`${path}/a`, 1)
        .create(`${path}/s-`, null, CreateMode.PERSISTENT_SEQUENTIAL)
        .remove(`${path}/a`, -1),
    );
    expect(ok.error).toBeNull();
    expect(ok.results.map((r) => r.type)).toEqual([1, 1, 5, 13, 1, 2]);
    expect(ok.results[0]?.path).toBe(path);
    expect(ok.results[1]?.path).toBe(`${path}/a`);
    expect(ok.results[2]?.stat).toMatchObject({ version: 1, dataLength: 2 });
    expect(ok.results[4]?.path).toBe(`${path}/s-0000000001`);
    expect((await b.children(path)).children).toEqual(['s-0000000001']);

    const failed = await a.commit(
      a.raw.transaction().create(`${path}/b`).check(path, 7).setData(path, Buffer.from('never')),
    );
    expect(errorCode(failed.error)).toBe(Exception.BAD_VERSION);
    expect(failed.results).toEqual([
      { type: -1, err: 0 },
      { type: -1, err: Exception.BAD_VERSION },
      { type: -1, err: Exception.RUNTIME_INCONSISTENCY },
    ]);
    expect(await b.exists(`${path}/b`)).toBeNull();
    expect((await b.get(path)).data).toBe('root');
  });

  test('closing a session removes its ephemerals at once and fires the watches', async () => {
    const owner = await Nzc.connect(server.connectString);
    const parent = `${ROOT}/eph-close`;
    const path = `${parent}/node`;
    await a.create(parent);
    await owner.create(path, 'bye', CreateMode.EPHEMERAL);
    const events = new EventQueue<WatchEvent>();
    const watch = (event: Event) => events.push(toEvent(event));
    expect(long((await a.exists(path, watch))?.ephemeralOwner as Buffer)).toBe(owner.sessionId);
    expect((await a.children(parent, watch)).children).toEqual(['node']);
    const started = Date.now();
    await owner.close();
    const received = [await events.next('first event after close'), await events.next('second event after close')];
    expect(received).toEqual(
      expect.arrayContaining([
        { type: NODE_DELETED, path },
        { type: NODE_CHILDREN_CHANGED, path: parent },
      ]),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await a.exists(path)).toBeNull();
  });

  test('a killed client loses its ephemeral when its session expires, not before', async () => {
    const path = `${ROOT}/eph-crash`;
    const holder = await holdEphemeral('nzc', server.connectString, path, 2_000);
    const events = new EventQueue<WatchEvent>();
    const stat = await a.exists(path, (event) => events.push(toEvent(event)));
    expect(long(stat?.ephemeralOwner as Buffer)).toBe(holder.sessionId);
    await holder.process.kill();
    const killed = Date.now();
    await sleep(200);
    expect(await b.exists(path)).not.toBeNull();
    expect(await events.next('NodeDeleted after expiry', expiryDeadlineMs(2_000))).toEqual({ type: NODE_DELETED, path });
    expect(Date.now() - killed).toBeGreaterThanOrEqual(1_000);
    expect(await b.exists(path)).toBeNull();
  }, 30_000);
});
