/** Health: the store session, the database and Redis, each with a short timeout. */
import type { ZooKeeperClient } from '@paddock/client';
import type { Redis } from 'ioredis';
import type { Database } from '../persistence/database.js';

async function probe(fn: () => Promise<unknown>, timeoutMs = 2_000): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)))]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export class HealthService {
  constructor(
    private readonly deps: { client: () => ZooKeeperClient; db: Database; redis: Redis; store: { connectString: string; embedded: boolean }; database: string },
  ) {}

  async check() {
    const [store, database, redis] = await Promise.all([
      probe(() => this.deps.client().exists('/')),
      probe(() => this.deps.db.$queryRawUnsafe('SELECT 1')),
      probe(() => this.deps.redis.ping()),
    ]);
    const ok = store.ok && database.ok && redis.ok;
    return {
      status: ok ? 'ok' : 'degraded',
      store: { ...store, connectString: this.deps.store.connectString, embedded: this.deps.store.embedded, session: `0x${BigInt.asUintN(64, this.deps.client().sessionId).toString(16)}` },
      database: { ...database, url: this.deps.database },
      redis,
    };
  }
}
