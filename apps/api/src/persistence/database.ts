/**
 * The Prisma client over a driver adapter: SQLite (libsql, prebuilt binary) by default, PostgreSQL when
 * DATABASE_URL is postgres://. Both generated clients come from the same models (prisma/schema.prisma and
 * prisma/postgresql/schema.prisma), so one type serves both.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient, type Prisma } from '../generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client.js';
import { isPostgresUrl } from '../runtime/api-config.js';

export type Database = SqliteClient;
export type Provider = 'sqlite' | 'postgresql';

export interface OpenDatabase {
  db: Database;
  provider: Provider;
  /** URL without credentials, for logs. */
  describe: string;
}

/**
 * How long a SQLite statement waits for another connection's write lock (several API processes may share one
 * file) before it fails with SQLITE_BUSY.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000;

const providers = new WeakMap<Database, Provider>();

/** The provider of a client made by openDatabase (code that writes dialect-specific SQL needs it). */
export function providerOf(db: Database): Provider {
  const provider = providers.get(db);
  if (provider === undefined) throw new Error('providerOf: this database client was not made by openDatabase()');
  return provider;
}

export function openDatabase(url: string): OpenDatabase {
  if (isPostgresUrl(url)) {
    const adapter = new PrismaPg({ connectionString: url });
    const u = new URL(url);
    const db = new PostgresClient({ adapter }) as unknown as Database;
    providers.set(db, 'postgresql');
    return { db, provider: 'postgresql', describe: `postgresql://${u.host}${u.pathname}` };
  }
  if (!url.startsWith('file:')) throw new Error(`DATABASE_URL must be file:<path> or postgres://..., got ${url.split(':')[0]}:`);
  const file = url.slice('file:'.length);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const adapter = new PrismaLibSql({ url: `file:${path.resolve(file)}`, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const db = new SqliteClient({ adapter });
  providers.set(db, 'sqlite');
  return { db, provider: 'sqlite', describe: `sqlite ${path.resolve(file)}` };
}

/** What an interactive transaction (`db.$transaction(fn)`) hands to `fn`. */
export type Transaction = Prisma.TransactionClient;

/**
 * Makes the current transaction the only writer of what `lockKey` names until it ends, so a read-then-write
 * inside it cannot interleave with the same sequence in another process:
 *  - PostgreSQL: a transaction-scoped advisory lock (`pg_advisory_xact_lock`), released at commit/rollback;
 *  - SQLite: the database write lock, taken up front by a write that changes nothing (`claimTable` must
 *    exist). The driver adapter opens transactions DEFERRED; a first statement that writes makes it behave as
 *    BEGIN IMMEDIATE (another process waits up to the busy timeout) instead of taking a read lock that a
 *    later write would have to upgrade (which SQLite refuses with SQLITE_BUSY when two do it at once).
 */
export async function lockForWrite(tx: Transaction, provider: Provider, lockKey: bigint, claimTable: string): Promise<void> {
  if (provider === 'postgresql') await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${lockKey.toString()})`);
  else await tx.$executeRawUnsafe(`DELETE FROM "${claimTable}" WHERE 1 = 0`);
}
