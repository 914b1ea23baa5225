import { z } from 'zod';

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 time').transform((s) => new Date(s).toISOString());
export const AuditQueryDto = z.object({
  path: z.string().min(1).optional(),
  pathPrefix: z.string().min(1).optional(),
  actor: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  from: iso.optional(),
  to: iso.optional(),
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
