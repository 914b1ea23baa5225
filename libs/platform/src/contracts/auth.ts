/** Users and API tokens over REST (GET /api/users, /api/tokens): times as ISO strings, secrets never included. */

export type Role = 'viewer' | 'operator' | 'admin';

export interface UserInfo {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  userId: string;
  role: Role;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
