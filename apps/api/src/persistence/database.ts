/**
 * The Prisma client over a driver adapter: SQLite (libsql, prebuilt binary) by default, PostgreSQL when
 * DATABASE_URL is postgres://. Both generated clients come from the same models (prisma/schema.prisma and
 * prisma/postgresql/schema.prisma), so one type serves both.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.js';
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

export function openDatabase(url: string): OpenDatabase {
  if (isPostgresUrl(url)) {
    const adapter = new PrismaPg({ connectionString: url });
    const u = new URL(url);
    return { db: new PostgresClient({ adapter }) as unknown as Database, provider: 'postgresql', describe: `postgresql://${u.host}${u.pathname}` };
  }
  if (!url.startsWith('file:')) throw new Error(`DATABASE_URL must be file:<path> or postgres://..., got ${url.split(':')[0]}:`);
  const file = url.slice('file:'.length);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const adapter = new PrismaLibSql({ url: `file:${path.resolve(file)}` });
  return { db: new SqliteClient({ adapter }), provider: 'sqlite', describe: `sqlite ${path.resolve(file)}` };
}
