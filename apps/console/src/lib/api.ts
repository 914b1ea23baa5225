/**
 * The API client: same-origin `fetch` to `/api/*` (proxied to the backend by src/proxy.ts) with the console
 * session as a bearer token. Errors become ApiError, which keeps the ZooKeeper code name (e.g. BAD_VERSION).
 */
const TOKEN_KEY = 'paddock.session';
const USER_KEY = 'paddock.user';

export interface SessionUser {
  username: string;
  role: 'viewer' | 'operator' | 'admin';
}

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

export function getToken(): string | null {
  return typeof window === 'undefined' ? null : window.localStorage.getItem(TOKEN_KEY);
}

export function getUser(): SessionUser | null {
  if (typeof window === 'undefined') return null;
  const raw = window.localStorage.getItem(USER_KEY);
  try {
    return raw ? (JSON.parse(raw) as SessionUser) : null;
  } catch {
    return null;
  }
}

export function saveSession(token: string, user: SessionUser): void {
  window.localStorage.setItem(TOKEN_KEY, token);
  window.localStorage.setItem(USER_KEY, JSON.stringify(user));
}

export function clearSession(): void {
  window.localStorage.removeItem(TOKEN_KEY);
  window.localStorage.removeItem(USER_KEY);
}

type Query = Record<string, string | number | undefined | null>;

export function qs(query: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function api<T>(method: string, route: string, body?: unknown): Promise<T> {
  const token = getToken();
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(route, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(15_000) });
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
    if (res.status === 401 && token && !route.startsWith('/api/auth/')) {
      clearSession();
      if (typeof window !== 'undefined' && window.location.pathname !== '/login') window.location.assign('/login');
    }
    throw new ApiError(res.status, message, b.zkCodeName, b.zkCode);
  }
  return json as T;
}

export const get = <T>(route: string, query: Query = {}) => api<T>('GET', route + qs(query));
