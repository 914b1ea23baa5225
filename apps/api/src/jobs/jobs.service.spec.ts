import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPrivateRedis, type RedisEndpoint } from '../runtime/redis.js';
import { JobsService, type JobsDeps, type ReconcilableMaster } from './jobs.service.js';

/** A master as the job sees it: leadership plus a trigger that counts its rounds. */
class CountingMaster implements ReconcilableMaster {
  rounds = 0;
  constructor(public isLeader: boolean) {}
  trigger(): void {
    this.rounds++;
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('JobsService master-reconcile (BullMQ on a real redis-server)', () => {
  let dir: string;
  let redis: RedisEndpoint;
  let jobs: JobsService;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-jobs-'));
    redis = await startPrivateRedis(dir, () => undefined);
  }, 30_000);

  afterAll(async () => {
    await jobs?.close();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('nudges the elected masters of this process every period, and only them', async () => {
    const unused = (name: string) =>
      new Proxy({}, { get: () => { throw new Error(`${name} is not used by master-reconcile`); } });
    jobs = new JobsService({
      connection: { host: redis.host, port: redis.port, maxRetriesPerRequest: null },
      switches: unused('switches'),
      registry: unused('registry'),
      listSwitchEnvs: async () => [],
      probe: unused('probe'),
      reports: unused('reports'),
      zombieScanMs: 3_600_000,
      reconcileMs: 1_000,
      log: () => undefined,
    } as unknown as JobsDeps);
    const leader = new CountingMaster(true);
    const follower = new CountingMaster(false);
    jobs.addMaster(leader);
    jobs.addMaster(follower);
    await jobs.start();
    await until('two reconcile rounds', () => leader.rounds >= 2, 20_000);
    expect(follower.rounds).toBe(0);
  }, 30_000);
});
