/**
 * The member's reaper (ZooKeeper's ContainerManager): a container whose last child is deleted and a TTL
 * node idle past its ttl are deleted by the server itself, with the usual watch events; a container that
 * still has children and a TTL node that was recently modified are left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateFlags, ErrorCode, EventType, OpCode } from '@paddock/protocol';
import { startPaddock, type ServerHandle } from '../support/paddock.js';
import { RawClient } from '../support/raw-client.js';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

describe('container and TTL reaper', () => {
  let server: ServerHandle;
  let client: RawClient;

  beforeAll(async () => {
    server = await startPaddock({
      extraConfig: { 'znode.container.checkIntervalMs': 200, 'zookeeper.extendedTypesEnabled': true },
    });
    client = await RawClient.connect({ port: server.port });
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  const exists = async (path: string) => (await client.request({ type: OpCode.exists, request: { path, watch: false } }))?.err;

  it('deletes a container once its last child is gone, and fires NodeDeleted', async () => {
    const created = await client.request({ type: OpCode.createContainer, request: { path: '/box', data: null, acl: OPEN, flags: CreateFlags.CONTAINER } });
    expect(created?.err).toBe(ErrorCode.OK);
    await client.request({ type: OpCode.create, request: { path: '/box/item', data: null, acl: OPEN, flags: 0 } });
    await new Promise((r) => setTimeout(r, 600));
    expect(await exists('/box')).toBe(ErrorCode.OK); // still has a child

    expect((await client.request({ type: OpCode.exists, request: { path: '/box', watch: true } }))?.err).toBe(ErrorCode.OK);
    await client.request({ type: OpCode.delete, request: { path: '/box/item', version: -1 } });
    const event = await client.waitForEvent((e) => e.type === EventType.NodeDeleted && e.path === '/box', 5_000);
    expect(event.event.path).toBe('/box');
    expect(await exists('/box')).toBe(ErrorCode.NO_NODE);
  });

  it('deletes a TTL node idle past its ttl, not one that was just modified', async () => {
    const ttl = (path: string) =>
      client.request({ type: OpCode.createTTL, request: { path, data: Buffer.from('t'), acl: OPEN, flags: CreateFlags.PERSISTENT_WITH_TTL, ttl: 800n } });
    expect((await ttl('/short'))?.err).toBe(ErrorCode.OK);
    expect((await ttl('/kept'))?.err).toBe(ErrorCode.OK);
    // keep /kept fresh while /short idles past its ttl
    const deadline = Date.now() + 5_000;
    while ((await exists('/short')) === ErrorCode.OK && Date.now() < deadline) {
      await client.request({ type: OpCode.setData, request: { path: '/kept', data: Buffer.from('again'), version: -1 } });
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(await exists('/short')).toBe(ErrorCode.NO_NODE);
    expect(await exists('/kept')).toBe(ErrorCode.OK);
  });
});
