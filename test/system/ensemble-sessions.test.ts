/**
 * Sessions across a 3-member ensemble of real processes: the leader owns every session, learners ask it
 * to revalidate a reconnect (ZooKeeper's REVALIDATE), and writes are checked against the member the
 * session is attached to (SessionTracker.checkSession):
 * - a client that moves to another member with its id + password keeps its session, its ephemerals and
 *   its watches (SetWatches replayed on the new member);
 * - a reconnect with a closed/unknown session is refused as expired, on a follower as on the leader;
 * - the old connection of a session that moved to another member is closed when it sends again
 *   (SessionMoved, -118, handled by closing the connection as ZooKeeper does), the new one works.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SessionExpiredError, ZooKeeperClient, type WatchedEvent } from '@paddock/client';
import { ErrorCode, OpCode } from '@paddock/protocol';
import { startPaddockEnsemble, type EnsembleHandle, type EnsembleMember } from '../support/paddock.js';
import { RawClient } from '../support/raw-client.js';
import { sleep } from '../support/processes.js';

const TICK = 200;
const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

describe('sessions across the ensemble', () => {
  let ens: EnsembleHandle;
  let leader: EnsembleMember;
  let followers: EnsembleMember[];
  beforeAll(async () => {
    ens = await startPaddockEnsemble({ participants: 3, tickTime: TICK });
    leader = await ens.waitForLeader();
    followers = ens.members.filter((m) => m !== leader);
  }, 60_000);
  afterAll(async () => {
    await ens?.stop();
  }, 30_000);

  it('a client moving to another member keeps its session, ephemerals and watches (SetWatches)', async () => {
    const [f1, f2] = followers as [EnsembleMember, EnsembleMember];
    const writer = await ZooKeeperClient.connect(leader.connectString, { sessionTimeout: 20 * TICK });
    const c = await ZooKeeperClient.connect(`${f1.connectString},${f2.connectString}`, {
      sessionTimeout: 20 * TICK,
      randomizeHosts: false,
      reconnectDelayMs: 100,
      reconnectJitterMs: 50,
    });
    try {
      expect(c.currentHost?.port).toBe(f1.port);
      const sessionId = c.sessionId;
      await c.create('/moving', 'v0');
      await c.create('/moving-eph', 'e', { mode: 'ephemeral' });
      const events: WatchedEvent[] = [];
      await c.getData('/moving', { watch: (e) => events.push(e) });
      await c.getChildren('/moving', { watch: (e) => events.push(e) });

      await f1.kill9(); // the client's member dies: it moves to f2 with its id + password
      await new Promise<void>((resolve) => c.once('connected', () => resolve()));
      expect(c.currentHost?.port).toBe(f2.port);
      expect(c.sessionId).toBe(sessionId);
      // the ephemeral is still its own
      await c.sync('/');
      expect((await c.exists('/moving-eph'))?.ephemeralOwner).toBe(sessionId);
      // its watches were re-registered on f2: a change through the leader fires them there
      await writer.setData('/moving', 'v1');
      await writer.create('/moving/child', null);
      for (let i = 0; i < 100 && events.length < 2; i++) await sleep(20);
      expect(events.map((e) => `${e.type} ${e.path}`).sort()).toEqual(['NodeChildrenChanged /moving', 'NodeDataChanged /moving']);
      // and it writes through f2
      await c.setData('/moving', 'v2');
      await writer.sync('/moving');
      expect((await writer.getData('/moving')).data?.toString()).toBe('v2');
    } finally {
      await c.close();
      await writer.close();
      await f1.start();
      await ens.waitForLeader();
    }
  }, 60_000);

  it('a reconnect with a closed or unknown session is refused as expired, on followers and the leader', async () => {
    const first = await ZooKeeperClient.connect(followers[0]!.connectString, { sessionTimeout: 20 * TICK });
    const id = first.sessionId;
    const password = first.sessionPassword;
    await first.close();
    for (const m of [followers[1]!, leader]) {
      await expect(
        ZooKeeperClient.connect(m.connectString, { sessionId: id, sessionPassword: password, sessionTimeout: 20 * TICK, connectTimeoutMs: 5_000 }),
      ).rejects.toBeInstanceOf(SessionExpiredError);
    }
    // a session id nobody ever created (with the password ZooKeeper would derive for it)
    const probe = await RawClient.connect({ port: followers[1]!.port });
    const unknown = probe.sessionId + 0x1000n;
    probe.destroy();
    const raw = await RawClient.connect({ port: followers[1]!.port, sessionId: unknown, passwd: Buffer.alloc(16, 7) });
    expect(raw.session.timeOut).toBe(0);
    await raw.closed;
  }, 30_000);

  it('SessionMoved: the old connection is closed when it sends after the session moved; the new one works', async () => {
    const [f1, f2] = followers as [EnsembleMember, EnsembleMember];
    for (const [from, to] of [
      [f1, f2],
      [f2, leader],
      [leader, f1],
    ] as Array<[EnsembleMember, EnsembleMember]>) {
      const old = await RawClient.connect({ port: from.port, timeOut: 20 * TICK });
      const moved = await RawClient.connect({ port: to.port, timeOut: 20 * TICK, sessionId: old.sessionId, passwd: old.session.passwd });
      expect(moved.sessionId).toBe(old.sessionId);
      expect(moved.session.timeOut).toBeGreaterThan(0);
      const path = `/moved-${from.sid}-${to.sid}`;
      const r = await old.request({ type: OpCode.create, request: { path: `${path}-old`, data: null, acl: OPEN, flags: 0 } }).catch(() => undefined);
      expect(r).toBeUndefined(); // no reply: the connection is closed
      await old.closed;
      expect(old.isClosed).toBe(true);
      const ok = await moved.request({ type: OpCode.create, request: { path, data: null, acl: OPEN, flags: 0 } });
      expect(ok?.err).toBe(ErrorCode.OK);
      const check = await moved.request({ type: OpCode.exists, request: { path: `${path}-old`, watch: false } });
      expect(check?.err).toBe(ErrorCode.NO_NODE);
      moved.destroy();
    }
  }, 30_000);
});
