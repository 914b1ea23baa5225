import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -');
export const RefParams = z.object({ env: name, app: name, namespace: name });
export const format = z.enum(['text', 'json', 'properties', 'yaml']);
export const reason = z.string().max(500).optional();

export const DraftBody = z.object({ content: z.string().max(1_000_000), format: format.optional(), comment: z.string().max(500).optional(), expectedVersion: z.number().int().min(-1).optional(), reason });
export const PublishBody = z.object({
  /** Publish this content directly; without it the draft is published. */
  content: z.string().max(1_000_000).optional(),
  format: format.optional(),
  /** Fail (409) unless the live release is this one (0: nothing published yet). */
  expectedRelease: z.number().int().min(0).optional(),
  comment: z.string().max(500).optional(),
  /** Publish although a gray release is active (otherwise 409). */
  force: z.boolean().optional(),
  reason,
});
export const RollbackBody = z.object({ toRelease: z.number().int().min(1), expectedRelease: z.number().int().min(0).optional(), comment: z.string().max(500).optional(), force: z.boolean().optional(), reason });
export const DiffQuery = z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) });
export const DiscardBody = z.object({ reason }).default({});

/** Gray rules (any criterion selects a client); checked again in the domain (gray-rules.ts). */
export const GrayRules = z
  .object({
    clientIds: z.array(z.string().min(1).max(300)).max(1000).optional(),
    ips: z.array(z.string().min(1).max(100)).max(1000).optional(),
    labels: z.record(z.string().min(1).max(100), z.string().max(300)).optional(),
    /** 0..100 (two decimals): clients whose stable hash bucket falls below it. */
    percentage: z.number().min(0).max(100).optional(),
  })
  .strict();
/** Gray changes always need a reason (body or X-Change-Reason). */
const grayReason = z.string().min(1).max(500).optional();
export const GrayStartBody = z.object({
  /** The gray content; without it the draft is used (and consumed). */
  content: z.string().max(1_000_000).optional(),
  format: format.optional(),
  rules: GrayRules,
  comment: z.string().max(500).optional(),
  expectedRelease: z.number().int().min(0).optional(),
  reason: grayReason,
});
export const GrayRulesBody = z.object({ rules: GrayRules, grayId: z.string().max(100).optional(), reason: grayReason });
export const GrayPromoteBody = z.object({ grayId: z.string().max(100).optional(), expectedRelease: z.number().int().min(0).optional(), comment: z.string().max(500).optional(), reason: grayReason });
export const GrayAbortBody = z.object({ grayId: z.string().max(100).optional(), reason: grayReason });

export const ScheduleBody = z.object({
  action: z.enum(['publish', 'gray.start', 'gray.promote']),
  /** When: ISO-8601 time or epoch milliseconds; must be in the future. */
  at: z.union([z.string().min(1).max(64), z.number()]),
  /** publish / gray.start: the content (default: the draft as it is now). */
  content: z.string().max(1_000_000).optional(),
  format: format.optional(),
  comment: z.string().max(500).optional(),
  /** Apply only over this live release (default: the live release now). */
  expectedRelease: z.number().int().min(0).optional(),
  force: z.boolean().optional(),
  rules: GrayRules.optional(),
  grayId: z.string().max(100).optional(),
  reason: grayReason,
});
export const ScheduleCancelBody = z.object({ reason: grayReason });
export const ScheduleListQuery = z.object({ status: z.enum(['pending', 'executed', 'cancelled', 'failed']).optional() });
