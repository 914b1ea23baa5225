/**
 * Applies the checked-in SQL migrations (prisma/migrations/<provider>/<name>/migration.sql) in name order, each
 * once, in a transaction, and records them in `_paddock_migrations` (name, sha256 of the file, time). A recorded
 * migration whose file changed afterwards stops the start-up: migrations are append-only.
 *
 * Statements are split at a `;` that ends a line (the files are written that way; no procedural SQL).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Provider } from './database.js';

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

export async function migrate(db: Database, provider: Provider, dir = defaultMigrationsDir(), log: (line: string) => void = () => undefined): Promise<string[]> {
  await db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("name" TEXT NOT NULL PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TEXT NOT NULL)`);
  const applied = new Map(
    (await db.$queryRawUnsafe<Array<{ name: string; checksum: string }>>(`SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}"`)).map((r) => [r.name, r.checksum]),
  );
  const done: string[] = [];
  for (const m of loadMigrations(dir, provider)) {
    const recorded = applied.get(m.name);
    if (recorded !== undefined) {
      if (recorded !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied (checksum ${recorded.slice(0, 12)} != ${m.checksum.slice(0, 12)})`);
      continue;
    }
    await db.$transaction(async (tx) => {
      for (const statement of splitStatements(m.sql)) await tx.$executeRawUnsafe(statement);
      await tx.$executeRawUnsafe(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "checksum", "applied_at") VALUES (${provider === 'postgresql' ? '$1, $2, $3' : '?, ?, ?'})`, m.name, m.checksum, new Date().toISOString());
    });
    log(`applied migration ${provider}/${m.name}`);
    done.push(m.name);
  }
  return done;
}
