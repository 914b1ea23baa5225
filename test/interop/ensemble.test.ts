/**
 * The interop suites against a 3-member Paddock ensemble (every member in the connect string, so the
 * clients pick one at random and fail over like against a ZooKeeper ensemble): the kazoo scenario and
 * the zkCli suite unchanged (kazoo-suite.ts, zkcli-suite.ts), and kazoo against an ensemble that loses
 * 2 of its 3 members: the survivor refuses writes (kazoo sees ConnectionLoss / SessionExpired, never
 * success).
 *
 * The Paddock ensemble has no Apache ZooKeeper counterpart here: with INTEROP_TARGET=zookeeper this
 * file is skipped (the other interop files validate the suites against ZooKeeper).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep, spawnManaged, type ManagedProcess } from '../support/processes.js';
import { describeKazooScenario, PYTHON } from './kazoo-suite.js';
import { describeZkCli } from './zkcli-suite.js';
import { INTEROP_DIR, startInteropEnsemble, targetKind, type InteropEnsemble } from './interop-target.js';

const againstPaddock = targetKind() === 'paddock';

if (againstPaddock) {
  describeKazooScenario('kazoo against a 3-member Paddock ensemble', startInteropEnsemble);
  describeZkCli('zkCli.sh against a 3-member Paddock ensemble', startInteropEnsemble);
}

interface QuorumLossResult {
  i: number;
  afterStop: boolean;
  outcome: string;
  state: string;
}

(againstPaddock ? describe : describe.skip)('kazoo against an ensemble that loses 2 of 3 members', () => {
  let server: InteropEnsemble;
  let kazoo: ManagedProcess | undefined;
  beforeAll(async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} missing: run scripts/install-system-deps.sh`);
    server = await startInteropEnsemble();
  }, 60_000);
  afterAll(async () => {
    if (kazoo?.running) await kazoo.kill();
    await server?.stop();
  }, 30_000);

  it('the survivor refuses writes: ConnectionLoss / SessionExpired, never success', async () => {
    const ens = server.ensemble;
    kazoo = spawnManaged({
      name: 'kazoo-quorum-loss',
      command: PYTHON,
      args: [path.join(INTEROP_DIR, 'kazoo', 'quorum_loss.py'), server.connectString],
      env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: undefined, PYTHONHOME: undefined },
      stdin: 'pipe',
    });
    await kazoo.waitForOutput(/^\{"ready": true.*\}$/m, { timeoutMs: 30_000 });
    await sleep(1_000); // some writes succeed while the quorum is there
    const leader = await ens.waitForLeader();
    const follower = ens.members.find((m) => m !== leader)!;
    const survivor = ens.members.find((m) => m !== leader && m !== follower)!;
    await Promise.all([leader.stop(), follower.stop()]);
    kazoo.write('stopped\n');
    const match = await kazoo.waitForOutput(/^(\{"results": .*\})$/m, { timeoutMs: 30_000 });
    const results = (JSON.parse(match[1] as string) as { results: QuorumLossResult[] }).results;
    const before = results.filter((r) => !r.afterStop);
    const after = results.filter((r) => r.afterStop);
    const count = (rs: QuorumLossResult[]) => rs.reduce<Record<string, number>>((acc, r) => ((acc[r.outcome] = (acc[r.outcome] ?? 0) + 1), acc), {});
    console.log(`kazoo before the stop: ${JSON.stringify(count(before))}; after: ${JSON.stringify(count(after))}`);
    expect(before.filter((r) => r.outcome === 'ok').length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    // no write succeeds once 2 of 3 members are gone
    expect(after.filter((r) => r.outcome === 'ok')).toEqual([]);
    for (const r of after) expect(['ConnectionLoss', 'SessionExpired', 'timeout']).toContain(r.outcome);
    // (whether a write was in flight at the moment of the stop, and so failed as ConnectionLoss rather than
    // timing out, depends on timing: seen both ways under CI load, so not asserted)
    // and the survivor says it does not serve
    expect(await survivor.fourLetterWord('srvr')).toBe('This ZooKeeper instance is not currently serving requests\n');
  }, 60_000);
});
