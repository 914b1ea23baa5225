/**
 * Auth hardening of the built API (`node apps/api/dist/main.js`) as a real process: login CSRF (Origin check on
 * login / bootstrap), the Origin check on cookie-authenticated socket.io handshakes, the login brute-force brake
 * (429 + Retry-After), the OpenAPI security schemes, and deleting a log-center slave group (409 while in use, then
 * 200 and audited). Build first (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ZooKeeperClient } from '@paddock/client';
import { LogCenterSlave } from '@paddock/platform';
import { io, type Socket } from 'socket.io-client';
import { startApi, type ApiReady, type ApiServer } from '../support/api-server.js';
import { waitFor } from '../support/processes.js';

const PASSWORD = 'correct horse battery staple';
const ALLOWED_ORIGIN = 'https://console.example.test';
const FOREIGN_ORIGIN = 'https://evil.example.test';
// response bodies are checked with toMatchObject
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('paddock-api auth hardening', () => {
  let api: ApiServer;
  let ready: ApiReady;
  let ownOrigin: string;
  let admin: string;
  const sockets: Socket[] = [];
  const zkClients: ZooKeeperClient[] = [];

  async function call(method: string, route: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Json; headers: Headers }> {
    const res = await fetch(ready.url + route, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }

  const login = (username: string, password: string, headers: Record<string, string> = {}) => call('POST', '/api/auth/login', { body: { username, password }, headers });

  function sessionCookieOf(headers: Headers): string {
    const m = /paddock_session=([^;]+)/.exec(headers.get('set-cookie') ?? '');
    if (!m) throw new Error(`no session cookie in ${headers.get('set-cookie')}`);
    return `paddock_session=${m[1]}`;
  }

  /** Resolves 'connected' or the connect_error message. */
  function handshake(options: { token?: string; headers?: Record<string, string> }): Promise<string> {
    const s = io(ready.url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: options.token ? { token: options.token } : {},
      extraHeaders: options.headers ?? {},
      reconnection: false,
      timeout: 10_000,
      forceNew: true,
    });
    sockets.push(s);
    return new Promise((resolve) => {
      s.once('connect', () => resolve('connected'));
      s.once('connect_error', (e) => resolve(`refused: ${e.message}`));
    });
  }

  beforeAll(async () => {
    api = await startApi({ env: { PADDOCK_ALLOWED_ORIGINS: ALLOWED_ORIGIN, PADDOCK_LOG_CENTER_GRACE_MS: '1500' } });
    ({ ready } = api);
    ownOrigin = new URL(ready.url).origin;
  }, 70_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const c of zkClients) await c.close().catch(() => undefined);
    await api?.stop();
  }, 30_000);

  it('refuses a cross-site bootstrap, then bootstraps from a script (no Origin)', async () => {
    const foreign = await call('POST', '/api/auth/bootstrap', { body: { username: 'root', password: PASSWORD }, headers: { origin: FOREIGN_ORIGIN } });
    expect(foreign).toMatchObject({ status: 403, body: { message: `bootstrap refused from origin ${FOREIGN_ORIGIN}: not this API's origin nor in PADDOCK_ALLOWED_ORIGINS` } });
    expect((await call('GET', '/api/auth/status')).body).toEqual({ bootstrapped: false });
    const first = await call('POST', '/api/auth/bootstrap', { body: { username: 'root', password: PASSWORD } });
    expect(first.status).toBe(201);
    admin = first.body.session;
    expect((await call('POST', '/api/users', { token: admin, body: { username: 'olga', password: PASSWORD, role: 'operator' } })).status).toBe(201);
  });

  it('login: 403 from a foreign Origin or a cross-site fetch; OK without Origin, from its own origin, via the proxy and from the allow-list', async () => {
    const foreign = await login('root', PASSWORD, { origin: FOREIGN_ORIGIN, 'x-paddock-csrf': '1' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toBe(`login refused from origin ${FOREIGN_ORIGIN}: not this API's origin nor in PADDOCK_ALLOWED_ORIGINS`);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    expect((await login('root', PASSWORD, { 'sec-fetch-site': 'cross-site' })).body.message).toMatch(/^login refused: a cross-site request/);
    // a sibling port on the same host is another origin
    const port = Number(new URL(ready.url).port);
    expect((await login('root', PASSWORD, { origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);

    expect((await login('root', PASSWORD)).status).toBe(201);
    const same = await login('root', PASSWORD, { origin: ownOrigin, 'sec-fetch-site': 'same-origin', 'x-paddock-csrf': '1' });
    expect(same.status).toBe(201);
    expect(same.body.session).toBeUndefined();
    expect(sessionCookieOf(same.headers)).toMatch(/^paddock_session=pds_/);
    // the console's same-origin proxy forwards the browser's Host as X-Forwarded-Host
    expect((await login('root', PASSWORD, { origin: 'http://console.internal:3000', 'x-forwarded-host': 'console.internal:3000' })).status).toBe(201);
    expect((await login('root', PASSWORD, { origin: ALLOWED_ORIGIN, 'sec-fetch-site': 'cross-site' })).status).toBe(201);
  });

  it('socket.io: a cookie handshake from a foreign Origin is refused; own origin and bearer tokens connect', async () => {
    const cookie = sessionCookieOf((await login('olga', PASSWORD, { origin: ownOrigin, 'x-paddock-csrf': '1' })).headers);
    expect(await handshake({ headers: { cookie, origin: FOREIGN_ORIGIN } })).toBe(
      `refused: cookie-authenticated socket refused from origin ${FOREIGN_ORIGIN}: not this API's origin nor in PADDOCK_ALLOWED_ORIGINS`,
    );
    expect(await handshake({ headers: { cookie, origin: ownOrigin } })).toBe('connected');
    expect(await handshake({ headers: { cookie, origin: ALLOWED_ORIGIN } })).toBe('connected');
    expect(await handshake({ headers: { cookie } })).toBe('connected');
    // a bearer token is not sent by browsers on their own: no Origin check
    expect(await handshake({ token: admin, headers: { origin: FOREIGN_ORIGIN } })).toBe('connected');
    // and without any credential, still refused
    expect(await handshake({ headers: { origin: ownOrigin } })).toMatch(/^refused: credentials required/);
  });

  it('login brute force: 429 with Retry-After after 5 failures for a username + IP, even with the right password; others unaffected', async () => {
    for (let i = 1; i <= 5; i++) expect((await login('olga', `wrong password ${i}`)).status).toBe(401);
    const locked = await login('olga', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/^too many failed logins for olga from this address: retry in \d+ s$/) });
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect((await login('olga', 'wrong password 6')).status).toBe(429);
    // unknown users are throttled the same way (no hint which names exist)
    for (let i = 1; i <= 5; i++) expect((await login('nobody', `guess ${i}`)).status).toBe(401);
    expect((await login('nobody', 'guess 6')).status).toBe(429);
    expect((await login('root', PASSWORD)).status).toBe(201);
  });

  it('OpenAPI describes bearer and cookie auth (with the CSRF header) and the group delete route', async () => {
    const doc = (await call('GET', '/api/openapi.json')).body;
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'paddock_session', description: expect.stringContaining('X-Paddock-Csrf') }),
    });
    expect(doc.security).toEqual([{ bearer: [] }, { sessionCookie: [] }]);
    expect(doc.info.description).toContain('X-Paddock-Csrf');
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/log-center/groups/{group}'].delete).toMatchObject({ 'x-paddock-access': { role: 'operator', area: 'log-center' }, parameters: expect.arrayContaining([expect.objectContaining({ name: 'reason', in: 'query' })]) });
  });

  it('log-center: deleting a group is refused (409) while pinned or while slaves are live, then works and is audited', async () => {
    const lc = '/api/log-center';
    const operator = (await login('root', PASSWORD)).body.session as string;
    expect((await call('PUT', `${lc}/groups/doomed`, { token: operator, body: { description: 'to go', reason: 'LC-10' } })).status).toBe(200);
    expect((await call('PUT', `${lc}/topics/clicks`, { token: operator, body: { partitions: 1, reason: 'LC-10' } })).status).toBe(200);
    expect((await call('PUT', `${lc}/pins/clicks`, { token: operator, body: { group: 'doomed', reason: 'LC-10' } })).status).toBe(200);

    expect((await call('DELETE', `${lc}/groups/doomed`, { token: operator })).status).toBe(400);
    const pinned = await call('DELETE', `${lc}/groups/doomed?reason=LC-11`, { token: operator });
    expect(pinned).toMatchObject({ status: 409, body: { error: 'Conflict', message: 'group doomed has pinned topics: clicks (unpin or re-pin them first)' } });
    expect((await call('DELETE', `${lc}/pins/clicks?reason=LC-11`, { token: operator })).status).toBe(200);

    const client = await ZooKeeperClient.connect(ready.store, { sessionTimeout: 10_000 });
    zkClients.push(client);
    const slave = new LogCenterSlave(client, { group: 'doomed', id: 'd1', capacity: 5 });
    await slave.start();
    const live = await call('DELETE', `${lc}/groups/doomed`, { token: operator, headers: { 'x-change-reason': 'LC-11' } });
    expect(live).toMatchObject({ status: 409, body: { message: 'group doomed still has 1 live slave(s): d1 (stop them first)' } });
    expect((await call('GET', `${lc}/groups`, { token: operator })).body.groups).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'doomed', slaves: 1 })]));

    await slave.close();
    const deleted = await waitFor(
      'the group deleted once its slave is gone',
      async () => {
        const r = await call('DELETE', `${lc}/groups/doomed?reason=LC-12`, { token: operator });
        if (r.status === 409 && /live slave/.test(r.body.message)) return undefined;
        return r;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true } });
    expect((await call('GET', `${lc}/groups`, { token: operator })).body.groups.map((g: Json) => g.name)).not.toContain('doomed');
    expect((await call('DELETE', `${lc}/groups/doomed?reason=LC-12`, { token: operator })).status).toBe(404);

    const events = (await call('GET', '/api/audit?type=logcenter.group.delete&pathPrefix=/log-center', { token: operator })).body.events as Json[];
    expect(events).toEqual([
      expect.objectContaining({ actor: 'root', reason: 'LC-12', source: 'api', path: '/log-center/groups/doomed', before: expect.objectContaining({ name: 'doomed', description: 'to go' }), after: null }),
    ]);
    expect((await call('GET', '/api/audit/verify', { token: operator })).body.ok).toBe(true);
  }, 60_000);
});
