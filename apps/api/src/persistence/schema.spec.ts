import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations, splitStatements } from './migrator.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const models = (file: string) => readFileSync(path.join(root, file), 'utf8').split('// ---- models')[1];

describe('prisma schemas and migrations', () => {
  it('the SQLite and PostgreSQL schemas declare the same models', () => {
    expect(models('prisma/schema.prisma')).toBeDefined();
    expect(models('prisma/postgresql/schema.prisma')).toBe(models('prisma/schema.prisma'));
  });

  it('both providers have the same migrations, each creating every mapped table', () => {
    const dir = path.join(root, 'prisma', 'migrations');
    const sqlite = loadMigrations(dir, 'sqlite');
    const pg = loadMigrations(dir, 'postgresql');
    expect(pg.map((m) => m.name)).toEqual(sqlite.map((m) => m.name));
    const tables = [...models('prisma/schema.prisma')!.matchAll(/@@map\("([a-z_]+)"\)/g)].map((m) => m[1]);
    for (const migrations of [sqlite, pg]) {
      const sql = migrations.map((m) => m.sql).join('\n');
      for (const t of tables) expect(sql).toContain(`CREATE TABLE "${t}"`);
    }
  });

  it('splits statements at a semicolon ending a line, dropping comments', () => {
    expect(splitStatements('-- c\nCREATE TABLE "a" (x TEXT);\nINSERT INTO "a" VALUES (\'x;y\');\n')).toEqual(['CREATE TABLE "a" (x TEXT)', 'INSERT INTO "a" VALUES (\'x;y\')']);
  });
});
