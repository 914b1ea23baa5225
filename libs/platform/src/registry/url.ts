/**
 * Dubbo URLs as Dubbo's ZooKeeper registry stores them (org.apache.dubbo.common.URL, 2.6/2.7):
 *
 *   protocol://[username[:password]@]host[:port]/path?k1=v1&k2=v2
 *
 * - `toFullString()` writes the parameters sorted by key (Dubbo builds them from a TreeMap);
 * - a registry node name is `URL.encode(url.toFullString())`, and `URL.encode` is Java's
 *   `URLEncoder.encode(s, "UTF-8")`: letters, digits and `.-*_` stay, a space becomes `+`, everything else
 *   is %XX of its UTF-8 bytes (upper-case hex);
 * - the service directory is `/dubbo/` + URL.encode(interface), categories `providers`, `consumers`,
 *   `configurators`, `routers`.
 */

/** Java's URLEncoder.encode(s, "UTF-8"). */
export function javaUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Java's URLDecoder.decode(s, "UTF-8"). */
export function javaUrlDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

export class DubboUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DubboUrlError';
  }
}

export interface DubboUrlInit {
  protocol: string;
  host: string;
  port?: number;
  path?: string;
  username?: string;
  password?: string;
  parameters?: Record<string, string>;
}

export class DubboUrl {
  readonly protocol: string;
  readonly host: string;
  /** 0 when absent. */
  readonly port: number;
  /** Without the leading slash (Dubbo's URL.getPath()), usually the interface name. */
  readonly path: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly parameters: Readonly<Record<string, string>>;

  constructor(init: DubboUrlInit) {
    this.protocol = init.protocol;
    this.host = init.host;
    this.port = init.port ?? 0;
    this.path = (init.path ?? '').replace(/^\/+/, '');
    this.username = init.username;
    this.password = init.password;
    this.parameters = Object.freeze({ ...(init.parameters ?? {}) });
  }

  /** URL.valueOf: parses `protocol://user:pass@host:port/path?query` (query values are not decoded, as in Dubbo). */
  static parse(text: string): DubboUrl {
    let rest = text.trim();
    if (rest === '') throw new DubboUrlError('empty URL');
    const parameters: Record<string, string> = {};
    const q = rest.indexOf('?');
    if (q >= 0) {
      for (const part of rest.slice(q + 1).split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        if (eq >= 0) parameters[part.slice(0, eq)] = part.slice(eq + 1);
        else parameters[part] = part; // Dubbo: a bare key maps to itself
      }
      rest = rest.slice(0, q);
    }
    const scheme = rest.indexOf('://');
    if (scheme <= 0) throw new DubboUrlError(`URL without protocol: ${text}`);
    const protocol = rest.slice(0, scheme);
    rest = rest.slice(scheme + 3);
    let path = '';
    const slash = rest.indexOf('/');
    if (slash >= 0) {
      path = rest.slice(slash + 1);
      rest = rest.slice(0, slash);
    }
    let username: string | undefined;
    let password: string | undefined;
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      const user = rest.slice(0, at);
      rest = rest.slice(at + 1);
      const colon = user.indexOf(':');
      if (colon >= 0) {
        username = user.slice(0, colon);
        password = user.slice(colon + 1);
      } else username = user;
    }
    let host = rest;
    let port = 0;
    const colon = rest.lastIndexOf(':');
    if (colon >= 0 && colon < rest.length - 1 && !rest.endsWith(']')) {
      const p = Number(rest.slice(colon + 1));
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new DubboUrlError(`bad port in ${text}`);
      port = p;
      host = rest.slice(0, colon);
    }
    return new DubboUrl({ protocol, host, port, path, username, password, parameters });
  }

  /** A registry node name: URL.decode of the child name, then parse. */
  static fromNodeName(name: string): DubboUrl {
    return DubboUrl.parse(javaUrlDecode(name));
  }

  /** `host:port` (Dubbo's getAddress). */
  get address(): string {
    return this.port > 0 ? `${this.host}:${this.port}` : this.host;
  }

  /** The `interface` parameter, else the path (URL.getServiceInterface). */
  get serviceInterface(): string {
    return this.parameters.interface ?? this.path;
  }

  /** `group/interface:version` (URL.getServiceKey). */
  get serviceKey(): string {
    const group = this.parameters.group;
    const version = this.parameters.version;
    return `${group ? `${group}/` : ''}${this.serviceInterface}${version ? `:${version}` : ''}`;
  }

  param(key: string): string | undefined {
    return this.parameters[key];
  }

  numberParam(key: string, fallback: number): number {
    const raw = this.parameters[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    return Number.isFinite(n) ? n : fallback;
  }

  boolParam(key: string, fallback: boolean): boolean {
    const raw = this.parameters[key];
    if (raw === undefined || raw === '') return fallback;
    return raw === 'true';
  }

  /** A copy with parameters added/replaced (undefined removes one). */
  with(parameters: Record<string, string | undefined>): DubboUrl {
    const merged: Record<string, string> = { ...this.parameters };
    for (const [k, v] of Object.entries(parameters)) {
      if (v === undefined) delete merged[k];
      else merged[k] = v;
    }
    return new DubboUrl({ ...this, parameters: merged });
  }

  /** URL.toFullString(): parameters sorted by key, empty values skipped. */
  toFullString(): string {
    let out = `${this.protocol}://`;
    if (this.username !== undefined) out += `${this.username}${this.password !== undefined ? `:${this.password}` : ''}@`;
    out += this.host;
    if (this.port > 0) out += `:${this.port}`;
    out += `/${this.path}`;
    const keys = Object.keys(this.parameters)
      .filter((k) => k !== '' && this.parameters[k] !== '')
      .sort();
    if (keys.length > 0) out += `?${keys.map((k) => `${k}=${this.parameters[k]}`).join('&')}`;
    return out;
  }

  toString(): string {
    return this.toFullString();
  }

  /** The registry node name for this URL (URL.encode(toFullString())). */
  toNodeName(): string {
    return javaUrlEncode(this.toFullString());
  }
}

export type Category = 'providers' | 'consumers' | 'configurators' | 'routers';
export const CATEGORIES: readonly Category[] = ['providers', 'consumers', 'configurators', 'routers'];

export const DEFAULT_DUBBO_ROOT = '/dubbo';

/** `/dubbo/{URL.encode(service)}` */
export function serviceDir(service: string, root = DEFAULT_DUBBO_ROOT): string {
  return `${root === '/' ? '' : root}/${javaUrlEncode(service)}`;
}

/** `/dubbo/{URL.encode(service)}/{category}` */
export function categoryDir(service: string, category: Category, root = DEFAULT_DUBBO_ROOT): string {
  return `${serviceDir(service, root)}/${category}`;
}

/** The full node path of a URL in its category (Dubbo's toUrlPath). */
export function urlPath(url: DubboUrl, category: Category, root = DEFAULT_DUBBO_ROOT): string {
  return `${categoryDir(url.serviceInterface, category, root)}/${url.toNodeName()}`;
}

/** Parses a registry child name; undefined for names that are not Dubbo URLs. */
export function tryParseNodeName(name: string): DubboUrl | undefined {
  try {
    return DubboUrl.fromNodeName(name);
  } catch {
    return undefined;
  }
}
