/**
 * Several API processes on one database: the hash-chained audit stream must stay one chain, and start-up
 * migrations must run once. Two built API processes (`apps/api/dist/main.js`) share one DATABASE_URL and one
 * store (a Paddock server started here, PADDOCK_CONNECT, one digest identity), are started at the same moment
 * against an empty database, then both get concurrent audited writes (znode creates); afterwards
 * GET /api/audit/verify on each reports an intact chain holding every row.
 *
 * Against PostgreSQL 15 (a private cluster: initdb + postgres on a free port, as the postgres user when run as root;
 * skipped when the binaries are missing unless API_REQUIRE_POSTGRES=1) and against one SQLite file shared by both
 * processes.
 * Build first (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@libsql/client';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startApi, type ApiServer } from '../support/api-server.js';
import { REPO_ROOT, startPaddock, type ServerHandle } from '../support/paddock.js';
import { getFreePort, LOOPBACK } from '../support/ports.js';
import { runCommand, spawnManaged, waitFor, type ManagedProcess } from '../support/processes.js';

const PG_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
const postgresAvailable = existsSync(path.join(PG_BIN, 'initdb')) && existsSync(path.join(PG_BIN, 'postgres'));
if (!postgresAvailable && process.env.API_REQUIRE_POSTGRES === '1') throw new Error(`${PG_BIN}/initdb missing and API_REQUIRE_POSTGRES=1: apt-get install postgresql-15`);

const PASSWORD = 'correct horse battery staple';
const WRITES_PER_API = 60;
const IN_FLIGHT_PER_API = 8;

// response bodies are checked field by field
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A private PostgreSQL cluster: initdb and postgres run as the postgres user, the socket in the data dir. */
interface Postgres {
  port: number;
  url(database: string): string;
  query<T extends Record<string, unknown>>(database: string, sql: string): Promise<T[]>;
  stop(): Promise<void>;
}

async function startPostgres(): Promise<Postgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-pg-'));
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir);
  // postgres refuses to run as root: as root, switch to the postgres user (then set the parent-death signal,
  // which a credential change clears); as anyone else, run as that user
  const root = process.getuid?.() === 0;
  const [uid, gid] = root ? ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())) : [];
  if (root) {
    chownSync(dir, uid!, gid!);
    chownSync(dataDir, uid!, gid!);
  }
  const asPostgres = (binary: string, args: string[]) => [
    ...(root ? ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--', '/usr/bin/setpriv'] : []),
    '--pdeathsig',
    'KILL',
    '--',
    path.join(PG_BIN, binary),
    ...args,
  ];
  const init = await runCommand({ name: 'initdb', command: '/usr/bin/setpriv', args: asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']), cwd: dir, dieWithParent: false, timeoutMs: 120_000 });
  if (init.code !== 0) throw new Error(`initdb failed (${init.code}):\n${init.output}`);
  const port = await getFreePort();
  const server: ManagedProcess = spawnManaged({
    name: `postgres-${port}`,
    command: '/usr/bin/setpriv',
    args: asPostgres('postgres', ['-D', dataDir, '-p', String(port), '-k', dir, '-c', `listen_addresses=${LOOPBACK}`, '-c', 'fsync=off', '-c', 'max_connections=100']),
    cwd: dir,
    dieWithParent: false,
  });
  const url = (database: string) => `postgresql://postgres@${LOOPBACK}:${port}/${database}`;
  const query = async <T extends Record<string, unknown>>(database: string, sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  await waitFor('postgres to accept connections', async () => {
    if (!server.running) throw new Error(`postgres exited: ${server.describe()}`);
    return (await query('postgres', 'SELECT 1 AS one'))[0]?.one === 1 ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  return {
    port,
    url,
    query,
    async stop() {
      await server.stop({ signal: 'SIGINT', timeoutMs: 15_000 }); // SIGINT: fast shutdown
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Target {
  label: string;
  available: boolean;
  /** Prepares an empty database; returns its DATABASE_URL and a way to run SQL against it. */
  open(): Promise<{ url: string; rows<T extends Record<string, unknown>>(sql: string): Promise<T[]>; close(): Promise<void> }>;
}

const TARGETS: Target[] = [
  {
    label: 'PostgreSQL 15',
    available: postgresAvailable,
    async open() {
      const server = await startPostgres();
      await server.query('postgres', 'CREATE DATABASE paddock_audit');
      return { url: server.url('paddock_audit'), rows: (sql) => server.query('paddock_audit', sql), close: () => server.stop() };
    },
  },
  {
    label: 'one SQLite file',
    available: true,
    async open() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-sqlite-shared-'));
      const url = `file:${path.join(dir, 'api.db')}`;
      return {
        url,
        async rows(sql) {
          const client = createClient({ url });
          try {
            // The API processes may hold the write lock: wait for it like they do, instead of failing with SQLITE_BUSY.
            await client.execute('PRAGMA busy_timeout = 30000');
            return (await client.execute(sql)).rows.map((r) => ({ ...r })) as never;
          } finally {
            client.close();
          }
        },
        async close() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(TARGETS.map((t) => [t.label, t] as const))('two API processes on %s', (_label, target) => {
  const run = target.available ? it : it.skip;
  let db: Awaited<ReturnType<Target['open']>> | undefined;
  let store: ServerHandle | undefined;
  const apis: ApiServer[] = [];
  let session = '';

  async function call(api: ApiServer, method: string, route: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(api.ready.url + route, {
      method,
      headers: { ...(session ? { authorization: `Bearer ${session}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    if (!target.available) return;
    db = await target.open();
    store = await startPaddock();
    const env = {
      DATABASE_URL: db.url,
      PADDOCK_CONNECT: store.connectString,
      PADDOCK_ZK_DIGEST: `paddock-api:${process.pid}-audit-concurrency`,
    };
    // at the same moment, against the empty database: both run the migrator
    apis.push(...(await Promise.all([startApi({ env, timeoutMs: 90_000 }), startApi({ env, timeoutMs: 90_000 })])));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apis.map((a) => a.stop()));
    await store?.stop();
    await db?.close();
  }, 60_000);

  run('started at once against an empty database, the migrations are applied once', async () => {
    const provider = db!.url.startsWith('file:') ? 'sqlite' : 'postgresql';
    const expected = readdirSync(path.join(REPO_ROOT, 'prisma', 'migrations', provider), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const recorded = await db!.rows<{ name: string }>('SELECT "name" FROM "_paddock_migrations" ORDER BY "name"');
    expect(recorded.map((r) => r.name)).toEqual(expected);
    // each migration was applied by exactly one of the two processes
    const applied = apis.flatMap((a) => [...a.proc.output().matchAll(/applied migration (\S+)/g)].map((m) => m[1]!)).sort();
    expect(applied).toEqual(expected.map((name) => `${provider}/${name}`));
  });

  run('concurrent audited writes through both processes make one intact chain with every row', async () => {
    const [a, b] = apis as [ApiServer, ApiServer];
    const boot = await call(a, 'POST', '/api/auth/bootstrap', { username: 'root', password: PASSWORD });
    expect(boot.status).toBe(201);
    session = boot.body.session as string;
    // the session lives in the shared database: the other process accepts it
    expect((await call(b, 'GET', '/api/auth/me')).body).toMatchObject({ username: 'root' });
    const root = `/audit-race-${process.pid}`;
    expect((await call(a, 'POST', '/api/znodes', { path: root })).status).toBe(201);

    /** WRITES_PER_API creates through one process, IN_FLIGHT_PER_API at a time; returns the statuses. */
    const hammer = async (api: ApiServer, tag: string): Promise<number[]> => {
      const statuses: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT_PER_API }, async () => {
          while (next < WRITES_PER_API) {
            const i = next++;
            statuses.push((await call(api, 'POST', '/api/znodes', { path: `${root}/${tag}-${i}`, data: `${tag}${i}` })).status);
          }
        }),
      );
      return statuses;
    };
    const [fromA, fromB] = await Promise.all([hammer(a, 'a'), hammer(b, 'b')]);
    expect([...fromA, ...fromB].filter((s) => s !== 201)).toEqual([]);

    const rows = await db!.rows<{ n: number | string; creates: number | string }>(
      `SELECT COUNT(*) AS "n", SUM(CASE WHEN "type" = 'znode.create' AND "path" LIKE '${root}/%' THEN 1 ELSE 0 END) AS "creates" FROM "audit_events"`,
    );
    const total = Number(rows[0]!.n);
    expect(Number(rows[0]!.creates)).toBe(2 * WRITES_PER_API);
    // no fork: no two rows continue the same row
    const forks = await db!.rows<{ prev_hash: string }>('SELECT "prev_hash" FROM "audit_events" GROUP BY "prev_hash" HAVING COUNT(*) > 1');
    expect(forks).toEqual([]);
    for (const api of apis) {
      const verify = await call(api, 'GET', '/api/audit/verify');
      expect(verify).toMatchObject({ status: 200, body: { ok: true, checked: total } });
    }
  }, 120_000);
});
