/** Validation at the edge with zod: 400 with every issue (path + message) when the input does not parse. */
import { Body, Query, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { AppError } from '../errors.js';

export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}
  transform(value: unknown): z.infer<T> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError('invalid', issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), { issues });
  }
}

export const ZodBody = (schema: z.ZodType) => Body(new ZodPipe(schema));
export const ZodQuery = (schema: z.ZodType) => Query(new ZodPipe(schema));
