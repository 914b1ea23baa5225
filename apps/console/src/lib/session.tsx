'use client';
/**
 * Who is signed in, as the API sees it (GET /api/auth/me), for the whole console shell. Pages ask `useCan(role,
 * area)` to hide or disable write controls the caller's role would be refused anyway; the API still enforces.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { Role } from './types';

export type { Role };
export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

export interface Me {
  kind: 'session' | 'token';
  userId: string;
  username: string;
  role: Role;
  scopes: string[];
}

const SessionContext = createContext<Me | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

export function useMe(): Me | null {
  return useContext(SessionContext);
}

/** Whether the signed-in user holds at least `role` (and, for scoped callers, the area). */
export function can(me: Me | null, role: Role, area?: string): boolean {
  if (!me || ROLE_RANK[me.role] < ROLE_RANK[role]) return false;
  return !area || me.scopes.includes('*') || me.scopes.includes(area);
}

export function useCan(role: Role, area?: string): boolean {
  return can(useMe(), role, area);
}

/** Renders its children only for callers with the role; the read-only note otherwise (when given). */
export function RequireRole({ role, area, children, fallback = null }: { role: Role; area?: string; children: ReactNode; fallback?: ReactNode }) {
  return useCan(role, area) ? <>{children}</> : <>{fallback}</>;
}

/** Shown where write controls would be, for callers whose role only reads. */
export function ReadOnlyNote({ what }: { what: string }) {
  const me = useMe();
  return (
    <div className="panel small muted" data-testid="read-only">
      Read-only: {me ? `${me.username} (${me.role})` : 'you'} cannot change {what}; ask an operator.
    </div>
  );
}
