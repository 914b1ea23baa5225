import { z } from 'zod';

export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;
const json: z.ZodType<unknown> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]));
/** Required for every data-sync change (the service runs with requireReason; X-Change-Reason works too). */
export const reason = z.string().min(1).max(500).optional();

export const RetryBody = z.object({
  maxAttempts: z.number().int().min(1).max(100).optional(),
  baseDelayMs: z.number().int().min(0).optional(),
  factor: z.number().min(1).max(100).optional(),
  maxDelayMs: z.number().int().min(0).optional(),
});
export const PublishBody = z.object({
  id: z.string().regex(NAME, 'letters, digits, . _ - (max 249)'),
  kind: z.enum(['collector', 'store']).optional(),
  source: z.string().max(2_000).optional(),
  target: z.string().max(2_000).optional(),
  payload: json.optional(),
  weight: z.number().positive().max(1_000_000).optional(),
  retry: RetryBody.optional(),
  reason,
});
export const ReasonBody = z.object({ reason });
export const ReasonQuery = z.object({ reason: z.string().min(1).max(500).optional() });
export const TaskParam = z.string().regex(NAME);
