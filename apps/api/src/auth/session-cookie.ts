/**
 * The console's session cookie and its CSRF rule, framework-free.
 *
 * Login / bootstrap set `paddock_session` (HttpOnly, SameSite=Lax, Path=/, Max-Age = the session's lifetime,
 * Secure when the request came over https), logout clears it. The guard and the socket.io gateway accept the
 * cookie as well as `Authorization: Bearer` (API tokens and scripts). A state-changing request authenticated by
 * the cookie must also carry `X-Paddock-Csrf` (any non-empty value): a cross-site form cannot set a custom header,
 * and a cross-site fetch with one needs a CORS preflight the API never grants.
 */
export const SESSION_COOKIE = 'paddock_session';
export const CSRF_HEADER = 'x-paddock-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Headers = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `name=value` pairs of a Cookie header (values percent-decoded when they can be). */
export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (Array.isArray(header) ? header.join(';') : (header ?? '')).split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value
    }
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

export function sessionFromCookie(headers: Headers): string | undefined {
  return parseCookies(headers['cookie']).get(SESSION_COOKIE) || undefined;
}

/** Whether the client reached us over https (directly or through a proxy that says so). */
export function isHttps(headers: Headers, encrypted = false): boolean {
  if (encrypted) return true;
  const proto = first(headers['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase();
  return proto === 'https';
}

export function sessionCookie(session: string, expiresAt: Date, now: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return `${SESSION_COOKIE}=${encodeURIComponent(session)}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** null when the request may go on, else why not (a cookie-authenticated state change without the CSRF header). */
export function csrfDenial(method: string, headers: Headers): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  if (first(headers[CSRF_HEADER])?.trim()) return null;
  return `cookie-authenticated ${method.toUpperCase()} requests need the ${CSRF_HEADER} header (CSRF protection); scripts should use Authorization: Bearer`;
}

/** Whether a login / bootstrap comes from the console (it asks for the cookie only, not the secret in the body). */
export function wantsCookieOnly(headers: Headers): boolean {
  return !!first(headers[CSRF_HEADER])?.trim();
}
