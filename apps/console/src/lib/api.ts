/**
 * The API client: same-origin `fetch` to `/api/*` (proxied to the backend by src/proxy.ts). The session lives in
 * the API's HttpOnly cookie, which this code never sees; every request carries the CSRF header the API requires
 * for cookie-authenticated changes. Errors become ApiError, which keeps the ZooKeeper code name (e.g. BAD_VERSION).
 */
import type { UserInfo } from './types';

/** The API refuses cookie-authenticated changes without it (a cross-site form cannot send a custom header). */
export const CSRF_HEADER = 'x-paddock-csrf';

/** SessionUser: what the console reads of the signed-in user (GET /api/auth/me, login, bootstrap). */
export type SessionUser = Pick<UserInfo, 'username' | 'role'>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly zkCodeName?: string,
    readonly zkCode?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** What the console shows: "409 BAD_VERSION: …". */
  describe(): string {
    return `${this.status}${this.zkCodeName ? ` ${this.zkCodeName}` : ''}: ${this.message}`;
  }
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.describe();
  return e instanceof Error ? e.message : String(e);
}

let leaving = false;

/** Sends the browser to /login once (several failing calls and the socket may all notice an ended session). */
export function goToLogin(): void {
  if (typeof window === 'undefined' || leaving || window.location.pathname === '/login') return;
  leaving = true;
  window.location.assign('/login');
}

type Query = Record<string, string | number | undefined | null>;

export function qs(query: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function api<T>(method: string, route: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { [CSRF_HEADER]: '1', ...extraHeaders };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(route, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw new ApiError(0, `API unreachable (${e instanceof Error ? e.message : String(e)})`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { message: text.slice(0, 300) };
  }
  if (!res.ok) {
    const b = (json ?? {}) as { message?: unknown; zkCodeName?: string; zkCode?: number };
    const message = Array.isArray(b.message) ? b.message.join('; ') : typeof b.message === 'string' ? b.message : res.statusText;
    // the session expired or was ended elsewhere: back to the sign-in page
    if (res.status === 401 && !route.startsWith('/api/auth/')) {
      goToLogin();
    }
    throw new ApiError(res.status, message, b.zkCodeName, b.zkCode);
  }
  return json as T;
}

/** Ends the session on the API, which also clears the cookie. */
export async function signOut(): Promise<void> {
  await api('POST', '/api/auth/logout').catch(() => undefined);
}

export const get = <T>(route: string, query: Query = {}) => api<T>('GET', route + qs(query));
