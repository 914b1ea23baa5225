/**
 * socket.io gateway (path /socket.io). Connect with `auth: { token }` (session or API token) or, from the console,
 * with the HttpOnly session cookie (SameSite=Lax: a cross-site page's socket does not carry it; a cookie handshake
 * must also come from the API's own origin or PADDOCK_ALLOWED_ORIGINS, see auth/origin-policy.ts: same-site
 * sibling pages send the cookie too); unauthenticated sockets are refused. Token handshakes skip the Origin check. `subscribe` (ack: { ok, key, snapshot } or { ok: false, error }) joins a topic after a
 * role/scope check (viewer in the topic's area); events arrive as `event` { key, seq, topic, data }.
 */
import { Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { denial, type Principal } from '../auth/access.js';
import { AuthService } from '../auth/auth.service.js';
import { OriginPolicy } from '../auth/origin-policy.js';
import { sessionFromCookie } from '../auth/session-cookie.js';
import { toErrorBody } from '../http/error-filter.js';
import { EventsHub, Subscription, TOPIC_AREA, type HubEvent } from './events-hub.js';

interface SocketData {
  principal?: Principal;
  /** The secret the socket authenticated with (to end it on logout). */
  credential?: string;
  keys?: Set<string>;
  expiry?: NodeJS.Timeout;
}

// setTimeout's limit; a later expiry is simply not enforced by a timer (the session outlives the socket anyway)
const MAX_TIMER_MS = 2 ** 31 - 1;

export class EventsBridge {
  server: Server | undefined;
  publish = (e: HubEvent) => this.server?.to(e.key).emit('event', e);

  /** Ends the sockets opened with this credential (logout): they must not keep receiving pushes. */
  endCredential(credential: string): number {
    return this.disconnectWhere((d) => !!credential && d.credential === credential);
  }

  /** Ends a user's sockets (disabled, password reset, role change); live consoles reconnect with their new rights. */
  endUser(userId: string): number {
    return this.disconnectWhere((d) => d.principal?.userId === userId);
  }

  private disconnectWhere(match: (data: SocketData) => boolean): number {
    let ended = 0;
    for (const socket of this.server?.sockets.sockets.values() ?? []) {
      if (!match(socket.data as SocketData)) continue;
      socket.disconnect(true);
      ended++;
    }
    return ended;
  }
}

@WebSocketGateway({ path: '/socket.io', serveClient: false })
export class EventsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('events');
  private readonly origins = OriginPolicy.fromEnv();
  @WebSocketServer() server!: Server;

  constructor(
    private readonly hub: EventsHub,
    private readonly bridge: EventsBridge,
    private readonly auth: AuthService,
  ) {}

  afterInit(server: Server): void {
    this.bridge.server = server;
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const tokenCredential = typeof token === 'string' && token ? token : undefined;
      const credential = tokenCredential ?? sessionFromCookie(socket.handshake.headers);
      if (!tokenCredential && credential) {
        const why = this.origins.denial(socket.handshake.headers, 'cookie-authenticated socket');
        if (why) return next(Object.assign(new Error(why), { data: { statusCode: 403, error: 'Forbidden', message: why } }));
      }
      this.auth.authenticate(credential).then(
        (principal) => {
          const data = socket.data as SocketData;
          data.principal = principal;
          if (credential) data.credential = credential;
          data.keys = new Set();
          // an expiring credential (console sessions) ends the socket when it expires: no pushes past the session
          const left = principal.expiresAt ? Date.parse(principal.expiresAt) - Date.now() : Infinity;
          if (left < MAX_TIMER_MS) {
            data.expiry = setTimeout(() => socket.disconnect(true), Math.max(0, left));
            data.expiry.unref();
          }
          next();
        },
        (error: unknown) => next(Object.assign(new Error(toErrorBody(error).message), { data: toErrorBody(error) })),
      );
    });
  }

  handleConnection(): void {}

  handleDisconnect(socket: Socket): void {
    clearTimeout((socket.data as SocketData).expiry);
    for (const key of (socket.data as SocketData).keys ?? []) this.hub.release(key);
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    try {
      const sub = Subscription.parse(body);
      const data = socket.data as SocketData;
      const why = denial(data.principal!, { role: 'viewer', area: TOPIC_AREA[sub.topic] });
      if (why) return { ok: false, error: { statusCode: 403, message: why } };
      const key = await this.hub.acquire(sub);
      if (data.keys!.has(key)) this.hub.release(key);
      else data.keys!.add(key);
      await socket.join(key);
      // joined before reading: a change racing with the snapshot shows up as an event, never goes missing
      return { ok: true, key, snapshot: await this.hub.snapshot(sub) };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'ZodError') this.logger.warn(`subscribe failed: ${(error as Error).message}`);
      const body = error instanceof Error && error.name === 'ZodError' ? { statusCode: 400, message: error.message } : toErrorBody(error);
      return { ok: false, error: body };
    }
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: { key?: unknown }) {
    const keys = (socket.data as SocketData).keys!;
    const key = typeof body?.key === 'string' ? body.key : '';
    if (keys.delete(key)) {
      this.hub.release(key);
      await socket.leave(key);
    }
    return { ok: true };
  }
}
