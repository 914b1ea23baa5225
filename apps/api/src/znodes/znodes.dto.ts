import { z } from 'zod';

const path = z.string().regex(/^\/(?:[^/\0]+(?:\/[^/\0]+)*)?$/, 'must be an absolute znode path without a trailing slash');
export const encoding = z.enum(['text', 'json', 'hex', 'base64']);

export const PathQuery = z.object({ path });
export const ChildrenQuery = z.object({
  path,
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const DataQuery = z.object({ path, format: encoding.default('text') });
export const CreateBody = z.object({
  path,
  data: z.string().nullable().default(null),
  encoding: encoding.default('text'),
  mode: z.enum(['persistent', 'persistentSequential', 'container']).default('persistent'),
  reason: z.string().optional(),
});
export const SetBody = z.object({
  path,
  data: z.string().nullable(),
  encoding: encoding.default('text'),
  /** -1: any version (no check). */
  version: z.number().int().min(-1),
  reason: z.string().optional(),
});
export const DeleteQuery = z.object({ path, version: z.coerce.number().int().min(-1), reason: z.string().optional() });

export type Encoding = z.infer<typeof encoding>;
