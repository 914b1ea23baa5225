/**
 * Which browser origins may log in / bootstrap and open cookie-authenticated sockets (framework-free).
 *
 * SameSite=Lax and the CSRF header protect requests that carry the session cookie, but not login itself (login CSRF:
 * a foreign page logs the victim's browser into the attacker's account) nor a socket handshake from a same-site
 * sibling. Browsers send `Origin` on those requests, so: when `Origin` is present (or `Sec-Fetch-Site` says
 * cross-site) it must be the API's own origin (its `Host`, or `X-Forwarded-Host` as set by the console's same-origin
 * proxy; a cross-site page cannot set that header without a CORS preflight the API never grants) or one of
 * `PADDOCK_ALLOWED_ORIGINS` (comma-separated, e.g. `https://console.corp:8443`). Scripts send no `Origin` and pass.
 */
type Headers = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.split(',')[0]?.trim() || undefined;
}

/** `scheme://host[:port]` normalised (lowercase, default port dropped), or null for anything that is not one. */
function normaliseOrigin(value: string): string | null {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

export function parseAllowedOrigins(value: string | undefined): string[] {
  const out: string[] = [];
  for (const item of (value ?? '').split(',')) {
    if (!item.trim()) continue;
    const origin = normaliseOrigin(item);
    if (!origin) throw new Error(`PADDOCK_ALLOWED_ORIGINS: ${JSON.stringify(item.trim())} is not an http(s) origin`);
    out.push(origin);
  }
  return out;
}

export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[] = []) {
    this.allowed = new Set(allowedOrigins);
  }

  static fromEnv(env: Record<string, string | undefined> = process.env): OriginPolicy {
    return new OriginPolicy(parseAllowedOrigins(env['PADDOCK_ALLOWED_ORIGINS']));
  }

  /** null when the request may go on, else why not. */
  denial(headers: Headers, what: string): string | null {
    const originHeader = first(headers['origin']);
    const crossSite = first(headers['sec-fetch-site'])?.toLowerCase() === 'cross-site';
    if (originHeader === undefined) {
      return crossSite ? `${what} refused: a cross-site request (Sec-Fetch-Site: cross-site) without an Origin header` : null;
    }
    const origin = normaliseOrigin(originHeader);
    if (origin && this.allowed.has(origin)) return null;
    if (origin && !crossSite) {
      const host = new URL(origin).host;
      const own = [first(headers['host']), first(headers['x-forwarded-host'])].filter((h): h is string => !!h).map((h) => h.toLowerCase());
      if (own.some((h) => h === host || stripDefaultPort(h, origin) === host)) return null;
    }
    return `${what} refused from origin ${originHeader}: not this API's origin nor in PADDOCK_ALLOWED_ORIGINS`;
  }
}

/** `example.com:443` for an https origin is `example.com` (URL.host drops default ports). */
function stripDefaultPort(host: string, origin: string): string {
  const port = origin.startsWith('https:') ? ':443' : ':80';
  return host.endsWith(port) ? host.slice(0, -port.length) : host;
}
