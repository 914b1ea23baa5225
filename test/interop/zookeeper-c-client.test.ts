/**
 * npm `zookeeper` (node binding of the official ZooKeeper 3.8 C client, unmodified) against the
 * interop target, through its promise API (create, get, w_get, set, get_children2, exists,
 * w_exists, delete_, mkdirp, sync).
 *
 * Client quirks: the C client sends the readOnly byte in its ConnectRequest, pings after
 * recv_timeout/3 of idle, reports stat longs as JS numbers (ctime/mtime as Date, ephemeralOwner as
 * a hex string), and a closed handle must never be used again (the binding segfaults).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import ZooKeeper from 'zookeeper';
import { EventQueue, withTimeout } from '../support/async.js';
import type { ServerHandle } from '../support/paddock.js';
import { sleep } from '../support/processes.js';
import { expiryDeadlineMs, holdEphemeral, startInteropTarget, targetKind } from './interop-target.js';

const C = ZooKeeper.constants;
const ROOT = '/czk';

interface CStat {
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: Date;
  mtime: Date;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

interface WatchEvent {
  type: number;
  path: string;
}

type CClient = InstanceType<typeof ZooKeeper>;

const owner = (stat: CStat): bigint => BigInt(`0x${stat.ephemeralOwner}`);

/** A promise-returning view of one C-client session with typed results. */
class CZk {
  private closed = false;

  private constructor(readonly raw: CClient) {}

  static async connect(connectString: string, timeout = 10_000): Promise<CZk> {
    const raw = new ZooKeeper({
      connect: connectString,
      timeout,
      debug_level: C.ZOO_LOG_LEVEL_ERROR,
      host_order_deterministic: false,
    });
    const connected = new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    raw.init({});
    const client = new CZk(raw);
    try {
      await withTimeout(connected, 10_000, `C client connect to ${connectString}`);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  get sessionId(): bigint {
    return BigInt(`0x${this.raw.client_id as unknown as string}`);
  }

  private bounded<T>(what: string, promise: Promise<unknown>): Promise<T> {
    return withTimeout(promise as Promise<T>, 10_000, what);
  }

  create(path: string, data: string | null = null, flags: number = C.ZOO_PERSISTENT): Promise<string> {
    return this.bounded(`create ${path}`, this.raw.create(path, data ?? '', flags));
  }

  async get(path: string): Promise<{ data: string; stat: CStat }> {
    const [stat, data] = await this.bounded<[CStat, Buffer | string]>(`get ${path}`, this.raw.get(path, false));
    return { data: (data ?? '').toString(), stat };
  }

  async wget(path: string, watch: (type: number, state: number, path: string) => void): Promise<{ data: string; stat: CStat }> {
    const [stat, data] = await this.bounded<[CStat, Buffer | string]>(`w_get ${path}`, this.raw.w_get(path, watch));
    return { data: (data ?? '').toString(), stat };
  }

  set(path: string, data: string, version = -1): Promise<CStat> {
    return this.bounded(`set ${path}`, this.raw.set(path, data, version));
  }

  exists(path: string): Promise<CStat> {
    return this.bounded(`exists ${path}`, this.raw.exists(path, false));
  }

  wexists(path: string, watch: (type: number, state: number, path: string) => void): Promise<CStat> {
    return this.bounded(`w_exists ${path}`, this.raw.w_exists(path, watch));
  }

  pathExists(path: string): Promise<boolean> {
    return this.bounded(`pathExists ${path}`, this.raw.pathExists(path, false));
  }

  async children(path: string): Promise<{ children: string[]; stat: CStat }> {
    const [children, stat] = await this.bounded<[string[], CStat]>(`get_children2 ${path}`, this.raw.get_children2(path, false));
    return { children: [...children].sort(), stat };
  }

  async wchildren(path: string, watch: (type: number, state: number, path: string) => void): Promise<string[]> {
    const children = await this.bounded<string[]>(`w_get_children ${path}`, this.raw.w_get_children(path, watch));
    return [...children].sort();
  }

  delete(path: string, version = -1): Promise<void> {
    return this.bounded(`delete_ ${path}`, this.raw.delete_(path, version));
  }

  mkdirp(path: string): Promise<void> {
    return this.bounded(
      `mkdirp ${path}`,
      new Promise<void>((resolve, reject) => this.raw.mkdirp(path, (error: Error | null) => (error ? reject(error) : resolve()))),
    );
  }

  sync(path: string): Promise<unknown> {
    return this.bounded(`sync ${path}`, this.raw.sync(path));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.raw.close();
  }
}

/** The promise API rejects with Error(`${rc} ${message}`). */
async function expectRc(promise: Promise<unknown>, rc: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message.split(' ')[0]).toBe(String(rc));
}

function recorder(events: EventQueue<WatchEvent>) {
  return (type: number, _state: number, path: string) => events.push({ type, path });
}

async function walk(client: CZk, path: string): Promise<string[]> {
  const out = [path];
  for (const child of (await client.children(path)).children) out.push(...(await walk(client, `${path}/${child}`)));
  return out.sort();
}

async function deleteAll(client: CZk, path: string): Promise<void> {
  for (const child of (await client.children(path)).children) await deleteAll(client, `${path}/${child}`);
  await client.delete(path);
}

describe(`zookeeper (C client binding) against ${targetKind()}`, () => {
  let server: ServerHandle;
  let a: CZk;
  let b: CZk;

  beforeAll(async () => {
    server = await startInteropTarget();
    a = await CZk.connect(server.connectString);
    b = await CZk.connect(server.connectString);
    await a.create(ROOT, 'root');
  }, 60_000);

  afterAll(async () => {
    b?.close();
    a?.close();
    await sleep(100); // let the binding flush the closeSession before the server goes
    await server?.stop();
  }, 30_000);

  test('sessions are distinct and usable', async () => {
    expect(a.sessionId).not.toBe(0n);
    expect(b.sessionId).not.toBe(a.sessionId);
    expect((await b.get(ROOT)).data).toBe('root');
    expect(await a.sync(ROOT)).toBeDefined();
  });

  test('create -s -e: sequential ephemeral and persistent nodes', async () => {
    await a.create(`${ROOT}/seq`);
    const p0 = await a.create(`${ROOT}/seq/n-`, 'e0', C.ZOO_EPHEMERAL_SEQUENTIAL);
    const p1 = await a.create(`${ROOT}/seq/n-`, 'e1', C.ZOO_EPHEMERAL_SEQUENTIAL);
    const p2 = await a.create(`${ROOT}/seq/p-`, 'p2', C.ZOO_PERSISTENT_SEQUENTIAL);
    expect([p0, p1, p2]).toEqual([`${ROOT}/seq/n-0000000000`, `${ROOT}/seq/n-0000000001`, `${ROOT}/seq/p-0000000002`]);
    expect(owner((await b.get(p0)).stat)).toBe(a.sessionId);
    expect(owner((await b.get(p2)).stat)).toBe(0n);
    expect((await b.children(`${ROOT}/seq`)).children).toEqual(['n-0000000000', 'n-0000000001', 'p-0000000002']);
    await expectRc(a.create(`${p0}/child`), C.ZNOCHILDRENFOREPHEMERALS);
    await expectRc(a.create(`${ROOT}/seq`), C.ZNODEEXISTS);
    await expectRc(a.create(`${ROOT}/missing/child`), C.ZNONODE);
    await a.delete(p1);
    expect((await a.exists(`${ROOT}/seq`)).cversion).toBe(4);
    expect(await a.create(`${ROOT}/seq/n-`, 'e3', C.ZOO_EPHEMERAL_SEQUENTIAL)).toBe(`${ROOT}/seq/n-0000000003`);
  });

  test('get -s: data and every stat field of a new node', async () => {
    const before = Date.now();
    expect(await a.create(`${ROOT}/data`, 'v0')).toBe(`${ROOT}/data`);
    const { data, stat } = await b.get(`${ROOT}/data`);
    expect(data).toBe('v0');
    expect(stat).toMatchObject({ version: 0, cversion: 0, aversion: 0, dataLength: 2, numChildren: 0, ephemeralOwner: '0' });
    expect(stat.mzxid).toBe(stat.czxid);
    expect(stat.pzxid).toBe(stat.czxid);
    expect(stat.mtime.getTime()).toBe(stat.ctime.getTime());
    expect(Math.abs(stat.ctime.getTime() - before)).toBeLessThan(60_000);
    await a.create(`${ROOT}/empty`, '');
    const empty = await b.get(`${ROOT}/empty`);
    expect(empty.stat.dataLength).toBe(0);
    expect(empty.data).toBe('');
    await expectRc(b.get(`${ROOT}/nope`), C.ZNONODE);
  });

  test('set with and without a version', async () => {
    const path = `${ROOT}/versioned`;
    await a.create(path, 'v0');
    const s1 = await a.set(path, 'v1', 0);
    expect(s1.version).toBe(1);
    expect(s1.mzxid).toBeGreaterThan(s1.czxid);
    await expectRc(a.set(path, 'stale', 0), C.ZBADVERSION);
    expect((await b.get(path)).data).toBe('v1');
    expect(await b.set(path, 'v-two', -1)).toMatchObject({ version: 2, dataLength: 5 });
    await expectRc(a.set(`${ROOT}/nope`, 'x'), C.ZNONODE);
  });

  test('ls, ls -R, stat and mkdirp', async () => {
    await a.mkdirp(`${ROOT}/tree/b/c`);
    expect((await b.get(`${ROOT}/tree/b/c`)).data).toBe('created by zk-mkdir-p');
    await a.create(`${ROOT}/tree/a`, 'A');
    await a.create(`${ROOT}/tree/b/d`, 'D');
    const { children, stat } = await b.children(`${ROOT}/tree`);
    expect(children).toEqual(['a', 'b']);
    expect(stat).toMatchObject({ numChildren: 2, cversion: 2 });
    expect(await walk(b, `${ROOT}/tree`)).toEqual([
      `${ROOT}/tree`, `${ROOT}/tree/a`, `${ROOT}/tree/b`, `${ROOT}/tree/b/c`, `${ROOT}/tree/b/d`,
    ]);
    expect(await b.exists(`${ROOT}/tree/b`)).toMatchObject({ numChildren: 2, version: 0 });
    await expectRc(b.exists(`${ROOT}/tree/zzz`), C.ZNONODE);
    expect(await b.pathExists(`${ROOT}/tree/zzz`)).toBe(false);
    await expectRc(b.children(`${ROOT}/tree/zzz`), C.ZNONODE);
  });

  test('delete and deleteall', async () => {
    const path = `${ROOT}/del`;
    await a.mkdirp(`${path}/x/y`);
    await expectRc(a.delete(path), C.ZNOTEMPTY);
    await expectRc(a.delete(`${path}/x/y`, 3), C.ZBADVERSION);
    await expectRc(a.delete(`${path}/nope`), C.ZNONODE);
    await a.delete(`${path}/x/y`, 0);
    expect(await a.pathExists(`${path}/x/y`)).toBe(false);
    await a.mkdirp(`${path}/deep/er/est`);
    await deleteAll(b, path);
    expect(await a.pathExists(path)).toBe(false);
  });

  test('a data watch fires once, for a change made by another session', async () => {
    const path = `${ROOT}/watched`;
    await a.create(path, 'v0');
    const events = new EventQueue<WatchEvent>();
    expect((await a.wget(path, recorder(events))).data).toBe('v0');
    await b.set(path, 'v1');
    expect(await events.next('ZOO_CHANGED_EVENT')).toEqual({ type: C.ZOO_CHANGED_EVENT, path });
    await b.set(path, 'v2');
    await events.expectQuiet('second event from a one-shot watch');
    await a.wget(path, recorder(events));
    await b.delete(path);
    expect(await events.next('ZOO_DELETED_EVENT')).toEqual({ type: C.ZOO_DELETED_EVENT, path });
  });

  test('a child watch fires on create and delete of a child, not on its data change', async () => {
    const path = `${ROOT}/kids`;
    await a.create(path);
    const events = new EventQueue<WatchEvent>();
    expect(await a.wchildren(path, recorder(events))).toEqual([]);
    await b.create(`${path}/k1`, 'x');
    expect(await events.next('ZOO_CHILD_EVENT after create')).toEqual({ type: C.ZOO_CHILD_EVENT, path });
    expect(await a.wchildren(path, recorder(events))).toEqual(['k1']);
    await b.set(`${path}/k1`, 'changed');
    await events.expectQuiet('child watch event for a data change');
    await b.delete(`${path}/k1`);
    expect(await events.next('ZOO_CHILD_EVENT after delete')).toEqual({ type: C.ZOO_CHILD_EVENT, path });
  });

  test('an exists watch set on a missing node fires on create, then on delete', async () => {
    const path = `${ROOT}/later`;
    const events = new EventQueue<WatchEvent>();
    // the C client rejects exists on a missing node with ZNONODE, but the watch is registered
    await expectRc(a.wexists(path, recorder(events)), C.ZNONODE);
    await b.create(path, 'now');
    expect(await events.next('ZOO_CREATED_EVENT')).toEqual({ type: C.ZOO_CREATED_EVENT, path });
    expect(await a.wexists(path, recorder(events))).toMatchObject({ dataLength: 3 });
    await b.delete(path);
    expect(await events.next('ZOO_DELETED_EVENT')).toEqual({ type: C.ZOO_DELETED_EVENT, path });
  });

  test('closing a session removes its ephemerals at once and fires the watches', async () => {
    const holder = await CZk.connect(server.connectString);
    const parent = `${ROOT}/eph-close`;
    const path = `${parent}/node`;
    await a.create(parent);
    await holder.create(path, 'bye', C.ZOO_EPHEMERAL);
    const events = new EventQueue<WatchEvent>();
    expect(owner(await a.wexists(path, recorder(events)))).toBe(holder.sessionId);
    expect(await a.wchildren(parent, recorder(events))).toEqual(['node']);
    const started = Date.now();
    holder.close();
    const received = [await events.next('first event after close'), await events.next('second event after close')];
    expect(received).toEqual(
      expect.arrayContaining([
        { type: C.ZOO_DELETED_EVENT, path },
        { type: C.ZOO_CHILD_EVENT, path: parent },
      ]),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await a.pathExists(path)).toBe(false);
  });

  test('a killed client loses its ephemeral when its session expires, not before', async () => {
    const path = `${ROOT}/eph-crash`;
    const holder = await holdEphemeral('c', server.connectString, path, 2_000);
    const events = new EventQueue<WatchEvent>();
    expect(owner(await a.wexists(path, recorder(events)))).toBe(holder.sessionId);
    await holder.process.kill();
    const killed = Date.now();
    await sleep(200);
    expect(await b.pathExists(path)).toBe(true);
    expect(await events.next('ZOO_DELETED_EVENT after expiry', expiryDeadlineMs(2_000))).toEqual({
      type: C.ZOO_DELETED_EVENT,
      path,
    });
    expect(Date.now() - killed).toBeGreaterThanOrEqual(1_000);
    expect(await b.pathExists(path)).toBe(false);
  }, 30_000);
});
