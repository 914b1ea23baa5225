/**
 * Zombie-registration detection (dubbo-admin#361, dubbo#7124): a provider node is only trustworthy while the
 * session that owns it (its `ephemeralOwner`) belongs to a live, connected provider.
 *
 * Method: the live sessions are read from the servers' four-letter words, which Apache ZooKeeper 3.8 and
 * Paddock both answer (they must be whitelisted: `4lw.commands.whitelist=cons,dump,...`):
 * - `cons` lists every connection with its session id (`sid=0x...`): a session with a connection is
 *   *connected*; ask every member of an ensemble, since each one lists only its own connections;
 * - `dump` (on the leader or a standalone server) lists the session tracker's sessions (`Session Sets`):
 *   a session listed there is *known* (not expired yet).
 * A provider node is classified as
 * - `live`: its owner session is connected;
 * - `disconnected`: its owner session is known but has no connection: the provider died or is partitioned;
 *   the node vanishes when the session times out, and until then consumers must not trust it;
 * - `unknown-session`: its owner is neither connected nor known (only possible with an incomplete probe,
 *   e.g. a member was not asked, or a broken server); reported for an operator to look at.
 * When no `dump` is available, a non-connected owner is reported as `disconnected`.
 */
import net from 'node:net';
import { sessionHex } from '../zk.js';

export interface LiveSessions {
  /** Hex ids (Long.toHexString) of sessions with a connection. */
  connected: Set<string>;
  /** Hex ids of sessions the session tracker knows, when a dump was available. */
  known: Set<string> | undefined;
}

export interface SessionProbe {
  liveSessions(): Promise<LiveSessions>;
}

export type ZombieStatus = 'live' | 'disconnected' | 'unknown-session';

export function classifyOwner(ephemeralOwner: bigint, sessions: LiveSessions): ZombieStatus {
  const hex = sessionHex(ephemeralOwner);
  if (sessions.connected.has(hex)) return 'live';
  if (sessions.known === undefined || sessions.known.has(hex)) return 'disconnected';
  return 'unknown-session';
}

/** Session ids from `cons` output. */
export function parseCons(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/sid=0x([0-9a-fA-F]+)/g)) out.add(m[1]!.toLowerCase());
  return out;
}

/** Session ids of the `Session Sets` section of `dump` output. */
export function parseDumpSessions(text: string): Set<string> {
  const out = new Set<string>();
  const start = text.indexOf('Session Sets');
  if (start < 0) return out;
  const end = text.indexOf('ephemeral nodes dump', start);
  for (const m of text.slice(start, end < 0 ? undefined : end).matchAll(/^\s+0x([0-9a-fA-F]+)\s*$/gm)) out.add(m[1]!.toLowerCase());
  return out;
}

export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${word} to ${host}:${port} timed out`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** A probe over four-letter words; `servers` are every member of the ensemble (`host:port`). */
export function fourLetterSessionProbe(servers: readonly string[], timeoutMs = 3_000): SessionProbe {
  const parsed = servers.map((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  });
  return {
    async liveSessions() {
      const connected = new Set<string>();
      let known: Set<string> | undefined;
      for (const { host, port } of parsed) {
        const cons = await fourLetterWord(host, port, 'cons', timeoutMs);
        if (/not in the whitelist/.test(cons)) throw new Error(`cons is not whitelisted on ${host}:${port}`);
        for (const id of parseCons(cons)) connected.add(id);
        const dump = await fourLetterWord(host, port, 'dump', timeoutMs).catch(() => '');
        if (dump.includes('Session Sets')) {
          known ??= new Set();
          for (const id of parseDumpSessions(dump)) known.add(id);
        }
      }
      // a connected session is a known one (dump on a follower lists no sessions)
      if (known) for (const id of connected) known.add(id);
      return { connected, known };
    },
  };
}
