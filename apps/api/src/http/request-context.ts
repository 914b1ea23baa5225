/** Per-request facts the guard attaches and handlers read: the principal and the audit ChangeContext. */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ChangeContext } from '@paddock/platform';
import { actorOf, type Principal } from '../auth/access.js';

export interface PaddockRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  id?: string;
  principal?: Principal;
  bearer?: string;
}

export function changeContext(req: PaddockRequest): ChangeContext {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const body = req.body && typeof req.body === 'object' ? (req.body as { reason?: unknown }) : undefined;
  const reason = typeof body?.reason === 'string' ? body.reason : header('x-change-reason');
  const source = header('x-change-source') ?? 'api';
  return {
    actor: req.principal ? actorOf(req.principal) : 'anonymous',
    source: /^[a-z][a-z0-9:_-]{0,40}$/.test(source) ? source : 'api',
    ...(reason ? { reason } : {}),
    ...(req.id ? { requestId: String(req.id) } : {}),
  };
}

/** The authenticated principal. */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<PaddockRequest>().principal!);

/** Who/why/where for the audit stream (actor from the principal, reason from body.reason or X-Change-Reason). */
export const Change = createParamDecorator((_: unknown, ctx: ExecutionContext): ChangeContext => changeContext(ctx.switchToHttp().getRequest<PaddockRequest>()));

/** The raw bearer secret (logout). */
export const Bearer = createParamDecorator((_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<PaddockRequest>().bearer ?? '');
