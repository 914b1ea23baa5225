/**
 * READ-ACL filtering on delivery: a session never learns of a change to a node it may not read, even
 * through a watch it was allowed to set (an exists watch on a missing path, a persistent recursive
 * watch on an ancestor). The fix ZooKeeper shipped for CVE-2024-23944; Apache ZooKeeper 3.8.0 still
 * leaks these events, so this is checked here rather than in the differential suite.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AddWatchMode, ErrorCode, EventType, OpCode } from '@paddock/protocol';
import { startPaddock, type ServerHandle } from '../support/paddock.js';
import { RawClient } from '../support/raw-client.js';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
// digest of alice:secret, the only id allowed to read /vault/*
const ALICE_ONLY = [{ perms: 31, id: { scheme: 'auth', id: '' } }];

describe('watch events are filtered by READ ACL', () => {
  let server: ServerHandle;
  let alice: RawClient;
  let mallory: RawClient;

  beforeAll(async () => {
    server = await startPaddock();
    alice = await RawClient.connect({ port: server.port });
    mallory = await RawClient.connect({ port: server.port });
    const auth = await alice.request({ type: OpCode.auth, request: { type: 0, scheme: 'digest', auth: Buffer.from('alice:secret') } }, -4);
    expect(auth?.err).toBe(ErrorCode.OK);
    const root = await alice.request({ type: OpCode.create, request: { path: '/vault', data: null, acl: OPEN, flags: 0 } });
    expect(root?.err).toBe(ErrorCode.OK);
  }, 30_000);

  afterAll(async () => {
    alice?.destroy();
    mallory?.destroy();
    await server?.stop();
  });

  it('hides NodeCreated/NodeDataChanged of an unreadable node from an exists and a recursive watch', async () => {
    const exists = await mallory.request({ type: OpCode.exists, request: { path: '/vault/key', watch: true } });
    expect(exists?.err).toBe(ErrorCode.NO_NODE);
    const recursive = await mallory.request({ type: OpCode.addWatch, request: { path: '/vault', mode: AddWatchMode.PERSISTENT_RECURSIVE } });
    expect(recursive?.err).toBe(ErrorCode.OK);
    // alice's own recursive watch shows the events are produced at all
    await alice.request({ type: OpCode.addWatch, request: { path: '/vault', mode: AddWatchMode.PERSISTENT_RECURSIVE } });

    const created = await alice.request({ type: OpCode.create, request: { path: '/vault/key', data: Buffer.from('k1'), acl: ALICE_ONLY, flags: 0 } });
    expect(created?.err).toBe(ErrorCode.OK);
    await alice.request({ type: OpCode.setData, request: { path: '/vault/key', data: Buffer.from('k2'), version: -1 } });
    await alice.waitForEvent((e) => e.type === EventType.NodeDataChanged && e.path === '/vault/key');

    // a round trip on mallory's connection: any event would have been queued before this reply
    await mallory.ping();
    expect(mallory.events().map((e) => e.event)).toEqual([]);

    const read = await mallory.request({ type: OpCode.getData, request: { path: '/vault/key', watch: false } });
    expect(read?.err).toBe(ErrorCode.NO_AUTH);

    // the delete is filtered by the ACL the node had, although the node is gone at delivery
    await alice.request({ type: OpCode.delete, request: { path: '/vault/key', version: -1 } });
    await alice.waitForEvent((e) => e.type === EventType.NodeDeleted && e.path === '/vault/key');
    await mallory.ping();
    expect(mallory.events().map((e) => e.event)).toEqual([]);
  });

  it('still delivers events of readable nodes to the same watches', async () => {
    const created = await alice.request({ type: OpCode.create, request: { path: '/vault/public', data: null, acl: OPEN, flags: 0 } });
    expect(created?.err).toBe(ErrorCode.OK);
    const event = await mallory.waitForEvent((e) => e.path === '/vault/public');
    expect(event.event.type).toBe(EventType.NodeCreated);
  });
});
