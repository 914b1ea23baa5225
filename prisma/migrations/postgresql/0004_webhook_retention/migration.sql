-- Webhooks: the audit-stream outbox cursor, one delivery per (subscription, audit row), per-attempt claims of
-- instances sharing the database, and the index the retention pruning uses (PostgreSQL).
-- One statement per `;` at the end of a line.

ALTER TABLE "webhooks" ADD COLUMN "from_seq" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "webhook_deliveries" ADD COLUMN "audit_seq" INTEGER;
ALTER TABLE "webhook_deliveries" ADD COLUMN "claimed_by" TEXT;
ALTER TABLE "webhook_deliveries" ADD COLUMN "claim_expires_at" TIMESTAMP(3);
CREATE UNIQUE INDEX "webhook_deliveries_webhook_id_audit_seq_key" ON "webhook_deliveries"("webhook_id", "audit_seq");
CREATE INDEX "webhook_deliveries_status_completed_at_idx" ON "webhook_deliveries"("status", "completed_at");

CREATE TABLE "webhook_dispatch_cursors" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "last_seq" INTEGER NOT NULL
);
-- existing audit history is not replayed to existing subscriptions: fan-out resumes from the current head
INSERT INTO "webhook_dispatch_cursors" ("name", "last_seq") SELECT 'audit', COALESCE(MAX("seq"), 0) FROM "audit_events";
