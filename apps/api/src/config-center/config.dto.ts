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
  reason,
});
export const RollbackBody = z.object({ toRelease: z.number().int().min(1), expectedRelease: z.number().int().min(0).optional(), comment: z.string().max(500).optional(), reason });
export const DiffQuery = z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) });
export const DiscardBody = z.object({ reason }).default({});
