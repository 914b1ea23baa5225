import { z } from 'zod';

export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;
const name = z.string().regex(NAME, 'letters, digits, . _ - (max 249)');
const json: z.ZodType<unknown> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]));
/** Required for every log-center change (the services run with requireReason; X-Change-Reason works too). */
export const reason = z.string().min(1).max(500).optional();

export const TopicBody = z.object({
  partitions: z.number().int().min(1).max(100_000),
  metadata: z.record(z.string(), json).optional(),
  /** CAS on the topic's znode version; -1: must not exist yet. */
  expectedVersion: z.number().int().min(-1).optional(),
  reason,
});
export const GroupBody = z.object({ description: z.string().max(500).optional(), reason });
export const PinBody = z.object({ group: name, reason });
export const ReasonQuery = z.object({ reason: z.string().min(1).max(500).optional() });
export const NameParam = name;
