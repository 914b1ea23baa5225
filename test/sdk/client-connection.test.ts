/**
 * Connection behaviour of @paddock/client against a started Paddock and a started Apache ZooKeeper 3.8:
 * failover, connection cuts through a TcpProxy (session re-established, SetWatches, auth replay, in-flight
 * requests failing with ConnectionLoss), ping cadence, session expiry, close(), auth failure, backpressure.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  AuthFailedError,
  ConnectionLossError,
  CREATOR_ALL_ACL,
  SessionExpiredError,
  ZooKeeperClient,
  retryNTimes,
  withRetry,
  type ClientState,
  type WatchedEvent,
} from '@paddock/client';
import { EventQueue, withTimeout } from '../support/async.js';
import type { ServerHandle } from '../support/paddock.js';
import { getFreePort, LOOPBACK } from '../support/ports.js';
import { sleep } from '../support/processes.js';
import { OP_PING, PING_XID, TcpProxy, parseConnectRequest, requests } from '../support/tcp-proxy.js';
import { SERVER_OPTIONS, TARGETS, clientTracker, freshPath } from './targets.js';

jest.setTimeout(60_000);

function stateQueue(client: ZooKeeperClient): EventQueue<ClientState> {
  const q = new EventQueue<ClientState>();
  client.on('state', q.push);
  return q;
}

async function nextState(q: EventQueue<ClientState>, wanted: ClientState, timeoutMs = 15_000): Promise<void> {
  for (;;) {
    const s = await q.next(`state ${wanted}`, timeoutMs);
    if (s === wanted) return;
  }
}

describe.each(TARGETS)('client connection handling against %s', (_kind, start) => {
  let server: ServerHandle;
  const clients = clientTracker();
  const proxies: TcpProxy[] = [];

  async function proxy(): Promise<TcpProxy> {
    const p = await new TcpProxy(server.host, server.port).start();
    proxies.push(p);
    return p;
  }

  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('fails over to the next host when the first is down', async () => {
    const dead = await getFreePort();
    const client = await clients.open(`${LOOPBACK}:${dead},${server.connectString}`, { randomizeHosts: false });
    expect(client.currentHost).toEqual({ host: server.host, port: server.port });
    expect(await client.exists('/')).not.toBeNull();
  });

  it('moves the session to another host when its server goes away', async () => {
    const [a, b] = [await proxy(), await proxy()];
    const client = await clients.open(`${a.connectString},${b.connectString}`, { randomizeHosts: false });
    const states = stateQueue(client);
    const path = await client.create(freshPath('failover'), 'x', { mode: 'ephemeral' });
    const session = client.sessionId;
    await a.stop();
    await nextState(states, 'disconnected');
    await nextState(states, 'connected');
    expect(client.currentHost?.port).toBe(b.port);
    expect(client.sessionId).toBe(session);
    expect((await client.exists(path))?.ephemeralOwner).toBe(session);
    const reconnect = parseConnectRequest(b.connections[0]!.toServer[0]!.payload);
    expect(reconnect.sessionId).toBe(session);
    expect(reconnect.lastZxidSeen).toBeGreaterThan(0n);
  });

  it('rejects connect() after the timeout when no host answers, leaving nothing running', async () => {
    const dead = await getFreePort();
    const started = Date.now();
    const error = await ZooKeeperClient.connect(`${LOOPBACK}:${dead}`, { connectTimeoutMs: 1_500, reconnectDelayMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLossError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('after a cut: in-flight requests fail with ConnectionLoss, the session comes back and watches still fire (SetWatches)', async () => {
    const p = await proxy();
    const writer = await clients.open(server.connectString);
    // a fixed ~300 ms pause before reconnecting, so the writer's changes happen while the client is away
    const client = await clients.open(p.connectString, { reconnectJitterMs: 300, random: () => 0.99 });
    const states = stateQueue(client);
    const base = await writer.create(freshPath('cut'));
    await writer.create(`${base}/watched`, 'v0');
    await writer.create(`${base}/rec`);

    const events = new EventQueue<WatchedEvent>();
    await client.getData(`${base}/watched`, { watch: events.push });
    expect(await client.exists(`${base}/missing`, { watch: events.push })).toBeNull();
    await client.getChildren(base, { watch: events.push });
    const stream = client.watch(`${base}/rec`, { mode: 'persistentRecursive' });
    await stream.ready;
    const session = client.sessionId;

    const inflight = [client.getData(`${base}/watched`), client.getChildren(base), client.setData(`${base}/watched`, 'lost?')];
    p.cutAll();
    const outcomes = await Promise.allSettled(inflight);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionLossError);
    }
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: -4, path: `${base}/watched` });
    await nextState(states, 'disconnected');

    await writer.setData(`${base}/watched`, 'while-away');
    await writer.create(`${base}/missing`);
    await writer.create(`${base}/rec/x`);

    await nextState(states, 'connected');
    expect(client.sessionId).toBe(session);
    const got = [await events.next('data'), await events.next('exists'), await events.next('child')].map((e) => `${e.type} ${e.path}`).sort();
    expect(got).toEqual([`NodeChildrenChanged ${base}`, `NodeCreated ${base}/missing`, `NodeDataChanged ${base}/watched`].sort());
    // the new connection re-attached the session and re-registered the watches with SetWatches2
    const second = p.connections[1]!;
    const connect = parseConnectRequest(second.toServer[0]!.payload);
    expect(connect.sessionId).toBe(session);
    expect(connect.lastZxidSeen).toBeGreaterThan(0n);
    const setWatches = requests(second).filter((r) => r.xid === -8);
    expect(setWatches.map((r) => r.type)).toEqual([105]);

    // the persistent watch was re-registered too; like ZooKeeper, SetWatches2 does not replay what a persistent
    // watch missed while away (the create of rec/x), only later changes arrive
    await writer.setData(`${base}/rec/x`, 'y');
    const it0 = stream[Symbol.asyncIterator]();
    expect((await withTimeout(it0.next(), 10_000, 'recursive event')).value).toMatchObject({ type: 'NodeDataChanged', path: `${base}/rec/x` });
    await stream.close();
    expect((await client.getData(`${base}/watched`)).data.toString()).toBe('while-away');
  });

  it('withRetry carries an operation over a cut', async () => {
    const p = await proxy();
    const client = await clients.open(p.connectString, { reconnectJitterMs: 100 });
    const path = await client.create(freshPath('retry'), 'ok');
    const attempts: number[] = [];
    const result = withRetry(retryNTimes(50, 100), (attempt) => {
      attempts.push(attempt);
      return client.getData(path);
    });
    p.cutAll();
    expect((await result).data.toString()).toBe('ok');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
  });

  it('replays auth on reconnect before any request', async () => {
    const p = await proxy();
    const client = await clients.open(p.connectString, { reconnectJitterMs: 50 });
    const states = stateQueue(client);
    await client.addAuth('digest', 'bob:pw');
    const path = await client.create(freshPath('auth'), 'secret', { acl: CREATOR_ALL_ACL });
    p.cutAll();
    await nextState(states, 'connected');
    expect((await client.getData(path)).data.toString()).toBe('secret');
    const frames = requests(p.connections[1]!);
    expect(frames[0]).toMatchObject({ xid: -4, type: 100 });
    expect(await client.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'digest', user: 'bob' }]));
  });

  it('an unknown auth scheme ends in auth-failed; later calls fail with AuthFailed', async () => {
    const client = await clients.open(server.connectString);
    const states = stateQueue(client);
    await expect(client.addAuth('no-such-scheme', 'x')).rejects.toBeInstanceOf(AuthFailedError);
    await nextState(states, 'auth-failed', 5_000);
    expect(client.state).toBe('auth-failed');
    await expect(client.getData('/')).rejects.toBeInstanceOf(AuthFailedError);
  });

  it('pings like the Java client: after readTimeout/2 of idle sending', async () => {
    const p = await proxy();
    const client = await clients.open(p.connectString, { sessionTimeout: 3_000 });
    expect(client.negotiatedTimeout).toBe(3_000);
    expect(client.timing).toEqual({ readTimeout: 2_000, connectTimeout: 3_000, pingInterval: 1_000 });
    await sleep(4_600);
    const pings = requests(p.connections[0]!).filter((r) => r.xid === PING_XID && r.type === OP_PING);
    expect(pings.length).toBeGreaterThanOrEqual(3);
    const gaps = pings.slice(1).map((ping, i) => ping.at - pings[i]!.at);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(700);
      expect(gap).toBeLessThanOrEqual(1_800);
    }
    expect(client.state).toBe('connected');
  });

  it('surfaces session expiry as the expired state; everything fails with SessionExpired', async () => {
    const writer = await clients.open(server.connectString);
    const client = await clients.open(server.connectString, { sessionTimeout: 4_000 });
    const states = stateQueue(client);
    const base = await writer.create(freshPath('expiry'));
    const eph = await client.create(`${base}/e`, null, { mode: 'ephemeral' });
    const stream = client.watch(base, { mode: 'persistentRecursive' });
    await stream.ready;
    const consumed = (async () => {
      for await (const _ of stream) {
        // events until the session ends
      }
    })();

    // kill the session the way Curator's KillSession does: attach to it from a second client and close it
    const killer = clients.track(new ZooKeeperClient(server.connectString, { sessionId: client.sessionId, sessionPassword: client.sessionPassword }));
    await killer.waitForConnected(10_000);
    expect(killer.sessionId).toBe(client.sessionId);
    await killer.close();

    await nextState(states, 'expired', 20_000);
    expect(client.state).toBe('expired');
    await expect(client.getData(base)).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(withTimeout(consumed, 5_000, 'stream end')).rejects.toBeInstanceOf(SessionExpiredError);
    expect(await writer.exists(eph)).toBeNull();
  });

  it('close() sends closeSession: ephemerals go at once, then calls fail', async () => {
    const p = await proxy();
    const writer = await clients.open(server.connectString);
    const client = await clients.open(p.connectString);
    const states = stateQueue(client);
    const eph = await client.create(freshPath('close'), null, { mode: 'ephemeral' });
    const last = client.exists(eph);
    await client.close();
    expect(await last).not.toBeNull(); // sent before closeSession, answered before it
    expect(await states.next('closed')).toBe('closed');
    expect(requests(p.connections[0]!).map((r) => r.type)).toContain(-11);
    expect(await writer.exists(eph)).toBeNull();
    await expect(client.getData('/')).rejects.toMatchObject({ code: -112 });
    await client.close(); // idempotent
  });

  it('bounds outstanding requests: extra calls wait, in call order', async () => {
    const client = await clients.open(server.connectString, { maxOutstandingRequests: 3 });
    const base = await client.create(freshPath('backpressure'));
    const creates = Array.from({ length: 40 }, () => client.create(`${base}/n-`, null, { mode: 'persistentSequential' }));
    expect(client.stats.outstanding).toBe(3);
    expect(client.stats.waiting).toBe(37);
    const reads = Array.from({ length: 40 }, () => client.exists(base));
    const made = await Promise.all(creates);
    await Promise.all(reads);
    expect(made).toEqual([...made].sort());
    expect(client.stats).toMatchObject({ outstanding: 0, waiting: 0, peakOutstanding: 3 });
    expect(client.stats.peakWaiting).toBeGreaterThanOrEqual(77);
  });

  it('requests waiting for a slot do not hang when the connection drops', async () => {
    const p = await proxy();
    const client = await clients.open(p.connectString, { maxOutstandingRequests: 2, reconnectJitterMs: 50 });
    const calls = Array.from({ length: 10 }, () => client.exists('/'));
    p.cutAll();
    const settled = await withTimeout(Promise.allSettled(calls), 15_000, 'all calls settle');
    const lost = settled.filter((s) => s.status === 'rejected');
    expect(lost.length).toBeGreaterThanOrEqual(2);
    for (const s of lost) expect((s as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionLossError);
    expect(client.stats.outstanding).toBe(0);
  });
});
