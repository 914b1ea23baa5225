/**
 * The login brute-force brake across API instances: two built API processes (`apps/api/dist/main.js`) share one
 * redis-server (REDIS_URL), one SQLite file (DATABASE_URL) and one store (a Paddock server, PADDOCK_CONNECT). Failed
 * logins spread over both instances and over several client addresses (127.0.0.x source addresses) add up to one
 * per-account count and lock the account on both; the per-address lock is shared too; an admin clears the lock with
 * DELETE /api/auth/throttle/{username} (audited); with Redis hung, logins answer 503 within the bound while sessions
 * keep working. Build first (`npm run build`).
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApi, type ApiServer } from '../support/api-server.js';
import { startPaddock, type ServerHandle } from '../support/paddock.js';
import { getFreePort, LOOPBACK } from '../support/ports.js';
import { spawnManaged, waitForPort, type ManagedProcess } from '../support/processes.js';

const PASSWORD = 'correct horse battery staple';
const ACCOUNT_MAX_FAILURES = 6;
const ACCOUNT_LOCK_S = 120;
const THROTTLE_TIMEOUT_MS = 1_000;

// response bodies are checked field by field
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Json;
}

/** One HTTP call from a chosen loopback source address (so the API sees distinct client addresses). */
function request(api: ApiServer, method: string, route: string, { body, token, from = LOOPBACK }: { body?: unknown; token?: string; from?: string } = {}): Promise<Answer> {
  const url = new URL(api.ready.url + route);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress: from,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${route} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

describe('login throttle shared by two API instances (one Redis, one database)', () => {
  let redis: ManagedProcess | undefined;
  let store: ServerHandle | undefined;
  let dbDir = '';
  const apis: ApiServer[] = [];
  let admin = '';

  const login = (api: ApiServer, username: string, password: string, from?: string) => request(api, 'POST', '/api/auth/login', { body: { username, password }, ...(from ? { from } : {}) });

  beforeAll(async () => {
    const redisPort = await getFreePort();
    redis = spawnManaged({ name: `redis-${redisPort}`, command: 'redis-server', args: ['--port', String(redisPort), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'] });
    await waitForPort(LOOPBACK, redisPort, { timeoutMs: 15_000, process: redis });
    store = await startPaddock();
    dbDir = mkdtempSync(path.join(os.tmpdir(), 'paddock-throttle-db-'));
    const env = {
      REDIS_URL: `redis://${LOOPBACK}:${redisPort}`,
      DATABASE_URL: `file:${path.join(dbDir, 'api.db')}`,
      PADDOCK_CONNECT: store.connectString,
      PADDOCK_ZK_DIGEST: `paddock-api:${process.pid}-login-throttle`,
      PADDOCK_LOGIN_MAX_FAILURES: '3',
      PADDOCK_LOGIN_LOCK_MS: String(ACCOUNT_LOCK_S * 1000),
      PADDOCK_LOGIN_ACCOUNT_MAX_FAILURES: String(ACCOUNT_MAX_FAILURES),
      PADDOCK_LOGIN_ACCOUNT_LOCK_MS: String(ACCOUNT_LOCK_S * 1000),
      PADDOCK_LOGIN_THROTTLE_TIMEOUT_MS: String(THROTTLE_TIMEOUT_MS),
    };
    // one after the other: the first applies the migrations to the empty database
    apis.push(await startApi({ env, timeoutMs: 90_000 }));
    apis.push(await startApi({ env, timeoutMs: 90_000 }));
    const boot = await request(apis[0]!, 'POST', '/api/auth/bootstrap', { body: { username: 'root', password: PASSWORD } });
    expect(boot.status).toBe(201);
    admin = boot.body.session as string;
    for (const [username, role] of [['olga', 'operator'], ['vic', 'viewer']] as const) {
      expect((await request(apis[1]!, 'POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role } })).status).toBe(201);
    }
  }, 240_000);

  afterAll(async () => {
    if (redis?.running) process.kill(redis.pid, 'SIGCONT');
    await Promise.all(apis.map((a) => a.stop()));
    await store?.stop();
    await redis?.stop({ signal: 'SIGTERM', timeoutMs: 10_000 });
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  }, 60_000);

  it('failures spread over both instances and several addresses add up to one account lock, even for the right password', async () => {
    const [a, b] = apis as [ApiServer, ApiServer];
    // 3 failures per instance (6 in all), each from its own address: no pair and no single instance reaches a limit
    for (let i = 0; i < ACCOUNT_MAX_FAILURES; i++) {
      const failed = await login(i % 2 === 0 ? a : b, 'olga', `wrong password ${i}`, `127.0.0.${10 + i}`);
      expect(failed).toMatchObject({ status: 401, body: { statusCode: 401, message: 'bad user name or password' } });
    }
    const accountLocked = new RegExp(`^too many failed logins for olga from all addresses: the account is locked for (\\d+) s, even for the right password \\(an admin can clear it: DELETE /api/auth/throttle/olga\\)$`);
    for (const [api, from] of [[a, '127.0.0.30'], [b, '127.0.0.31'], [a, LOOPBACK]] as const) {
      const locked = await login(api, 'olga', PASSWORD, from);
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(accountLocked) });
      const seconds = Number(accountLocked.exec(locked.body.message as string)![1]);
      expect(seconds).toBeGreaterThan(ACCOUNT_LOCK_S - 60);
      expect(seconds).toBeLessThanOrEqual(ACCOUNT_LOCK_S);
      expect(locked.headers['retry-after']).toBe(String(seconds));
    }
    // other accounts log in from the same addresses, on either instance
    expect((await login(a, 'root', PASSWORD, '127.0.0.30')).status).toBe(201);
    expect((await login(b, 'vic', PASSWORD, '127.0.0.31')).status).toBe(201);
  }, 60_000);

  it('the per-address lock is shared too: 3 failures of one address over both instances lock it on both', async () => {
    const [a, b] = apis as [ApiServer, ApiServer];
    for (const api of [a, b, a]) expect((await login(api, 'nobody', 'guess', '127.0.0.40')).status).toBe(401);
    for (const api of [b, a]) {
      const locked = await login(api, 'nobody', 'guess', '127.0.0.40');
      expect(locked).toMatchObject({ status: 429, body: { message: expect.stringMatching(/^too many failed logins for nobody from this address: retry in \d+ s$/) } });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    }
    // another address still gets its own budget for that name
    expect((await login(b, 'nobody', 'guess', '127.0.0.41')).status).toBe(401);
  }, 60_000);

  it('an admin clears the account lock on either instance (audited); others may not', async () => {
    const [a, b] = apis as [ApiServer, ApiServer];
    expect(await request(b, 'DELETE', '/api/auth/throttle/olga')).toMatchObject({ status: 401, body: { message: expect.stringMatching(/^credentials required/) } });
    const viewer = (await login(a, 'vic', PASSWORD)).body.session as string;
    expect(await request(b, 'DELETE', '/api/auth/throttle/olga', { token: viewer })).toMatchObject({ status: 403, body: { statusCode: 403, message: 'role viewer may not do this (needs admin)' } });
    expect(await request(b, 'DELETE', `/api/auth/throttle/${'x'.repeat(65)}`, { token: admin })).toMatchObject({ status: 400, body: { statusCode: 400, message: expect.stringMatching(/64/) } });
    // still locked on both
    expect((await login(a, 'olga', PASSWORD, '127.0.0.30')).status).toBe(429);

    const cleared = await request(b, 'DELETE', '/api/auth/throttle/OLGA', { token: admin });
    expect(cleared).toMatchObject({ status: 200, body: { username: 'olga', account: true, addresses: ACCOUNT_MAX_FAILURES } });
    expect((await login(a, 'olga', PASSWORD, '127.0.0.30')).status).toBe(201);
    expect((await login(b, 'olga', PASSWORD, '127.0.0.10')).status).toBe(201);

    const audit = await request(a, 'GET', '/api/audit?type=auth.throttle.clear', { token: admin });
    expect(audit.status).toBe(200);
    expect(audit.body.events).toEqual([expect.objectContaining({ type: 'auth.throttle.clear', actor: 'root', path: '/auth/throttle/olga', before: { account: true, addresses: ACCOUNT_MAX_FAILURES }, after: null })]);
  }, 60_000);

  it('with Redis hung, a login answers 503 within the bound (fails closed) while sessions keep working; back when Redis is', async () => {
    const [a, b] = apis as [ApiServer, ApiServer];
    const session = (await login(b, 'root', PASSWORD)).body.session as string;
    process.kill(redis!.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const refused = await login(a, 'root', PASSWORD);
      expect(refused).toMatchObject({ status: 503, body: { statusCode: 503, message: expect.stringMatching(/^login is unavailable: the login brute-force brake cannot reach Redis \(.+\); sessions and API tokens still work$/) } });
      // the bound plus generous slack for a loaded machine; without one it would wait as long as Redis does
      expect(Date.now() - started).toBeLessThan(THROTTLE_TIMEOUT_MS + 10_000);
      expect(await request(a, 'GET', '/api/auth/me', { token: session })).toMatchObject({ status: 200, body: { username: 'root' } });
    } finally {
      process.kill(redis!.pid, 'SIGCONT');
    }
    expect((await login(a, 'root', PASSWORD)).status).toBe(201);
  }, 60_000);
});
