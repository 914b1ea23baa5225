-- Users, roles, sessions, API tokens, config versions and the hash-chained audit stream (PostgreSQL).
-- Applied once, in directory order, by apps/api/src/persistence/migrator.ts (recorded in _paddock_migrations).
-- One statement per `;` at the end of a line.

CREATE TABLE "roles" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "rank" INTEGER NOT NULL,
    "description" TEXT NOT NULL
);
CREATE UNIQUE INDEX "roles_rank_key" ON "roles"("rank");

INSERT INTO "roles" ("name", "rank", "description") VALUES
    ('viewer', 1, 'reads everything'),
    ('operator', 2, 'changes registry overrides, configs and switches'),
    ('admin', 3, 'manages users and API tokens');

CREATE TABLE "users" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "users_role_fkey" FOREIGN KEY ("role") REFERENCES "roles" ("name") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

CREATE TABLE "sessions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "token_hash" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions"("token_hash");
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3),
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "api_tokens_role_fkey" FOREIGN KEY ("role") REFERENCES "roles" ("name") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");

CREATE TABLE "config_versions" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "env" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "release" INTEGER NOT NULL,
    "format" TEXT NOT NULL,
    "md5" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "published_at" TEXT NOT NULL,
    "published_by" TEXT NOT NULL,
    "comment" TEXT,
    "rollback_of" INTEGER
);
CREATE UNIQUE INDEX "config_versions_env_app_namespace_release_key" ON "config_versions"("env", "app", "namespace", "release");

CREATE TABLE "audit_events" (
    "seq" SERIAL NOT NULL PRIMARY KEY,
    "id" TEXT NOT NULL,
    "time" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "reason" TEXT,
    "request_id" TEXT,
    "type" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "before" TEXT NOT NULL,
    "after" TEXT NOT NULL,
    "details" TEXT,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);
CREATE UNIQUE INDEX "audit_events_id_key" ON "audit_events"("id");
CREATE UNIQUE INDEX "audit_events_hash_key" ON "audit_events"("hash");
CREATE INDEX "audit_events_path_idx" ON "audit_events"("path");
CREATE INDEX "audit_events_actor_idx" ON "audit_events"("actor");
CREATE INDEX "audit_events_type_idx" ON "audit_events"("type");
CREATE INDEX "audit_events_time_idx" ON "audit_events"("time");
