import { Controller, Delete, Get, HttpException, HttpStatus, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { Auditor, type ChangeContext } from '@paddock/platform';
import type { z } from 'zod';
import { AuditRepository } from '../audit/audit.repository.js';
import { EventsBridge } from '../events/events.gateway.js';
import { ApiRoute } from '../http/api-route.js';
import { Auth, Bearer, Change } from '../http/request-context.js';
import { ZodBody, ZodPipe } from '../http/zod-pipe.js';
import { AppError } from '../errors.js';
import type { Principal } from './access.js';
import { CreateTokenBody, CreateUserBody, CredentialsBody, LoginBody, UpdateUserBody } from './auth.dto.js';
import { AuthService, type PublicUser } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { OriginPolicy } from './origin-policy.js';
import { clearedSessionCookie, isHttps, sessionCookie, wantsCookieOnly } from './session-cookie.js';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  raw?: { socket?: { encrypted?: boolean; remoteAddress?: string } };
}
interface HttpReply {
  header(name: string, value: string): unknown;
}

const secureRequest = (req: HttpRequest) => isHttps(req.headers, !!req.raw?.socket?.encrypted);

@Controller('api/auth')
export class AuthController {
  /** Login CSRF: browsers may only log in / bootstrap from the API's own origin or PADDOCK_ALLOWED_ORIGINS. */
  private readonly origins = OriginPolicy.fromEnv();
  private readonly auditor: Auditor;

  constructor(
    private readonly auth: AuthService,
    private readonly events: EventsBridge,
    /** Brute-force brake per username + address and per username, shared by the instances through Redis. */
    private readonly throttle: LoginThrottle,
    audit: AuditRepository,
  ) {
    this.auditor = new Auditor(audit);
  }

  private checkOrigin(req: HttpRequest, what: string): void {
    const why = this.origins.denial(req.headers, what);
    if (why) throw new AppError('forbidden', why);
  }

  @Get('status')
  @ApiRoute('public', { summary: 'Whether the first admin exists yet' })
  status() {
    return this.auth.status();
  }

  @Post('bootstrap')
  @ApiRoute('public', { summary: 'Create the first admin; only while no user exists (409 afterwards)', body: CredentialsBody, status: 201 })
  async bootstrap(@ZodBody(CredentialsBody) b: z.infer<typeof CredentialsBody>, @Req() req: HttpRequest, @Res({ passthrough: true }) reply: HttpReply) {
    this.checkOrigin(req, 'bootstrap');
    return this.withCookie(await this.auth.bootstrap(b.username, b.password), req, reply);
  }

  @Post('login')
  @ApiRoute('public', {
    summary: 'Open a session: sets the HttpOnly session cookie; the secret (Bearer pds_...) is also in the body unless X-Paddock-Csrf is sent. 403 from a foreign browser Origin; 429 + Retry-After after repeated failures (per username + address, and per username from all addresses); 503 while the brute-force brake cannot reach Redis',
    body: LoginBody,
    status: 201,
  })
  async login(@ZodBody(LoginBody) b: z.infer<typeof LoginBody>, @Req() req: HttpRequest, @Res({ passthrough: true }) reply: HttpReply) {
    this.checkOrigin(req, 'login');
    const ip = req.ip ?? req.raw?.socket?.remoteAddress ?? 'unknown';
    // the attempt counts as a failure from here on, unless its password turns out right
    const gate = await this.throttle.admit(b.username, ip);
    if (!gate.admitted) {
      reply.header('retry-after', String(gate.retryAfterSeconds));
      throw new HttpException(gate.message, HttpStatus.TOO_MANY_REQUESTS);
    }
    const opened = await this.auth.login(b.username, b.password);
    await this.throttle.recordSuccess(gate.attempt);
    return this.withCookie(opened, req, reply);
  }

  @Delete('throttle/:username')
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: "Clear a username's login throttle: the account lock and count and every address's lock and count (all instances); audited as auth.throttle.clear" })
  async clearThrottle(@Param('username', new ZodPipe(LoginBody.shape.username)) username: string, @Change() ctx: ChangeContext) {
    const cleared = await this.throttle.clear(username);
    // before: what was there (account count or lock, how many addresses); after: nothing
    await this.auditor.emit(ctx, 'auth.throttle.clear', `/auth/throttle/${cleared.username}`, { account: cleared.account, addresses: cleared.addresses }, null);
    return cleared;
  }

  @Post('logout')
  @ApiRoute({ role: 'viewer', area: 'self' }, { summary: 'End the current session and clear the session cookie', status: 201 })
  async logout(@Bearer() bearer: string, @Req() req: HttpRequest, @Res({ passthrough: true }) reply: HttpReply) {
    await this.auth.logout(bearer);
    this.events.endCredential(bearer);
    reply.header('set-cookie', clearedSessionCookie(secureRequest(req)));
    return { loggedOut: true };
  }

  /** Sets the session cookie; the console (it sends the CSRF header) gets no secret in the body, scripts do. */
  private withCookie(opened: { user: PublicUser; session: string; expiresAt: string }, req: HttpRequest, reply: HttpReply) {
    reply.header('set-cookie', sessionCookie(opened.session, new Date(opened.expiresAt), this.auth.clock(), secureRequest(req)));
    if (!wantsCookieOnly(req.headers)) return opened;
    const { session: _secret, ...rest } = opened;
    return rest;
  }

  @Get('me')
  @ApiRoute({ role: 'viewer', area: 'self' }, { summary: 'The caller' })
  me(@Auth() principal: Principal) {
    return this.auth.me(principal);
  }
}

@Controller('api/users')
export class UsersController {
  constructor(
    private readonly auth: AuthService,
    private readonly events: EventsBridge,
  ) {}

  @Get()
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Users' })
  async list() {
    return { users: await this.auth.listUsers() };
  }

  @Post()
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Create a user', body: CreateUserBody, status: 201 })
  create(@ZodBody(CreateUserBody) b: z.infer<typeof CreateUserBody>) {
    return this.auth.createUser(b);
  }

  @Patch(':id')
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Change role, disable, reset password (ends the user\'s sessions)', body: UpdateUserBody })
  async update(@Auth() principal: Principal, @Param('id') id: string, @ZodBody(UpdateUserBody) b: z.infer<typeof UpdateUserBody>) {
    const updated = await this.auth.updateUser(principal, id, b);
    // open sockets carry the old rights (or a session that was just ended): drop them
    this.events.endUser(id);
    return updated;
  }
}

@Controller('api/tokens')
export class TokensController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'API tokens (never their secrets)' })
  async list() {
    return { tokens: await this.auth.listTokens() };
  }

  @Post()
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Issue a scoped API token (Bearer pdt_...); the secret is shown once', body: CreateTokenBody, status: 201 })
  create(@Auth() principal: Principal, @ZodBody(CreateTokenBody) b: z.infer<typeof CreateTokenBody>) {
    return this.auth.createToken(principal, b);
  }

  @Delete(':id')
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Revoke an API token' })
  revoke(@Param('id') id: string) {
    return this.auth.revokeToken(id);
  }
}
