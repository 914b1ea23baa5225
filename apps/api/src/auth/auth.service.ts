/**
 * Authentication and user/token management, framework-free. No default credentials: `bootstrap` creates the
 * first admin only while the user table is empty. Console sessions and API tokens are random 32-byte secrets
 * handed out once; only their sha256 is stored.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TokenInfo, UserInfo } from '@paddock/platform/contracts';
import { AppError } from '../errors.js';
import { AREAS, ROLE_RANK, isRole, type Principal, type Role } from './access.js';
import type { AuthRepository, TokenRecord, UserRecord } from './auth.repository.js';
import { hashPassword, verifyPassword } from './password.js';

export const SESSION_PREFIX = 'pds_';
export const TOKEN_PREFIX = 'pdt_';

/** PublicUser is a user as the API shows it (never the password hash). */
export type PublicUser = UserInfo;
/** PublicToken is an API token as the API shows it (never the secret or its hash). */
export type PublicToken = TokenInfo;

// stored roles are written only through the DTOs' role enum, so the column holds a Role
export const publicUser = (u: UserRecord): PublicUser => ({ id: u.id, username: u.username, role: u.role as Role, disabled: u.disabled, createdAt: u.createdAt.toISOString() });
export const publicToken = (t: TokenRecord): PublicToken => ({
  id: t.id,
  name: t.name,
  userId: t.userId,
  role: t.role as Role,
  scopes: t.scopes,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function secret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export class AuthService {
  constructor(
    private readonly repo: AuthRepository,
    private readonly sessionTtlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The clock the service stamps sessions with (the session cookie's Max-Age is computed against it). */
  clock(): Date {
    return this.now();
  }

  async status(): Promise<{ bootstrapped: boolean }> {
    return { bootstrapped: (await this.repo.countUsers()) > 0 };
  }

  async bootstrap(username: string, password: string): Promise<{ user: PublicUser; session: string; expiresAt: string }> {
    const record = { id: randomUUID(), username, passwordHash: await hashPassword(password), role: 'admin', createdAt: this.now() };
    if (!(await this.repo.createFirstUser(record))) throw new AppError('conflict', 'already bootstrapped: log in, or ask an admin for an account');
    return { user: publicUser({ ...record, disabled: false }), ...(await this.openSession(record.id)) };
  }

  async login(username: string, password: string): Promise<{ user: PublicUser; session: string; expiresAt: string }> {
    const user = await this.repo.findUserByName(username);
    // verify against a dummy hash when the user is unknown, so timing does not reveal user names
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled) throw new AppError('unauthenticated', 'bad user name or password');
    return { user: publicUser(user), ...(await this.openSession(user.id)) };
  }

  private async openSession(userId: string): Promise<{ session: string; expiresAt: string }> {
    const session = secret(SESSION_PREFIX);
    const createdAt = this.now();
    const expiresAt = new Date(createdAt.getTime() + this.sessionTtlSeconds * 1000);
    await this.repo.createSession({ id: randomUUID(), tokenHash: sha256(session), userId, createdAt, expiresAt });
    return { session, expiresAt: expiresAt.toISOString() };
  }

  async logout(bearer: string): Promise<void> {
    await this.repo.deleteSession(sha256(bearer));
  }

  /** The principal of a bearer secret (session or API token), or an `unauthenticated` error. */
  async authenticate(bearer: string | undefined): Promise<Principal> {
    if (!bearer) throw new AppError('unauthenticated', 'credentials required (Authorization: Bearer <session or API token>, or the console session cookie)');
    const now = this.now();
    if (bearer.startsWith(SESSION_PREFIX)) {
      const s = await this.repo.findSession(sha256(bearer));
      if (!s || s.expiresAt <= now) throw new AppError('unauthenticated', 'session expired or unknown');
      const user = await this.repo.findUser(s.userId);
      if (!user || user.disabled || !isRole(user.role)) throw new AppError('unauthenticated', 'user disabled');
      return { kind: 'session', userId: user.id, username: user.username, role: user.role, scopes: ['*'], expiresAt: s.expiresAt.toISOString() };
    }
    if (bearer.startsWith(TOKEN_PREFIX)) {
      const t = await this.repo.findToken(sha256(bearer));
      if (!t || t.revokedAt || (t.expiresAt && t.expiresAt <= now)) throw new AppError('unauthenticated', 'API token revoked, expired or unknown');
      const user = await this.repo.findUser(t.userId);
      if (!user || user.disabled || !isRole(user.role) || !isRole(t.role)) throw new AppError('unauthenticated', 'token owner disabled');
      // a token never has more than its owner has now
      const role: Role = ROLE_RANK[t.role] <= ROLE_RANK[user.role] ? t.role : user.role;
      void this.repo.touchToken(t.id, now).catch(() => undefined);
      return { kind: 'token', userId: user.id, username: user.username, role, scopes: t.scopes, tokenId: t.id, tokenName: t.name, ...(t.expiresAt ? { expiresAt: t.expiresAt.toISOString() } : {}) };
    }
    throw new AppError('unauthenticated', 'unrecognised credentials');
  }

  async me(principal: Principal): Promise<Principal> {
    return principal;
  }

  async listUsers(): Promise<PublicUser[]> {
    return (await this.repo.listUsers()).map(publicUser);
  }

  async createUser(input: { username: string; password: string; role: Role }): Promise<PublicUser> {
    if (await this.repo.findUserByName(input.username)) throw new AppError('conflict', `user ${input.username} exists`);
    return publicUser(await this.repo.createUser({ id: randomUUID(), username: input.username, passwordHash: await hashPassword(input.password), role: input.role, createdAt: this.now() }));
  }

  async updateUser(principal: Principal, id: string, patch: { role?: Role; disabled?: boolean; password?: string }): Promise<PublicUser> {
    const existing = await this.repo.findUser(id);
    if (!existing) throw new AppError('not-found', `no user ${id}`);
    if (id === principal.userId && ((patch.role && patch.role !== 'admin') || patch.disabled)) throw new AppError('invalid', 'admins cannot demote or disable themselves');
    const updated = await this.repo.updateUser(id, { ...(patch.role ? { role: patch.role } : {}), ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}), ...(patch.password ? { passwordHash: await hashPassword(patch.password) } : {}) });
    if (patch.disabled || patch.password) await this.repo.deleteSessionsOf(id);
    return publicUser(updated);
  }

  async createToken(principal: Principal, input: { name: string; role: Role; scopes: string[]; expiresInSeconds?: number | undefined }): Promise<{ token: string; info: PublicToken }> {
    if (ROLE_RANK[input.role] > ROLE_RANK[principal.role]) throw new AppError('forbidden', `cannot issue a ${input.role} token as ${principal.role}`);
    for (const s of input.scopes) if (s !== '*' && !(AREAS as readonly string[]).includes(s)) throw new AppError('invalid', `unknown scope ${s} (one of *, ${AREAS.join(', ')})`);
    const token = secret(TOKEN_PREFIX);
    const createdAt = this.now();
    const info = await this.repo.createToken({
      id: randomUUID(),
      name: input.name,
      tokenHash: sha256(token),
      userId: principal.userId,
      role: input.role,
      scopes: input.scopes.length > 0 ? input.scopes : ['*'],
      createdAt,
      expiresAt: input.expiresInSeconds ? new Date(createdAt.getTime() + input.expiresInSeconds * 1000) : null,
    });
    return { token, info: publicToken(info) };
  }

  async listTokens(): Promise<PublicToken[]> {
    return (await this.repo.listTokens()).map(publicToken);
  }

  async revokeToken(id: string): Promise<PublicToken> {
    const t = await this.repo.revokeToken(id, this.now());
    if (!t) throw new AppError('not-found', `no token ${id}`);
    return publicToken(t);
  }
}

// scrypt of a random password, computed once: makes unknown-user logins cost the same as known ones
const DUMMY_HASH = await hashPassword(randomBytes(16).toString('hex'));
