/**
 * Applies the checked-in SQL migrations (prisma/migrations/<provider>/<name>/migration.sql) in name order, each
 * once, in a transaction, and records them in `_paddock_migrations` (name, sha256 of the file, time). A recorded
 * migration whose file changed afterwards stops the start-up: migrations are append-only. Several API instances
 * may start at once against one database: a lock serialises them (see migrate).
 *
 * Statements are split at a `;` that ends a line (the files are written that way; no procedural SQL).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockForWrite, type Database, type Provider } from './database.js';

export const MIGRATIONS_TABLE = '_paddock_migrations';

/** prisma/migrations at the repository root (from src/ and dist/ alike), or PADDOCK_MIGRATIONS_DIR. */
export function defaultMigrationsDir(): string {
  if (process.env.PADDOCK_MIGRATIONS_DIR) return path.resolve(process.env.PADDOCK_MIGRATIONS_DIR);
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', '..', '..', 'prisma', 'migrations');
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir: string, provider: Provider): Migration[] {
  const root = path.join(dir, provider);
  if (!existsSync(root)) throw new Error(`no migrations for ${provider} in ${root}`);
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(root, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Advisory lock key of the migrator on PostgreSQL (ASCII "pdk-migr"; the audit chain uses another). */
export const MIGRATION_LOCK_KEY = 0x70646b2d6d696772n;

/** Long enough for a big migration, and for waiting while another instance applies one. */
const MIGRATION_TRANSACTION = { maxWait: 120_000, timeout: 600_000 };

/**
 * Applies the pending migrations, one transaction each. Every transaction first takes the migration lock
 * (see lockForWrite), then reads what is recorded: API instances starting at the same moment against one
 * database queue up, and the later ones find the migrations applied.
 */
export async function migrate(db: Database, provider: Provider, dir = defaultMigrationsDir(), log: (line: string) => void = () => undefined): Promise<string[]> {
  const migrations = loadMigrations(dir, provider);
  const createTable = `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("name" TEXT NOT NULL PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TEXT NOT NULL)`;
  // SQLite claims the write lock through this table, so it must exist first (a plain statement waits for the lock)
  if (provider === 'sqlite') await db.$executeRawUnsafe(createTable);
  const done: string[] = [];
  for (;;) {
    const applied = await db.$transaction(async (tx) => {
      await lockForWrite(tx, provider, MIGRATION_LOCK_KEY, MIGRATIONS_TABLE);
      // on PostgreSQL under the lock: two concurrent CREATE TABLE IF NOT EXISTS can collide in the catalog
      if (provider === 'postgresql') await tx.$executeRawUnsafe(createTable);
      const recorded = new Map(
        (await tx.$queryRawUnsafe<Array<{ name: string; checksum: string }>>(`SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}"`)).map((r) => [r.name, r.checksum]),
      );
      for (const m of migrations) {
        const checksum = recorded.get(m.name);
        if (checksum !== undefined && checksum !== m.checksum) {
          throw new Error(`migration ${m.name} was changed after it was applied (checksum ${checksum.slice(0, 12)} != ${m.checksum.slice(0, 12)})`);
        }
      }
      const next = migrations.find((m) => !recorded.has(m.name));
      if (next === undefined) return undefined;
      for (const statement of splitStatements(next.sql)) await tx.$executeRawUnsafe(statement);
      await tx.$executeRawUnsafe(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "checksum", "applied_at") VALUES (${provider === 'postgresql' ? '$1, $2, $3' : '?, ?, ?'})`, next.name, next.checksum, new Date().toISOString());
      return next.name;
    }, MIGRATION_TRANSACTION);
    if (applied === undefined) return done;
    log(`applied migration ${provider}/${applied}`);
    done.push(applied);
  }
}
