'use client';
/**
 * RealtimeProvider owns the one socket.io connection (same origin, proxied to the API). Components subscribe to a
 * topic with useLive(); every (re)connect subscribes again and hands each listener a fresh snapshot, so a console
 * that was offline resyncs instead of trusting the stream it missed.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { goToLogin } from './api';

export type Subscription =
  | { topic: 'znode'; path: string }
  | { topic: 'switches'; env: string }
  | { topic: 'config'; env: string; app: string; namespace: string }
  | { topic: 'registry'; service?: string }
  | { topic: 'log-center' }
  | { topic: 'data-sync' };

export type LiveMessage = { kind: 'snapshot'; data: unknown } | { kind: 'event'; data: unknown; seq: number };
type Listener = (m: LiveMessage) => void;

interface Entry {
  sub: Subscription;
  listeners: Set<Listener>;
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

class Realtime {
  private readonly entries = new Map<string, Entry>();
  private socket: Socket | undefined;
  status: LiveStatus = 'connecting';
  onStatus: (s: LiveStatus) => void = () => {};
  /** The caller as the API sees it after a server-side disconnect (the role may have changed). */
  onSession: (me: unknown) => void = () => {};

  start(): void {
    if (this.socket) return;
    // same origin: the handshake carries the HttpOnly session cookie
    const socket = io({ path: '/socket.io', withCredentials: true, reconnectionDelayMax: 5_000, timeout: 10_000 });
    this.socket = socket;
    socket.on('connect', () => {
      this.setStatus('live');
      // the role may have changed while this socket was down (the API ends a user's sockets when it does)
      void this.refreshSession();
      for (const [id, e] of this.entries) this.join(id, e, e.listeners);
    });
    socket.on('disconnect', (reason) => {
      this.setStatus('offline');
      // the API ends a socket when its session expires; the client does not retry those by itself
      if (reason === 'io server disconnect') void this.checkSession();
    });
    socket.on('connect_error', () => {
      this.setStatus('offline');
      void this.checkSession();
    });
    socket.on('event', (e: { key: string; seq: number; data: unknown }) => {
      for (const entry of this.entries.values()) if (keyOf(entry.sub) === e.key) for (const l of entry.listeners) l({ kind: 'event', data: e.data, seq: e.seq });
    });
  }

  /** Re-reads the caller (GET /api/auth/me); false when the session is gone (and the browser is on its way to /login). */
  private async refreshSession(): Promise<boolean> {
    const res = await fetch('/api/auth/me', { credentials: 'same-origin', signal: AbortSignal.timeout(10_000) }).catch(() => null);
    if (res?.status === 401) {
      goToLogin();
      return false;
    }
    if (!res?.ok) return false;
    const me: unknown = await res.json().catch(() => null);
    if (me) this.onSession(me);
    return true;
  }

  /** After the API dropped or refused the socket: back to /login if the session is gone, else connect again. */
  private async checkSession(): Promise<void> {
    if (!(await this.refreshSession())) return;
    const socket = this.socket;
    if (socket && !socket.connected && !socket.active) socket.connect();
  }

  stop(): void {
    this.socket?.disconnect();
    this.socket = undefined;
  }

  private setStatus(s: LiveStatus): void {
    this.status = s;
    this.onStatus(s);
  }

  private join(id: string, entry: Entry, listeners: Iterable<Listener>): void {
    const socket = this.socket;
    if (!socket?.connected) return;
    socket
      .timeout(10_000)
      .emitWithAck('subscribe', entry.sub)
      .then((ack: { ok: boolean; snapshot?: unknown }) => {
        if (!ack.ok || this.entries.get(id) !== entry) return;
        for (const l of listeners) if (entry.listeners.has(l)) l({ kind: 'snapshot', data: ack.snapshot });
      })
      .catch(() => {});
  }

  add(sub: Subscription, listener: Listener): () => void {
    const id = JSON.stringify(sub);
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { sub, listeners: new Set() };
      this.entries.set(id, entry);
    }
    entry.listeners.add(listener);
    const e = entry;
    this.join(id, e, [listener]);
    return () => {
      e.listeners.delete(listener);
      if (e.listeners.size === 0 && this.entries.get(id) === e) {
        this.entries.delete(id);
        this.socket?.emit('unsubscribe', { key: keyOf(sub) });
      }
    };
  }
}

/** The server's room key for a subscription (events carry it). */
function keyOf(s: Subscription): string {
  switch (s.topic) {
    case 'znode':
      return `znode:${s.path}`;
    case 'switches':
      return `switches:${s.env}`;
    case 'config':
      return `config:${s.env}/${s.app}/${s.namespace}`;
    case 'registry':
      return s.service ? `registry:${s.service}` : 'registry:*';
    case 'log-center':
    case 'data-sync':
      return s.topic;
  }
}

const Ctx = createContext<{ rt: Realtime | null; status: LiveStatus }>({ rt: null, status: 'connecting' });

export function RealtimeProvider({ children, onSession }: { children: ReactNode; onSession?: (me: unknown) => void }) {
  const [rt, setRt] = useState<Realtime | null>(null);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const sessionHandler = useRef(onSession);
  sessionHandler.current = onSession;
  useEffect(() => {
    const r = new Realtime();
    r.onStatus = setStatus;
    r.onSession = (me) => sessionHandler.current?.(me);
    r.start();
    setRt(r);
    return () => r.stop();
  }, []);
  return <Ctx.Provider value={{ rt, status }}>{children}</Ctx.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(Ctx).status;
}

/** Calls `onMessage` with a snapshot on every (re)subscribe and with each pushed event. Pass null to pause. */
export function useLive(sub: Subscription | null, onMessage: Listener): void {
  const { rt } = useContext(Ctx);
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const id = sub ? JSON.stringify(sub) : null;
  useEffect(() => {
    if (!rt || !id) return;
    return rt.add(JSON.parse(id) as Subscription, (m) => handler.current(m));
  }, [rt, id]);
}
