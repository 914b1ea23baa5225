/** The audit stream over REST (GET /api/audit): events are plain JSON already. */
import type { AuditEvent } from '../audit.js';

export type { AuditEvent, AuditEventType } from '../audit.js';

/** AuditRowView is a stored event with its place in the hash chain. */
export interface AuditRowView extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}
