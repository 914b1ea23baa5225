/**
 * End-to-end: the built API (`node apps/api/dist/main.js`) as a real process with its private redis-server and
 * SQLite in a temp dir, once per store: its embedded store member, and a real Apache ZooKeeper 3.8 started here
 * (PADDOCK_CONNECT; skipped when the Debian package is missing unless API_REQUIRE_ZOOKEEPER is set).
 * Build first (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@libsql/client';
import { NoAuthError, ZooKeeperClient } from '@paddock/client';
import { LogCenterSlave, SwitchClient } from '@paddock/platform';
import { statSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../support/processes.js';
import { E2eApi, PASSWORD, STORE_TARGETS, type ApiCall, type Json } from './fixtures/e2e-support.js';

describe.each(STORE_TARGETS)('paddock-api (%s store)', (target) => {
  let api: E2eApi;
  let admin: string;
  const sockets: Socket[] = [];
  const zkClients: ZooKeeperClient[] = [];

  /** Every call here names its caller: no token means anonymous (the fixture's own default is the admin). */
  const call = (method: string, route: string, token?: string, body?: unknown): Promise<ApiCall> => api.call(method, route, body, token ?? null);

  function connect(token: string | undefined): Socket {
    const s = io(api.ready.url, { path: '/socket.io', transports: ['websocket'], auth: token ? { token } : {}, reconnection: false, timeout: 5_000, forceNew: true });
    sockets.push(s);
    return s;
  }

  function connected(s: Socket): Promise<void> {
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', (e) => reject(e));
    });
  }

  function subscribe(s: Socket, body: unknown): Promise<Json> {
    return s.timeout(5_000).emitWithAck('subscribe', body);
  }

  beforeAll(async () => {
    // a fast zombie scan, so the 4lw probe (cons/dump) is exercised against both stores
    // log-center / data-sync masters: on by default with the embedded store, switched on by the fixture for ZooKeeper;
    // a short grace so a lost slave's topics move within the test; the suite bootstraps the first admin itself
    api = await E2eApi.start(target, { PADDOCK_ZOMBIE_SCAN_MS: '500', PADDOCK_LOG_CENTER_GRACE_MS: '1500' }, { bootstrap: false });
  }, 70_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const c of zkClients) await c.close().catch(() => undefined);
    await api?.stop();
  }, 30_000);

  describe('routes', () => {
    it('serves health, OpenAPI and refuses anonymous calls', async () => {
      const health = await call('GET', '/api/health');
      expect(health).toMatchObject({ status: 200, body: { status: 'ok', store: { ok: true, embedded: target === 'embedded' }, database: { ok: true }, redis: { ok: true } } });
      const doc = await call('GET', '/api/openapi.json');
      expect(doc.body.openapi).toBe('3.1.0');
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/znodes/children', '/api/switches/{env}/items', '/api/audit/verify']));
      expect(doc.body.paths['/api/znodes/data'].put.requestBody.content['application/json'].schema.properties).toHaveProperty('version');
      expect((await call('GET', '/api/switches/prod')).status).toBe(401);
      expect((await call('GET', '/api/switches/prod', 'pds_not-a-session')).status).toBe(401);
    });

    it('bootstraps the first admin once, then 409', async () => {
      expect((await call('GET', '/api/auth/status')).body).toEqual({ bootstrapped: false });
      expect((await call('POST', '/api/auth/bootstrap', undefined, { username: 'root', password: 'short' })).status).toBe(400);
      const first = await call('POST', '/api/auth/bootstrap', undefined, { username: 'root', password: PASSWORD });
      expect(first.status).toBe(201);
      expect(first.body.user).toMatchObject({ username: 'root', role: 'admin' });
      admin = first.body.session;
      const again = await call('POST', '/api/auth/bootstrap', undefined, { username: 'evil', password: PASSWORD });
      expect(again).toMatchObject({ status: 409 });
      expect((await call('POST', '/api/auth/login', undefined, { username: 'root', password: 'wrong password!' })).status).toBe(401);
      expect((await call('GET', '/api/auth/me', admin)).body).toMatchObject({ username: 'root', role: 'admin' });
    });

    it('checks roles and token scopes on every route (401/403)', async () => {
      for (const [username, role] of [['vera', 'viewer'], ['otto', 'operator']] as const) {
        expect((await call('POST', '/api/users', admin, { username, password: PASSWORD, role })).status).toBe(201);
      }
      const viewer = (await call('POST', '/api/auth/login', undefined, { username: 'vera', password: PASSWORD })).body.session as string;
      const operator = (await call('POST', '/api/auth/login', undefined, { username: 'otto', password: PASSWORD })).body.session as string;
      const flip = { scope: { service: 'com.acme.Auth' }, mode: 'force', fallback: { kind: 'null' } };

      expect((await call('GET', '/api/switches/prod', viewer)).status).toBe(200);
      expect(await call('PUT', '/api/switches/prod/items', viewer, flip)).toMatchObject({ status: 403, body: { message: expect.stringContaining('needs operator') } });
      expect((await call('PUT', '/api/switches/prod/items', operator, flip)).status).toBe(200);
      expect((await call('GET', '/api/users', operator)).status).toBe(403);
      expect((await call('POST', '/api/tokens', operator, { name: 'x', role: 'viewer' })).status).toBe(403);

      // a viewer API token limited to switches
      const issued = await call('POST', '/api/tokens', admin, { name: 'dashboards', role: 'viewer', scopes: ['switches'] });
      expect(issued.status).toBe(201);
      const token = issued.body.token as string;
      expect((await call('GET', '/api/switches/prod', token)).status).toBe(200);
      expect((await call('GET', '/api/znodes/children?path=/', token)).status).toBe(403);
      expect((await call('PUT', '/api/switches/prod/items', token, flip)).status).toBe(403);
      expect((await call('GET', '/api/tokens', admin)).body.tokens[0]).not.toHaveProperty('token');
      expect((await call('DELETE', `/api/tokens/${issued.body.info.id}`, admin)).status).toBe(200);
      expect((await call('GET', '/api/switches/prod', token)).status).toBe(401);

      // logout ends the session
      expect((await call('POST', '/api/auth/logout', viewer)).status).toBe(201);
      expect((await call('GET', '/api/switches/prod', viewer)).status).toBe(401);
    });

    it('browses znodes with paging, encodings and version checks (409 + ZooKeeper code)', async () => {
      expect((await call('POST', '/api/znodes', admin, { path: '/e2e', data: '{"a":1}' })).status).toBe(201);
      for (const c of ['c', 'a', 'e', 'b', 'd']) expect((await call('POST', '/api/znodes', admin, { path: `/e2e/${c}`, data: 'ff00', encoding: 'hex' })).status).toBe(201);
      const page = await call('GET', '/api/znodes/children?path=/e2e&offset=1&limit=2', admin);
      expect(page.body).toMatchObject({ total: 5, offset: 1, limit: 2, children: [{ name: 'b' }, { name: 'c' }] });
      expect(page.body.children[0].stat).toMatchObject({ dataLength: 2, version: 0 });
      expect((await call('GET', '/api/znodes/data?path=/e2e&format=json', admin)).body.data).toEqual({ a: 1 });
      expect((await call('GET', '/api/znodes/data?path=/e2e/a&format=hex', admin)).body.data).toBe('ff00');
      expect((await call('GET', '/api/znodes/data?path=/e2e&format=text', admin)).body.data).toBe('{"a":1}');

      const set = await call('PUT', '/api/znodes/data', admin, { path: '/e2e', data: '{"a":2}', encoding: 'json', version: 0, reason: 'OPS-7' });
      expect(set).toMatchObject({ status: 200, body: { stat: { version: 1 } } });
      const stale = await call('PUT', '/api/znodes/data', admin, { path: '/e2e', data: '{"a":3}', version: 0 });
      expect(stale).toMatchObject({ status: 409, body: { zkCode: -103, zkCodeName: 'BAD_VERSION', message: expect.stringContaining('BAD_VERSION') } });
      expect((await call('POST', '/api/znodes', admin, { path: '/e2e' })).body).toMatchObject({ statusCode: 409, zkCode: -110 });
      expect((await call('DELETE', '/api/znodes?path=/e2e&version=-1', admin)).body).toMatchObject({ statusCode: 409, zkCode: -111 });
      expect((await call('DELETE', '/api/znodes?path=/e2e/a&version=3', admin)).body).toMatchObject({ statusCode: 409, zkCode: -103 });
      expect((await call('DELETE', '/api/znodes?path=/e2e/a&version=0&reason=cleanup', admin)).status).toBe(200);
      expect((await call('GET', '/api/znodes/stat?path=/e2e/a', admin)).status).toBe(404);
      expect((await call('GET', '/api/znodes/data?path=/nope', admin)).body).toMatchObject({ statusCode: 404, zkCode: -101 });
      expect((await call('GET', '/api/znodes/data?path=nope', admin)).status).toBe(400);
    });

    it('audits znode writes with actor, source, reason and before/after; failed writes leave no row', async () => {
      const rows = async (type: string) => (await call('GET', `/api/audit?type=${type}&pathPrefix=/e2e`, admin)).body.events as Json[];
      const creates = await rows('znode.create');
      expect(creates).toHaveLength(6);
      expect(creates.find((e) => e.path === '/e2e')).toMatchObject({
        actor: 'root',
        source: 'api',
        before: null,
        after: { stat: { version: 0, dataLength: 7 }, data: { length: 7, preview: '{"a":1}' } },
        details: { mode: 'persistent' },
      });
      expect(creates.find((e) => e.path === '/e2e/a')).toMatchObject({ after: { data: { length: 2, previewHex: 'ff00' } } });

      const sets = await rows('znode.set');
      expect(sets).toHaveLength(1); // the stale write (409) is not audited
      expect(sets[0]).toMatchObject({
        actor: 'root',
        reason: 'OPS-7',
        path: '/e2e',
        before: { stat: { version: 0 }, data: { preview: '{"a":1}' } },
        after: { stat: { version: 1 }, data: { preview: '{"a":2}', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } },
      });
      const deletes = await rows('znode.delete');
      expect(deletes).toHaveLength(1);
      expect(deletes[0]).toMatchObject({ path: '/e2e/a', reason: 'cleanup', before: { stat: { version: 0 }, data: { length: 2 } }, after: null });

      // a set with version -1 records exactly the state it replaced; X-Change-Source / X-Change-Reason headers work too
      const res = await fetch(`${api.ready.url}/api/znodes/data`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'x-change-source': 'console', 'x-change-reason': 'INC-9' },
        body: JSON.stringify({ path: '/e2e/b', data: 'hello', version: -1 }),
      });
      expect(res.status).toBe(200);
      const any = (await rows('znode.set')).find((e) => e.path === '/e2e/b');
      expect(any).toMatchObject({ source: 'console', reason: 'INC-9', before: { stat: { version: 0 }, data: { previewHex: 'ff00' } }, after: { stat: { version: 1 }, data: { preview: 'hello' } }, details: { expectedVersion: -1 } });

      expect((await call('GET', '/api/audit/verify', admin)).body).toMatchObject({ ok: true });
    });

    it('records a config publish and a switch flip in the hash-chained audit stream; tampering is detected', async () => {
      const ref = '/api/configs/prod/billing/main';
      expect((await call('PUT', `${ref}/draft`, admin, { content: '{"limit":10}', format: 'json' })).status).toBe(200);
      const published = await call('POST', `${ref}/publish`, admin, { expectedRelease: 0, reason: 'CHG-1' });
      expect(published).toMatchObject({ status: 201, body: { release: 1, content: '{"limit":10}' } });
      expect((await call('POST', `${ref}/publish`, admin, { content: '{"limit":20}', expectedRelease: 0 })).status).toBe(409);
      expect((await call('POST', `${ref}/publish`, admin, { content: '{"limit":20}', expectedRelease: 1 })).status).toBe(201);
      expect((await call('GET', `${ref}/diff?from=1&to=2`, admin)).status).toBe(200);
      expect((await call('POST', `${ref}/rollback`, admin, { toRelease: 1 })).body).toMatchObject({ release: 3, rollbackOf: 1 });
      expect((await call('GET', `${ref}/history`, admin)).body.releases.map((r: { release: number }) => r.release)).toEqual([1, 2, 3]);

      const flip = await call('PUT', '/api/switches/prod/items', admin, { scope: { service: 'com.acme.Pay', method: 'charge' }, mode: 'fail', fallback: { kind: 'value', value: { ok: false } }, reason: 'INC-42' });
      expect(flip).toMatchObject({ status: 200, body: { mode: 'fail', version: 1 } });

      const publishes = (await call('GET', '/api/audit?type=config.publish&path=/paddock/config/prod/billing/main', admin)).body.events;
      expect(publishes).toHaveLength(2);
      expect(publishes[1]).toMatchObject({ actor: 'root', source: 'api', reason: 'CHG-1', before: null, after: { release: 1 } });
      const flips = (await call('GET', `/api/audit?type=switch.set&actor=root&from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`, admin)).body.events;
      expect(flips).toHaveLength(1);
      expect(flips[0]).toMatchObject({ reason: 'INC-42', after: { mode: 'fail' }, path: expect.stringContaining('/paddock/switches/prod/items/') });
      expect((await call('GET', `/api/audit?to=2000-01-01T00:00:00Z`, admin)).body.events).toHaveLength(0);

      const verified = await call('GET', '/api/audit/verify', admin);
      expect(verified.body).toMatchObject({ ok: true });
      expect(verified.body.checked).toBeGreaterThanOrEqual(5);

      // tamper with a row in the database file behind the API's back
      const db = createClient({ url: `file:${path.join(api.server.dir, 'api.db')}` });
      try {
        const seq = publishes[1].seq as number;
        await db.execute({ sql: `UPDATE audit_events SET reason = 'nothing to see' WHERE seq = ?`, args: [seq] });
        expect((await call('GET', '/api/audit/verify', admin)).body).toMatchObject({ ok: false, brokenAt: { seq, reason: 'hash-mismatch' } });
        await db.execute({ sql: `UPDATE audit_events SET reason = 'CHG-1' WHERE seq = ?`, args: [seq] });
        expect((await call('GET', '/api/audit/verify', admin)).body).toMatchObject({ ok: true });
      } finally {
        db.close();
      }
    });

    it('pushes a switch flip to a socket.io client within a second; checks subscriptions; resyncs on reconnect', async () => {
      const anonymous = connect(undefined);
      await expect(connected(anonymous)).rejects.toThrow(/credentials required/);

      const scoped = (await call('POST', '/api/tokens', admin, { name: 'cfg-only', role: 'viewer', scopes: ['config'] })).body.token as string;
      const limited = connect(scoped);
      await connected(limited);
      expect(await subscribe(limited, { topic: 'switches', env: 'live' })).toMatchObject({ ok: false, error: { statusCode: 403 } });
      expect(await subscribe(limited, { topic: 'nope' })).toMatchObject({ ok: false, error: { statusCode: 400 } });

      const console1 = connect(admin);
      await connected(console1);
      const ack = await subscribe(console1, { topic: 'switches', env: 'live' });
      expect(ack).toMatchObject({ ok: true, key: 'switches:live', snapshot: { revision: 0, switches: [] } });
      const received = new Promise<{ at: number; event: Json }>((resolve) => console1.on('event', (event) => resolve({ at: Date.now(), event })));
      const sent = Date.now();
      expect((await call('PUT', '/api/switches/live/items', admin, { scope: { service: 'com.acme.Search' }, mode: 'force', fallback: { kind: 'empty', of: 'array' } })).status).toBe(200);
      const { at, event } = await received;
      expect(at - sent).toBeLessThan(1_000);
      expect(event).toMatchObject({ key: 'switches:live', seq: 1, topic: 'switches', data: { revision: 1, switches: [{ scope: { service: 'com.acme.Search' }, mode: 'force' }] } });

      // while disconnected, another flip; a reconnecting client gets a fresh snapshot, not the missed stream
      console1.disconnect();
      expect((await call('PUT', '/api/switches/live/items', admin, { scope: { service: 'com.acme.Search' }, mode: 'off' })).status).toBe(200);
      const console2 = connect(admin);
      await connected(console2);
      const resync = await subscribe(console2, { topic: 'switches', env: 'live' });
      expect(resync.snapshot).toMatchObject({ revision: 2, switches: [{ mode: 'off', version: 2 }] });

      // znode changes under a subscribed path
      const znodeAck = await subscribe(console2, { topic: 'znode', path: '/e2e' });
      expect(znodeAck).toMatchObject({ ok: true, snapshot: { exists: true, children: ['b', 'c', 'd', 'e'] } });
      const changed = new Promise<Json>((resolve) => console2.on('event', (e) => e.topic === 'znode' && resolve(e)));
      await call('POST', '/api/znodes', admin, { path: '/e2e/b/deep', data: 'x' });
      expect(await changed).toMatchObject({ key: 'znode:/e2e', data: { type: 'NodeCreated', path: '/e2e/b/deep' } });
    });

    it('expires a switch by itself through a delayed BullMQ job', async () => {
      const expiresAt = Date.now() + 1_500;
      const set = await call('PUT', '/api/switches/prod/items', admin, { scope: { service: 'com.acme.Mail' }, mode: 'force', expiresAt });
      expect(set.body).toMatchObject({ mode: 'force', expiresAt });
      const id = set.body.id as string;
      const off = await waitFor(
        'the switch to be written off',
        async () => {
          const s = (await call('GET', `/api/switches/prod/items/${encodeURIComponent(id)}`, admin)).body;
          return s.mode === 'off' ? s : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      expect(off).toMatchObject({ updatedBy: 'system:switch-expiry', version: 2 });
      expect((await call('GET', '/api/audit?type=switch.expire', admin)).body.events[0]).toMatchObject({ actor: 'system:switch-expiry', source: 'scheduler' });
      expect((await call('GET', '/api/audit/verify', admin)).body.ok).toBe(true);
    }, 20_000);

    it('owns the platform znodes with a digest ACL: anyone reads, only the API writes; SDK receipts and Dubbo registrations still work', async () => {
      const key = statSync(path.join(api.server.dir, 'zk-digest'));
      expect(key.mode & 0o777).toBe(0o600);

      const flip = await call('PUT', '/api/switches/acl/items', admin, { scope: { service: 'com.acme.Acl' }, mode: 'force', fallback: { kind: 'null' } });
      expect(flip.status).toBe(200);
      const node = `/paddock/switches/acl/items/${flip.body.id as string}`;
      const acl = (await call('GET', `/api/znodes/acl?path=${encodeURIComponent(node)}`, admin)).body.acl as Json[];
      expect(acl).toEqual(
        expect.arrayContaining([
          { perms: 1, id: { scheme: 'world', id: 'anyone' } },
          { perms: 31, id: { scheme: 'digest', id: expect.stringMatching(/^paddock-api:/) } },
        ]),
      );
      expect(acl).toHaveLength(2);

      const outsider = await ZooKeeperClient.connect(api.ready.store, { sessionTimeout: 10_000 });
      zkClients.push(outsider);
      const { data, stat } = await outsider.getData(node);
      expect(JSON.parse(data!.toString('utf8'))).toMatchObject({ mode: 'force' });
      await expect(outsider.setData(node, '{"mode":"off"}', stat.version)).rejects.toBeInstanceOf(NoAuthError);
      await expect(outsider.delete(node, stat.version)).rejects.toBeInstanceOf(NoAuthError);
      await expect(outsider.create('/paddock/switches/acl/items/forged', '{}')).rejects.toBeInstanceOf(NoAuthError);
      await expect(outsider.create('/paddock/switches/forged')).rejects.toBeInstanceOf(NoAuthError);
      await expect(outsider.setACL(node, [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }])).rejects.toBeInstanceOf(NoAuthError);
      await expect(outsider.create('/paddock/config/forged')).rejects.toBeInstanceOf(NoAuthError);

      // an unauthenticated SDK client still applies switches and leaves its receipt
      const sdk = new SwitchClient(outsider, { env: 'acl', application: 'checkout', clientId: 'checkout-1' });
      await sdk.start();
      expect(sdk.evaluate('com.acme.Acl', 'any')).toMatchObject({ mode: 'force' });
      await waitFor('the receipt', async () => ((await call('GET', '/api/switches/acl/receipts', admin)).body.receipts?.length ? true : undefined), { timeoutMs: 5_000 });
      await sdk.close();

      // Dubbo apps register themselves; only the operators' overrides are protected
      await outsider.create('/dubbo');
      await outsider.create('/dubbo/com.acme.Acl');
      await outsider.create('/dubbo/com.acme.Acl/providers');
      await outsider.create(`/dubbo/com.acme.Acl/providers/${encodeURIComponent('dubbo://10.0.0.1:20880/com.acme.Acl?side=provider')}`, '', { mode: 'ephemeral' });
      const disabled = await call('PUT', '/api/registry/services/com.acme.Acl/overrides/disabled', admin, { address: '10.0.0.1:20880', disabled: true });
      expect(disabled.status).toBeLessThan(300);
      // the zombie scan (cons/dump four-letter words) sees the provider's session as live
      const scanned = await waitFor(
        'a zombie scan that saw the provider',
        async () => {
          const z = (await call('GET', '/api/registry/zombies', admin)).body;
          return z.reports?.some((r: Json) => r.service === 'com.acme.Acl') ? z : undefined;
        },
        { timeoutMs: 8_000, intervalMs: 200 },
      );
      expect(scanned.reports.find((r: Json) => r.service === 'com.acme.Acl')).toMatchObject({ address: '10.0.0.1:20880', status: 'live', ephemeralOwner: `0x${BigInt.asUintN(64, outsider.sessionId).toString(16)}` });
      const overrides = await outsider.getChildren('/dubbo/com.acme.Acl/configurators');
      expect(overrides.length).toBeGreaterThan(0);
      await expect(outsider.delete(`/dubbo/com.acme.Acl/configurators/${overrides[0]!}`)).rejects.toBeInstanceOf(NoAuthError);

      // the API itself keeps working
      expect((await call('PUT', '/api/switches/acl/items', admin, { scope: { service: 'com.acme.Acl' }, mode: 'off' })).body).toMatchObject({ mode: 'off', version: 2 });
    });

    it('log-center: groups and topics over REST, slaves get them, a lost slave\'s topics move after the grace period; audited', async () => {
      const lc = '/api/log-center';
      const doc = (await call('GET', '/api/openapi.json')).body;
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([`${lc}/status`, `${lc}/topics/{topic}`, `${lc}/pins/{topic}`, '/api/data-sync/tasks', '/api/data-sync/tasks/{id}/cancel']));
      // mutations need a reason (body, query or X-Change-Reason)
      expect((await call('PUT', `${lc}/groups/ingest-a`, admin, {})).status).toBe(400);
      for (const g of ['ingest-a', 'ingest-b']) expect((await call('PUT', `${lc}/groups/${g}`, admin, { description: `group ${g}`, reason: 'LC-1' })).status).toBe(200);
      for (const [t, partitions] of [['clicks', 1], ['orders', 3], ['payments', 2]] as const) {
        expect((await call('PUT', `${lc}/topics/${t}`, admin, { partitions, reason: 'LC-1' })).body).toMatchObject({ name: t, partitions, updatedBy: 'root' });
      }
      expect((await call('PUT', `${lc}/topics/orders`, admin, { partitions: 3, expectedVersion: -1, reason: 'LC-1' })).status).toBe(409);
      expect((await call('PUT', `${lc}/pins/clicks`, admin, { group: 'ingest-a', reason: 'LC-2' })).body).toMatchObject({ topic: 'clicks', group: 'ingest-a', pinnedBy: 'root' });
      expect((await call('GET', `${lc}/topics`, admin)).body.topics.map((t: Json) => t.name)).toEqual(['clicks', 'orders', 'payments']);
      expect((await call('GET', `${lc}/groups`, admin)).body.groups).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'ingest-a', slaves: 0, record: expect.objectContaining({ description: 'group ingest-a' }) })]));
      const master = (await call('GET', `${lc}/master`, admin)).body;
      expect(master.participants.length).toBeGreaterThanOrEqual(1);

      const ws = connect(admin);
      await connected(ws);
      const ack = await subscribe(ws, { topic: 'log-center' });
      expect(ack).toMatchObject({ ok: true, key: 'log-center', snapshot: { topics: expect.any(Array), slaves: [] } });
      expect(ack.snapshot.topics).toHaveLength(3);
      const pushed: Json[] = [];
      ws.on('event', (e) => e.topic === 'log-center' && pushed.push(e));

      const status = async () => (await call('GET', `${lc}/status`, admin)).body;
      const desiredOf = (st: Json, topic: string) => st.topics.find((t: Json) => t.topic === topic)?.desired;
      // b1 first (it gets every unpinned topic), then a1 (the topic pinned to its group)
      const clientB = await ZooKeeperClient.connect(api.ready.store, { sessionTimeout: 10_000 });
      const clientA = await ZooKeeperClient.connect(api.ready.store, { sessionTimeout: 10_000 });
      zkClients.push(clientA, clientB);
      const b1 = new LogCenterSlave(clientB, { group: 'ingest-b', id: 'b1', capacity: 10 });
      const a1 = new LogCenterSlave(clientA, { group: 'ingest-a', id: 'a1', capacity: 10 });
      await b1.start();
      await waitFor('orders and payments on b1', async () => (b1.topics.join() === 'orders,payments' ? true : undefined), { timeoutMs: 10_000 });
      await a1.start();
      const assigned = await waitFor(
        'every topic assigned and running',
        async () => {
          const st = await status();
          return st.inSync && st.topics.length === 3 ? st : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(desiredOf(assigned, 'clicks')).toMatchObject({ group: 'ingest-a', slave: 'a1' });
      expect(desiredOf(assigned, 'orders')).toMatchObject({ group: 'ingest-b', slave: 'b1' });
      expect(assigned.topics.find((t: Json) => t.topic === 'orders').actual).toEqual([{ group: 'ingest-b', id: 'b1' }]);
      expect(assigned.epoch).toBeGreaterThanOrEqual(1);
      expect(a1.topics).toEqual(['clicks']);
      expect((await call('GET', `${lc}/slaves`, admin)).body.slaves.map((x: Json) => `${x.group}/${x.id}`)).toEqual(['ingest-a/a1', 'ingest-b/b1']);
      await waitFor('a pushed assignment', () => (pushed.some((e) => e.data.topics?.some((t: Json) => t.desired?.slave === 'b1')) ? true : undefined), { timeoutMs: 5_000 });

      // b1's session ends: its topics stay with it during the grace period, then move to a1
      const lost = Date.now();
      await clientB.close();
      const moved = await waitFor(
        "b1's topics on a1",
        async () => {
          const st = await status();
          return st.inSync && ['orders', 'payments'].every((t) => desiredOf(st, t)?.slave === 'a1') ? st : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      expect(Date.now() - lost).toBeGreaterThanOrEqual(1_400);
      expect(desiredOf(moved, 'orders')).toMatchObject({ group: 'ingest-a', slave: 'a1' });
      expect(a1.topics).toEqual(['clicks', 'orders', 'payments']);

      // unpin / delete with the reason in the query
      expect((await call('DELETE', `${lc}/pins/clicks`, admin)).status).toBe(400);
      expect((await call('DELETE', `${lc}/pins/clicks?reason=LC-3`, admin)).body).toEqual({ deleted: true });
      expect((await call('DELETE', `${lc}/topics/payments?reason=LC-3`, admin)).body).toEqual({ deleted: true });
      expect((await call('DELETE', `${lc}/topics/payments?reason=LC-3`, admin)).status).toBe(404);
      await waitFor('payments revoked', () => (a1.topics.join() === 'clicks,orders' ? true : undefined), { timeoutMs: 10_000 });

      const audit = async (type: string) => (await call('GET', `/api/audit?type=${type}&pathPrefix=/log-center`, admin)).body.events as Json[];
      expect(await audit('logcenter.group.set')).toHaveLength(2);
      const topicSets = await audit('logcenter.topic.set');
      expect(topicSets).toHaveLength(3);
      expect(topicSets.every((e) => e.actor === 'root' && e.reason === 'LC-1' && e.source === 'api')).toBe(true);
      expect(await audit('logcenter.pin.set')).toEqual([expect.objectContaining({ actor: 'root', reason: 'LC-2', path: '/log-center/pins/clicks' })]);
      expect(await audit('logcenter.pin.remove')).toEqual([expect.objectContaining({ actor: 'root', reason: 'LC-3', after: null })]);
      expect(await audit('logcenter.topic.delete')).toEqual([expect.objectContaining({ actor: 'root', reason: 'LC-3', path: '/log-center/topics/payments' })]);
      const changes = await audit('logcenter.assignment.change');
      expect(changes.every((e) => e.actor === 'system:log-center-master' && e.source === 'master')).toBe(true);
      const failover = changes.find((e) => (e.details?.moves ?? []).some((m: Json) => m.topic === 'orders' && m.from?.slave === 'b1' && m.to?.slave === 'a1'));
      expect(failover).toMatchObject({ path: '/log-center/assignment', reason: expect.stringMatching(/slave-dead|group-gone/) });
      expect(failover.details.moves).toEqual(expect.arrayContaining([expect.objectContaining({ topic: 'payments', from: expect.objectContaining({ group: 'ingest-b', slave: 'b1' }), to: expect.objectContaining({ group: 'ingest-a', slave: 'a1' }) })]));
      expect((await call('GET', '/api/audit/verify', admin)).body.ok).toBe(true);
      await a1.close();
      await b1.close();

      // data-sync over REST: no worker, so a published task waits; cancel / retry / delete are audited
      const ds = '/api/data-sync';
      expect((await call('POST', `${ds}/tasks`, admin, { id: 'copy-1', source: 'mysql://a', target: 'es://b' })).status).toBe(400);
      expect((await call('POST', `${ds}/tasks`, admin, { id: 'copy-1', source: 'mysql://a', target: 'es://b', reason: 'DS-1' })).body).toMatchObject({ id: 'copy-1', kind: 'collector', createdBy: 'root' });
      expect((await call('POST', `${ds}/tasks`, admin, { id: 'copy-1', reason: 'DS-1' })).status).toBe(409);
      expect((await call('GET', `${ds}/tasks`, admin)).body.tasks).toEqual([expect.objectContaining({ id: 'copy-1', state: expect.objectContaining({ status: 'pending' }), history: [] })]);
      expect((await call('DELETE', `${ds}/tasks/copy-1?reason=DS-2`, admin)).status).toBe(409);
      expect((await call('POST', `${ds}/tasks/copy-1/cancel`, admin, { reason: 'DS-2' })).body).toMatchObject({ status: 'cancelled' });
      expect((await call('POST', `${ds}/tasks/copy-1/retry`, admin, { reason: 'DS-3' })).body).toMatchObject({ status: 'pending' });
      expect((await call('POST', `${ds}/tasks/copy-1/cancel`, admin, { reason: 'DS-4' })).status).toBe(201);
      expect((await call('DELETE', `${ds}/tasks/copy-1?reason=DS-5`, admin)).body).toEqual({ deleted: true });
      expect((await call('GET', `${ds}/tasks/copy-1`, admin)).status).toBe(404);
      expect((await call('GET', `${ds}/workers`, admin)).body).toEqual({ workers: [] });
      expect((await call('GET', `${ds}/master`, admin)).body.participants.length).toBeGreaterThanOrEqual(1);
      const dsAudit = (await call('GET', '/api/audit?pathPrefix=/data-sync-system&actor=root', admin)).body.events as Json[];
      expect(dsAudit.map((e) => `${e.type}:${e.reason}`).reverse()).toEqual(['datasync.task.publish:DS-1', 'datasync.task.cancel:DS-2', 'datasync.task.retry:DS-3', 'datasync.task.cancel:DS-4', 'datasync.task.delete:DS-5']);
    }, 60_000);
  });
});
