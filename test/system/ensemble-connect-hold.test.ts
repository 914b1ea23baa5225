/**
 * A member that stops serving because its leader died holds the ConnectRequests that reach it while it
 * elects, and answers them as soon as it serves again (bounded: it closes what is still waiting after
 * min(2 s, minSessionTimeout / 2), before a client would give up on its own). ZooKeeper closes such
 * connections at once, and a client that found every survivor electing then waits a third of its
 * session timeout (the C client) before it tries again, although the election takes ~200 ms.
 * A member that has not served lately (no quorum) still closes them at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OpCode } from '@paddock/protocol';
import { startPaddockEnsemble, type EnsembleHandle, type EnsembleMember } from '../support/paddock.js';
import { RawClient } from '../support/raw-client.js';
import { sleep } from '../support/processes.js';

// tickTime 1000: minSessionTimeout 2000, so the hold lasts up to 1 s; the election's finalize wait is 200 ms
const TICK = 1000;
const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

async function waitUntilNotServing(member: EnsembleMember, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await member.mode()) !== null) {
    if (Date.now() > deadline) throw new Error(`member ${member.sid} still serves`);
    await sleep(2);
  }
}

describe('connects that reach a member while it elects a new leader', () => {
  let ens: EnsembleHandle;
  beforeAll(async () => {
    ens = await startPaddockEnsemble({ participants: 3, tickTime: TICK });
  }, 60_000);
  afterAll(async () => {
    await ens?.stop();
  }, 30_000);

  it('are answered once the member serves again, and the new session works', async () => {
    const leader = await ens.waitForLeader();
    const survivor = ens.members.find((m) => m !== leader)!;
    await leader.kill9();
    await waitUntilNotServing(survivor);
    const t0 = Date.now();
    const client = await RawClient.connect({ port: survivor.port, timeOut: 4000, connectTimeoutMs: 10_000 });
    const waitedMs = Date.now() - t0;
    try {
      expect(client.sessionId).not.toBe(0n);
      expect(client.session.timeOut).toBe(4000);
      // held, not refused: answered within the hold (1 s here), once the survivors elected
      expect(waitedMs).toBeLessThan(1000 + 500);
      expect(await survivor.mode()).not.toBeNull();
      const reply = await client.request({ type: OpCode.create, request: { path: '/held-connect', data: Buffer.from('ok'), acl: OPEN, flags: 0 } });
      expect(reply?.err).toBe(0);
    } finally {
      await client.close();
    }
    await leader.start();
    await ens.waitForLeader();
  }, 60_000);

  it('are closed when the member cannot serve within the hold, and at once after it', async () => {
    const leader = await ens.waitForLeader();
    const [alone, other] = ens.members.filter((m) => m !== leader) as [EnsembleMember, EnsembleMember];
    // no quorum for `alone`: it stops serving and stays so
    await other.kill9();
    await leader.kill9();
    await waitUntilNotServing(alone);
    const t0 = Date.now();
    await expect(RawClient.connect({ port: alone.port, timeOut: 4000, connectTimeoutMs: 10_000 })).rejects.toThrow(/closed before the ConnectResponse/);
    // closed at the end of the hold (1 s after it stopped serving), long before a client's own 2/3-timeout
    expect(Date.now() - t0).toBeLessThan(1000 + 500);
    await sleep(1100);
    const t1 = Date.now();
    await expect(RawClient.connect({ port: alone.port, timeOut: 4000, connectTimeoutMs: 10_000 })).rejects.toThrow(/closed before the ConnectResponse/);
    expect(Date.now() - t1).toBeLessThan(500);
    await Promise.all([other.start(), leader.start()]);
    await ens.waitForLeader();
  }, 60_000);
});
