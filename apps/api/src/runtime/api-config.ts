/**
 * The API's settings, from the environment (12-factor). Nothing here has a credential default: the first admin
 * is created through the bootstrap endpoint.
 *
 *   PADDOCK_CONNECT      external ensemble (Paddock or Apache ZooKeeper) connect string; unset: embed a store member
 *   PADDOCK_STORE_PORT   client port of the embedded member (default 2181; 0: any free port)
 *   PADDOCK_STORE_TICK_MS  tickTime of the embedded member (default 3000, as ZooKeeper: sessions time out
 *                        between 2 and 20 ticks, so a shorter tick lets dead providers vanish sooner)
 *   PADDOCK_STORE_CONFIG a zoo.cfg for the embedded member instead of the two above (full ZooKeeper settings,
 *                        including server.N lines: the API process is then one member of an ensemble)
 *   PADDOCK_DATA_DIR     data of the embedded member, the SQLite file and redis scratch (default ./.data)
 *   PADDOCK_API_HOST     HTTP bind address (default 0.0.0.0)
 *   PADDOCK_API_PORT     HTTP port (default 8080; 0: any free port); PORT is accepted too
 *   DATABASE_URL         postgres://... for PostgreSQL; file:... for SQLite; unset: file:<dataDir>/api.db
 *   REDIS_URL            redis://host:port for BullMQ; unset: a private redis-server child on a free port
 *   PADDOCK_ZOMBIE_SCAN_MS  period of the zombie scan / override expiry job (default 60000)
 *   PADDOCK_RECONCILE_MS period of the master-reconcile job, the masters' only periodic round (default 2000, as
 *                        often as the data-sync master's own timer ran before the job replaced it; at least 1000)
 *   PADDOCK_SESSION_TTL_S   console session lifetime (default 43200 = 12 h)
 *   PADDOCK_ZK_DIGEST    user:password of the digest identity owning the platform's znodes; unset: generated on
 *                        first start into <dataDir>/zk-digest (0600) and reused (see runtime/zk-acl.ts)
 *   PADDOCK_LOG_CENTER_MASTER  1/0: run a LogCenterMaster in this process (leader-elected, so several API
 *                        instances are safe); default on with the embedded store, off with PADDOCK_CONNECT
 *   PADDOCK_LOG_CENTER_GRACE_MS  how long a vanished slave keeps its topics (default 30000)
 *   PADDOCK_DATA_SYNC_MASTER   1/0: run a DataSyncMaster likewise (same default)
 *   PADDOCK_DATA_SYNC_GRACE_MS   how long a vanished worker keeps its tasks (default 30000)
 */
import path from 'node:path';

export interface ApiConfig {
  connect: string | undefined;
  storePort: number;
  storeTickMs: number | undefined;
  storeConfigFile: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string | undefined;
  zombieScanMs: number;
  reconcileMs: number;
  sessionTtlSeconds: number;
  zkDigest: string | undefined;
  logCenterMaster: boolean;
  logCenterGraceMs: number;
  dataSyncMaster: boolean;
  dataSyncGraceMs: number;
}

function bool(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`${name} must be 1/0 (true/false), got ${JSON.stringify(raw)}`);
}

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ApiConfig {
  const dataDir = path.resolve(cwd, env.PADDOCK_DATA_DIR || '.data');
  const connect = env.PADDOCK_CONNECT?.trim() || undefined;
  const storeConfigFile = env.PADDOCK_STORE_CONFIG?.trim() ? path.resolve(cwd, env.PADDOCK_STORE_CONFIG.trim()) : undefined;
  if (connect && storeConfigFile) throw new Error('PADDOCK_CONNECT and PADDOCK_STORE_CONFIG exclude each other: use an external ensemble or embed a member');
  const storeTick = int('PADDOCK_STORE_TICK_MS', env.PADDOCK_STORE_TICK_MS, 0);
  return {
    connect,
    storePort: int('PADDOCK_STORE_PORT', env.PADDOCK_STORE_PORT, 2181),
    storeTickMs: storeTick > 0 ? storeTick : undefined,
    storeConfigFile,
    dataDir,
    host: env.PADDOCK_API_HOST?.trim() || '0.0.0.0',
    port: int('PADDOCK_API_PORT', env.PADDOCK_API_PORT ?? env.PORT, 8080),
    databaseUrl: env.DATABASE_URL?.trim() || `file:${path.join(dataDir, 'api.db')}`,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    zombieScanMs: int('PADDOCK_ZOMBIE_SCAN_MS', env.PADDOCK_ZOMBIE_SCAN_MS, 60_000),
    reconcileMs: Math.max(1_000, int('PADDOCK_RECONCILE_MS', env.PADDOCK_RECONCILE_MS, 2_000)),
    sessionTtlSeconds: int('PADDOCK_SESSION_TTL_S', env.PADDOCK_SESSION_TTL_S, 43_200),
    zkDigest: env.PADDOCK_ZK_DIGEST?.trim() || undefined,
    logCenterMaster: bool('PADDOCK_LOG_CENTER_MASTER', env.PADDOCK_LOG_CENTER_MASTER, connect === undefined),
    logCenterGraceMs: int('PADDOCK_LOG_CENTER_GRACE_MS', env.PADDOCK_LOG_CENTER_GRACE_MS, 30_000),
    dataSyncMaster: bool('PADDOCK_DATA_SYNC_MASTER', env.PADDOCK_DATA_SYNC_MASTER, connect === undefined),
    dataSyncGraceMs: int('PADDOCK_DATA_SYNC_GRACE_MS', env.PADDOCK_DATA_SYNC_GRACE_MS, 30_000),
  };
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
