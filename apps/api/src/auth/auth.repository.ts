/** Users, sessions and API tokens in the database (the only auth code that touches Prisma). */
import type { Database } from '../persistence/database.js';

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: string;
  disabled: boolean;
  createdAt: Date;
}

export interface TokenRecord {
  id: string;
  name: string;
  userId: string;
  role: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

type UserRow = Awaited<ReturnType<Database['user']['findFirstOrThrow']>>;
type TokenRow = Awaited<ReturnType<Database['apiToken']['findFirstOrThrow']>>;

const user = (u: UserRow): UserRecord => ({ id: u.id, username: u.username, passwordHash: u.passwordHash, role: u.roleName, disabled: u.disabled, createdAt: u.createdAt });
const token = (t: TokenRow): TokenRecord => ({
  id: t.id,
  name: t.name,
  userId: t.userId,
  role: t.roleName,
  scopes: JSON.parse(t.scopes) as string[],
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt,
  revokedAt: t.revokedAt,
});

export class AuthRepository {
  constructor(private readonly db: Database) {}

  countUsers(): Promise<number> {
    return this.db.user.count();
  }

  /** Creates the user only while no user exists (one transaction); false when one does. */
  async createFirstUser(data: Omit<UserRecord, 'disabled'>): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      if ((await tx.user.count()) > 0) return false;
      await tx.user.create({ data: { id: data.id, username: data.username, passwordHash: data.passwordHash, roleName: data.role, createdAt: data.createdAt } });
      return true;
    });
  }

  async createUser(data: Omit<UserRecord, 'disabled'>): Promise<UserRecord> {
    return user(await this.db.user.create({ data: { id: data.id, username: data.username, passwordHash: data.passwordHash, roleName: data.role, createdAt: data.createdAt } }));
  }

  async findUserByName(username: string): Promise<UserRecord | null> {
    const u = await this.db.user.findUnique({ where: { username } });
    return u ? user(u) : null;
  }

  async findUser(id: string): Promise<UserRecord | null> {
    const u = await this.db.user.findUnique({ where: { id } });
    return u ? user(u) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.user.findMany({ orderBy: { username: 'asc' } })).map(user);
  }

  async updateUser(id: string, patch: { role?: string; disabled?: boolean; passwordHash?: string }): Promise<UserRecord> {
    return user(
      await this.db.user.update({
        where: { id },
        data: { ...(patch.role ? { roleName: patch.role } : {}), ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}), ...(patch.passwordHash ? { passwordHash: patch.passwordHash } : {}) },
      }),
    );
  }

  async createSession(data: { id: string; tokenHash: string; userId: string; createdAt: Date; expiresAt: Date }): Promise<void> {
    await this.db.session.create({ data });
  }

  async findSession(tokenHash: string): Promise<{ id: string; userId: string; expiresAt: Date } | null> {
    return this.db.session.findUnique({ where: { tokenHash }, select: { id: true, userId: true, expiresAt: true } });
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.session.deleteMany({ where: { tokenHash } });
  }

  async deleteSessionsOf(userId: string): Promise<void> {
    await this.db.session.deleteMany({ where: { userId } });
  }

  async createToken(data: Omit<TokenRecord, 'lastUsedAt' | 'revokedAt'> & { tokenHash: string }): Promise<TokenRecord> {
    return token(
      await this.db.apiToken.create({
        data: { id: data.id, name: data.name, tokenHash: data.tokenHash, userId: data.userId, roleName: data.role, scopes: JSON.stringify(data.scopes), createdAt: data.createdAt, expiresAt: data.expiresAt },
      }),
    );
  }

  async findToken(tokenHash: string): Promise<TokenRecord | null> {
    const t = await this.db.apiToken.findUnique({ where: { tokenHash } });
    return t ? token(t) : null;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.db.apiToken.findMany({ orderBy: { createdAt: 'asc' } })).map(token);
  }

  async touchToken(id: string, at: Date): Promise<void> {
    await this.db.apiToken.update({ where: { id }, data: { lastUsedAt: at } });
  }

  async revokeToken(id: string, at: Date): Promise<TokenRecord | null> {
    const found = await this.db.apiToken.findUnique({ where: { id } });
    if (!found) return null;
    return token(await this.db.apiToken.update({ where: { id }, data: { revokedAt: found.revokedAt ?? at } }));
  }
}
