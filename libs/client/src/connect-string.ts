/**
 * Connect strings ("h1:2181,h2:2182/app") and the host provider that walks them (StaticHostProvider):
 * shuffled once, then round-robin; after every host was tried without success the caller backs off.
 */
import { normalizeChroot } from './paths.js';

export interface HostAddress {
  host: string;
  port: number;
}

export interface ParsedConnectString {
  hosts: HostAddress[];
  /** undefined when there is no chroot (or it is "/"). */
  chroot: string | undefined;
}

export const DEFAULT_CLIENT_PORT = 2181;

/**
 * Parses `host[:port][,host[:port]...][/chroot]` (ConnectStringParser). IPv6 literals go in brackets:
 * `[::1]:2181`. A missing port is 2181. Throws on an empty host list or a bad port.
 */
export function parseConnectString(connectString: string): ParsedConnectString {
  const raw = connectString.trim();
  let hostPart = raw;
  let chroot: string | undefined;
  const slash = raw.indexOf('/');
  if (slash >= 0) {
    hostPart = raw.slice(0, slash);
    chroot = normalizeChroot(raw.slice(slash));
  }
  const hosts: HostAddress[] = [];
  for (const piece of hostPart.split(',')) {
    const item = piece.trim();
    if (item === '') continue;
    let host: string;
    let portText: string | undefined;
    if (item.startsWith('[')) {
      const close = item.indexOf(']');
      if (close < 0) throw new Error(`bad IPv6 address in connect string: ${item}`);
      host = item.slice(1, close);
      const rest = item.slice(close + 1);
      if (rest.startsWith(':')) portText = rest.slice(1);
      else if (rest !== '') throw new Error(`bad host in connect string: ${item}`);
    } else {
      const colon = item.lastIndexOf(':');
      if (colon >= 0) {
        host = item.slice(0, colon);
        portText = item.slice(colon + 1);
      } else {
        host = item;
      }
    }
    let port = DEFAULT_CLIENT_PORT;
    if (portText !== undefined) {
      if (!/^\d+$/.test(portText)) throw new Error(`bad port in connect string: ${item}`);
      port = Number(portText);
      if (port < 1 || port > 65535) throw new Error(`port out of range in connect string: ${item}`);
    }
    if (host === '') throw new Error(`empty host in connect string: ${item}`);
    hosts.push({ host, port });
  }
  if (hosts.length === 0) throw new Error(`connect string has no hosts: ${JSON.stringify(connectString)}`);
  return { hosts, chroot };
}

/** Fisher-Yates with an injectable random source (for tests). */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Round-robin over the (optionally shuffled) hosts. `next()` says whether a full cycle of unsuccessful
 * attempts has just completed (`wrapped`), which is when ZooKeeper's client sleeps before trying again.
 */
export class HostProvider {
  readonly hosts: readonly HostAddress[];
  private index = -1;
  /** index of the host of the last successful connection (-1: none yet) */
  private lastConnected = -1;
  private triedSinceSuccess = 0;

  constructor(hosts: readonly HostAddress[], { randomize = true, random = Math.random }: { randomize?: boolean; random?: () => number } = {}) {
    if (hosts.length === 0) throw new Error('no hosts');
    this.hosts = randomize ? shuffled(hosts, random) : hosts.slice();
  }

  get size(): number {
    return this.hosts.length;
  }

  /** The next host to try; `wrapped` is true when every host was tried since the last success. */
  next(): { host: HostAddress; wrapped: boolean } {
    this.index = (this.index + 1) % this.hosts.length;
    const wrapped = this.triedSinceSuccess >= this.hosts.length;
    if (wrapped) this.triedSinceSuccess = 0;
    this.triedSinceSuccess++;
    return { host: this.hosts[this.index]!, wrapped };
  }

  /** The last host handed out connected (a session was established on it). */
  onConnected(): void {
    this.lastConnected = this.index;
    this.triedSinceSuccess = 0;
  }

  get current(): HostAddress | undefined {
    return this.index < 0 ? undefined : this.hosts[this.index];
  }

  get lastConnectedHost(): HostAddress | undefined {
    return this.lastConnected < 0 ? undefined : this.hosts[this.lastConnected];
  }
}
