/**
 * The global guard: every route declares its access rule (ApiRoute); routes without one are refused (fail closed).
 * Credentials: `Authorization: Bearer` (sessions and API tokens) or, for the console, the HttpOnly session cookie;
 * a cookie-authenticated state change also needs the CSRF header (auth/session-cookie.ts).
 */
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { denial, type AccessRule } from '../auth/access.js';
import { AuthService } from '../auth/auth.service.js';
import { csrfDenial, sessionFromCookie } from '../auth/session-cookie.js';
import { AppError } from '../errors.js';
import { ACCESS_KEY } from './api-route.js';
import type { PaddockRequest } from './request-context.js';

export function bearerOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m ? m[1] : undefined;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // the gateway checks its own subscriptions
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (!rule) throw new AppError('forbidden', 'route has no access rule');
    if ('public' in rule) return true;
    const req = context.switchToHttp().getRequest<PaddockRequest & { method: string }>();
    // an explicit Authorization header wins over the cookie
    const bearer = bearerOf(req.headers.authorization);
    const cookie = bearer ? undefined : sessionFromCookie(req.headers);
    const principal = await this.auth.authenticate(bearer ?? cookie);
    if (cookie) {
      const csrf = csrfDenial(req.method, req.headers);
      if (csrf) throw new AppError('forbidden', csrf);
    }
    req.principal = principal;
    req.bearer = bearer ?? cookie;
    const why = denial(principal, rule);
    if (why) throw new AppError('forbidden', why);
    return true;
  }
}
