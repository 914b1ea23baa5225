/**
 * Edge cases of the client that depend on server behaviour, checked against both targets: watch removal
 * that must not drop a persistent watch (3.8 servers keep persistent watches in their data table), catch-up
 * events after reconnecting, auth quirks, and odd but valid requests.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ConnectionLossError, ZooKeeperError, type ClientState, type WatchedEvent } from '@paddock/client';
import { EventQueue } from '../support/async.js';
import type { ServerHandle } from '../support/paddock.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { SERVER_OPTIONS, TARGETS, clientTracker, freshPath } from './targets.js';

jest.setTimeout(60_000);

async function codeOf(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => 0,
    (e: unknown) => (e instanceof ZooKeeperError ? e.code : Number.NaN),
  );
}

describe.each(TARGETS)('client edge cases against %s', (_kind, start) => {
  let server: ServerHandle;
  const clients = clientTracker();
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('removing a one-shot data watch keeps a persistent watch on the same path alive', async () => {
    const zk = await clients.open(server.connectString);
    const base = await zk.create(freshPath('keep-persistent'));
    const persistent = new EventQueue<WatchedEvent>();
    const oneShot = new EventQueue<WatchedEvent>();
    await zk.addWatch(base, persistent.push);
    await zk.getData(base, { watch: oneShot.push });
    await zk.removeWatches(base, oneShot.push, 'data');
    expect(await oneShot.next('removal')).toMatchObject({ type: 'DataWatchRemoved' });
    await zk.setData(base, 'x');
    expect(await persistent.next('persistent event')).toMatchObject({ type: 'NodeDataChanged', path: base });
    await oneShot.expectQuiet('removed watcher firing');
  });

  it('catch-up after a reconnect: one NodeDeleted for a watcher holding data and child watches on a node deleted while away', async () => {
    const p = await new TcpProxy(server.host, server.port).start();
    proxies.push(p);
    const writer = await clients.open(server.connectString);
    const zk = await clients.open(p.connectString, { reconnectJitterMs: 300, random: () => 0.99 });
    const states = new EventQueue<ClientState>();
    zk.on('state', states.push);
    const base = await writer.create(freshPath('catch-up'));
    await writer.create(`${base}/gone`);
    const events = new EventQueue<WatchedEvent>();
    await zk.getData(`${base}/gone`, { watch: events.push });
    await zk.getChildren(`${base}/gone`, { watch: events.push });
    p.cutAll();
    expect(await states.next('disconnected')).toBe('disconnected');
    await writer.delete(`${base}/gone`);
    expect(await states.next('connected', 10_000)).toBe('connected');
    expect(await events.next('deleted')).toMatchObject({ type: 'NodeDeleted', path: `${base}/gone` });
    await events.expectQuiet('second event for one watcher');
  });

  it('auth quirks: digest without a colon is accepted, duplicate credentials are listed once', async () => {
    const zk = await clients.open(server.connectString);
    await zk.addAuth('digest', 'nocolon');
    await zk.addAuth('digest', 'carol:pw');
    await zk.addAuth('digest', 'carol:pw');
    const who = await zk.whoAmI();
    expect(who.filter((c) => c.authScheme === 'digest').map((c) => c.user).sort()).toEqual(['carol', 'nocolon']);
  });

  it('odd requests: delete /, sync of a missing path, write to /zookeeper/config, getEphemerals prefix match', async () => {
    const zk = await clients.open(server.connectString);
    expect(await codeOf(zk.delete('/'))).toBe(-8);
    expect(await codeOf(zk.sync('/no/such/node'))).toBe(0);
    expect(await codeOf(zk.setData('/zookeeper/config', 'x'))).toBe(-102);
    expect(await codeOf(zk.create('/zookeeper/quota/x'))).toBe(0);
    const base = freshPath('prefix');
    await zk.create(base);
    await zk.create(`${base}/ab`, null, { mode: 'ephemeral' });
    await zk.create(`${base}/abc`, null, { mode: 'ephemeral' });
    await zk.create(`${base}/b`, null, { mode: 'ephemeral' });
    expect((await zk.getEphemerals(`${base}/ab`)).sort()).toEqual([`${base}/ab`, `${base}/abc`]);
    expect(await zk.getEphemerals(`${base}/zz`)).toEqual([]);
    expect(await zk.getAllChildrenNumber(base)).toBe(3);
  });

  it('a request issued while disconnected waits for the reconnect or fails, never hangs', async () => {
    const p = await new TcpProxy(server.host, server.port).start();
    proxies.push(p);
    const zk = await clients.open(p.connectString, { reconnectJitterMs: 200, random: () => 0.5 });
    const states = new EventQueue<ClientState>();
    zk.on('state', states.push);
    p.cutAll();
    expect(await states.next('disconnected')).toBe('disconnected');
    const during = zk.exists('/');
    const outcome = await during.then(
      (v) => (v === null ? 'missing' : 'ok'),
      (e: unknown) => (e instanceof ConnectionLossError ? 'loss' : String(e)),
    );
    expect(['ok', 'loss']).toContain(outcome);
    expect(await states.next('connected', 10_000)).toBe('connected');
  });
});
