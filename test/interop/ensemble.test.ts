/**
 * The interop suites against a 3-member Paddock ensemble (every member in the connect string, so the
 * clients pick one at random and fail over like against a ZooKeeper ensemble): the kazoo scenario and
 * the zkCli suite unchanged (kazoo-suite.ts, zkcli-suite.ts), and kazoo against an ensemble that loses
 * 2 of its 3 members: the write in flight at that moment fails with ConnectionLoss, later writes fail
 * (ConnectionLoss / timeout), none succeeds, and the survivor does not serve.
 *
 * The Paddock ensemble has no Apache ZooKeeper counterpart here: with INTEROP_TARGET=zookeeper this
 * file is skipped (the other interop files validate the suites against ZooKeeper).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPaddockEnsemble, type EnsembleHandle, type EnsembleMember } from '../support/paddock.js';
import { spawnManaged, waitFor, type ManagedProcess } from '../support/processes.js';
import { describeKazooScenario, PYTHON } from './kazoo-suite.js';
import { describeZkCli } from './zkcli-suite.js';
import { INTEROP_DIR, INTEROP_TICK_MS, MIN_SESSION_TIMEOUT_MS, startInteropEnsemble, targetKind } from './interop-target.js';

const againstPaddock = targetKind() === 'paddock';

if (againstPaddock) {
  describeKazooScenario('kazoo against a 3-member Paddock ensemble', startInteropEnsemble);
  describeZkCli('zkCli.sh against a 3-member Paddock ensemble', startInteropEnsemble);
}

interface QuorumLossResult {
  i: number;
  outcome: string;
  state: string;
}

/**
 * kazoo writes through one follower (the survivor); the other two members are SIGSTOPped, so a create sent
 * then can be neither committed nor refused: it is really in flight (the survivor's cons shows it queued),
 * and only then are the frozen members SIGKILLed. The survivor gives up on its silent leader (syncLimit
 * ticks after the freeze), stops serving and drops its clients, and kazoo fails the pending create with
 * ConnectionLoss (what ZooKeeper clients report for a request whose connection went away: the write may or
 * may not have happened; never a success). kazoo's session is long, so its own ping timeout (a ping queues
 * behind the unanswered create) comes far later than the survivor's syncLimit and cannot decide the outcome.
 */
(againstPaddock ? describe : describe.skip)('kazoo against an ensemble that loses 2 of 3 members', () => {
  const SYNC_LIMIT_TICKS = 10; // 5 s: the window in which the create is seen in flight
  const KAZOO_SESSION_S = 60; // kazoo drops a connection after 2/3 of it without a ping reply (>= ~20 s here)
  let ensemble: EnsembleHandle;
  let kazoo: ManagedProcess | undefined;
  const frozen: EnsembleMember[] = [];
  beforeAll(async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} missing: run scripts/install-system-deps.sh`);
    ensemble = await startPaddockEnsemble({
      participants: 3,
      tickTime: INTEROP_TICK_MS,
      syncLimit: SYNC_LIMIT_TICKS,
      extraConfig: { minSessionTimeout: MIN_SESSION_TIMEOUT_MS, maxSessionTimeout: KAZOO_SESSION_S * 1000 },
    });
  }, 60_000);
  afterAll(async () => {
    if (kazoo?.running) await kazoo.kill();
    for (const m of frozen) if (m.running) await m.kill9();
    await ensemble?.stop();
  }, 30_000);

  it('a write in flight at the quorum loss fails with ConnectionLoss; later writes never succeed; the survivor does not serve', async () => {
    const leader = await ensemble.waitForLeader();
    const survivor = ensemble.members.find((m) => m !== leader)!;
    frozen.push(...ensemble.members.filter((m) => m !== survivor));
    // the survivor first: kazoo (no host shuffling) connects there
    const connectString = [survivor, ...frozen].map((m) => m.connectString).join(',');
    kazoo = spawnManaged({
      name: 'kazoo-quorum-loss',
      command: PYTHON,
      args: [path.join(INTEROP_DIR, 'kazoo', 'quorum_loss.py'), connectString, String(KAZOO_SESSION_S)],
      env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: undefined, PYTHONHOME: undefined },
      stdin: 'pipe',
    });
    const ready = JSON.parse((await kazoo.waitForOutput(/^(\{"ready": true.*\})$/m, { timeoutMs: 30_000 }))[1]!) as { session: string; before: string[] };
    // writes succeed while the quorum is there
    expect(ready.before).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const sid = `sid=0x${BigInt(ready.session).toString(16)},`;
    const sessionLine = (cons: string) => cons.split('\n').find((line) => line.includes(sid));
    expect(sessionLine(await survivor.fourLetterWord('cons'))).toBeDefined();

    for (const m of frozen) m.process!.signal('SIGSTOP');
    kazoo.write('frozen\n');
    await kazoo.waitForOutput(/^\{"inflight": "sent"/m, { timeoutMs: 10_000 });
    // the create reached the survivor and is unanswered (it waits for the frozen leader's commit)
    const held = await waitFor(
      'the survivor to hold the in-flight create',
      async () => sessionLine(await survivor.fourLetterWord('cons'))?.match(/\(queued=([1-9]\d*),/)?.[0],
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(held).toMatch(/queued=[1-9]/);
    expect(kazoo.output()).not.toMatch(/^\{"inflight": "(?!sent)/m);

    await Promise.all(frozen.map((m) => m.kill9()));
    const inflight = JSON.parse((await kazoo.waitForOutput(/^(\{"inflight": "(?!sent).*\})$/m, { timeoutMs: 60_000 }))[1]!) as { inflight: string; seconds: number };
    console.log(`kazoo's in-flight create: ${JSON.stringify(inflight)}`);
    expect(inflight.inflight).toBe('ConnectionLoss');
    // the survivor closed the connection; kazoo did not give up on its own for want of a ping reply
    expect(kazoo.output()).not.toContain('outstanding heartbeat ping not received');

    const match = await kazoo.waitForOutput(/^(\{"results": .*\})$/m, { timeoutMs: 30_000 });
    const after = (JSON.parse(match[1]!) as { results: QuorumLossResult[] }).results;
    const count = after.reduce<Record<string, number>>((acc, r) => ((acc[r.outcome] = (acc[r.outcome] ?? 0) + 1), acc), {});
    console.log(`kazoo after the quorum loss: ${JSON.stringify(count)}`);
    expect(after.length).toBeGreaterThan(0);
    // no write succeeds once 2 of 3 members are gone: the client is disconnected (ConnectionLoss) or the
    // request waits queued for a member that serves (timeout); never ok
    for (const r of after) expect(['ConnectionLoss', 'SessionExpired', 'timeout']).toContain(r.outcome);
    // and the survivor says it does not serve
    expect(await survivor.fourLetterWord('srvr')).toBe('This ZooKeeper instance is not currently serving requests\n');
  }, 150_000);
});
