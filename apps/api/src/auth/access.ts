/**
 * Roles and scopes. Roles are ordered: viewer (reads) < operator (registry/config/switch changes) < admin
 * (users and API tokens). An API token carries a role (at most its creator's) and scopes: the areas it may touch
 * (`*` for all). Every route and socket subscription declares the role and area it needs.
 */
import type { Role } from '@paddock/platform/contracts';

export type { Role };
/** ROLES lists every role (the Role type itself is part of the REST contracts). */
export const ROLES = ['viewer', 'operator', 'admin'] as const satisfies readonly Role[];

export const AREAS = ['znodes', 'registry', 'config', 'switches', 'log-center', 'data-sync', 'audit', 'admin'] as const;
export type Area = (typeof AREAS)[number];

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

export interface Principal {
  kind: 'session' | 'token';
  userId: string;
  username: string;
  role: Role;
  /** Areas (`*`: all). Sessions have `*`. */
  scopes: readonly string[];
  tokenId?: string;
  tokenName?: string;
  /** When the credential stops working (ISO; sessions always, API tokens when they expire). */
  expiresAt?: string;
}

/** What a route needs: `public` (no credentials) or a minimum role in an area (`self`: any authenticated caller). */
export type AccessRule = { public: true } | { role: Role; area: Area | 'self' };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** null when allowed, else why not. */
export function denial(principal: Principal, rule: { role: Role; area: Area | 'self' }): string | null {
  if (ROLE_RANK[principal.role] < ROLE_RANK[rule.role]) return `role ${principal.role} may not do this (needs ${rule.role})`;
  if (rule.area === 'self') return null; // about the caller itself (me, logout)
  if (!principal.scopes.includes('*') && !principal.scopes.includes(rule.area)) return `token scope does not include ${rule.area}`;
  return null;
}

/** The actor written to the audit stream. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'token' ? `${principal.username}/token:${principal.tokenName}` : principal.username;
}
