/**
 * One decorator per route: the access rule the global guard enforces, and the OpenAPI facts (summary, zod
 * schemas of body and query) that openapi.ts turns into the served document. Validation uses the same schemas
 * (ZodBody / ZodQuery), so the document and the checks cannot drift.
 */
import { SetMetadata, applyDecorators } from '@nestjs/common';
import type { z } from 'zod';
import type { AccessRule, Area, Role } from '../auth/access.js';

export const ACCESS_KEY = 'paddock:access';
export const DOC_KEY = 'paddock:doc';

export interface RouteDoc {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Success status when not 200. */
  status?: number;
}

export function ApiRoute(access: { role: Role; area: Area | 'self' } | 'public', doc: RouteDoc): MethodDecorator {
  const rule: AccessRule = access === 'public' ? { public: true } : access;
  return applyDecorators(SetMetadata(ACCESS_KEY, rule), SetMetadata(DOC_KEY, doc));
}
