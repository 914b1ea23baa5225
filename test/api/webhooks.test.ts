/**
 * Webhooks end to end: the built API (`node apps/api/dist/main.js`) as a real process with its private redis-server
 * and SQLite, real local HTTP receivers (node:http) that check every delivery's HMAC signature themselves, and
 * small retry settings through the environment. Receivers listen on loopback, which the API refuses by default
 * (SSRF protection): these APIs allow it through PADDOCK_WEBHOOK_ALLOW_HOSTS, except the one that checks the
 * default. Also: the outbox catch-up after restarts, delivery-time blocking, retention, and three API processes on
 * one SQLite file racing for the same retries. Build first (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@libsql/client';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startApi, type ApiServer } from '../support/api-server.js';
import { getFreePort } from '../support/ports.js';
import { waitFor } from '../support/processes.js';

const PASSWORD = 'correct horse battery staple';
const ATTEMPTS = 3;
const BACKOFF_MS = 100;
const TIMEOUT_MS = 1500;
/** Receivers of the main API listen on 127.0.0.1, which it is told to allow. */
const ALLOW_LOOPBACK = { PADDOCK_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' };
const NO_MASTERS = { PADDOCK_LOG_CENTER_MASTER: '0', PADDOCK_DATA_SYNC_MASTER: '0' };
// response bodies are checked with toMatchObject
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Json;
}

/** A webhook receiver: records every request's headers and raw body; `answer` picks the status (or 'hang'). */
interface Receiver {
  url: string;
  received: Received[];
  answer: (n: number, r: Received) => number | 'hang';
  close(): Promise<void>;
}

async function startReceiver(answer: (n: number, r: Received) => number | 'hang', host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const receiver: Receiver = { url: '', received, answer, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const r: Received = { headers: req.headers, raw, body: JSON.parse(raw) };
      received.push(r);
      const status = receiver.answer(received.length, r);
      if (status === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : 'try again later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  receiver.url = `http://${host}:${(server.address() as AddressInfo).port}/hooks/paddock`;
  receiver.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/** The receiver's side of the contract, written independently of the API's code. */
function signatureValid(secret: string, r: Received): boolean {
  const header = r.headers['x-paddock-signature'];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(Buffer.from(r.raw, 'utf8')).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function client(url: () => string) {
  return async function call(method: string, route: string, token?: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(url() + route, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

describe('paddock-api webhooks', () => {
  let api: ApiServer;
  let admin: string;
  const receivers: Receiver[] = [];
  const call = client(() => api.ready.url);

  async function receiver(answer: (n: number) => number | 'hang'): Promise<Receiver> {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  }

  async function subscribe(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const created = await call('POST', '/api/webhooks', admin, { name: 'test', ...body });
    expect(created.status).toBe(201);
    return { id: created.body.webhook.id as string, secret: created.body.secret as string };
  }

  async function publish(env: string, content: string): Promise<void> {
    const ref = `/api/configs/${env}/billing/main`;
    const live = await call('GET', `${ref}/history`, admin);
    const release = live.status === 200 ? ((live.body.releases as Array<{ release: number }>).at(-1)?.release ?? 0) : 0;
    const published = await call('POST', `${ref}/publish`, admin, { content, format: 'json', expectedRelease: release, reason: 'CHG-7' });
    expect(published.status).toBe(201);
  }

  function deliveryIn(hookId: string, deliveryId: string, done: (d: Json) => boolean, timeoutMs = 20_000): Promise<Json> {
    return waitFor(
      `delivery ${deliveryId} to finish`,
      async () => {
        const d = await call('GET', `/api/webhooks/${hookId}/deliveries/${deliveryId}`, admin);
        return d.status === 200 && done(d.body) ? d.body : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  beforeAll(async () => {
    api = await startApi({ env: { ...ALLOW_LOOPBACK, PADDOCK_WEBHOOK_ATTEMPTS: String(ATTEMPTS), PADDOCK_WEBHOOK_BACKOFF_MS: String(BACKOFF_MS), PADDOCK_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) } });
    const boot = await call('POST', '/api/auth/bootstrap', undefined, { username: 'root', password: PASSWORD });
    expect(boot.status).toBe(201);
    admin = boot.body.session;
  }, 70_000);

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await api?.stop();
  }, 30_000);

  it('is admin-only, validates its input with messages, and is in the OpenAPI document', async () => {
    expect((await call('POST', '/api/users', admin, { username: 'vera', password: PASSWORD, role: 'viewer' })).status).toBe(201);
    expect((await call('POST', '/api/users', admin, { username: 'otto', password: PASSWORD, role: 'operator' })).status).toBe(201);
    const viewer = (await call('POST', '/api/auth/login', undefined, { username: 'vera', password: PASSWORD })).body.session as string;
    const operator = (await call('POST', '/api/auth/login', undefined, { username: 'otto', password: PASSWORD })).body.session as string;
    const hook = { name: 'ops', url: 'http://127.0.0.1:9/hook' };
    for (const token of [viewer, operator]) {
      expect(await call('GET', '/api/webhooks', token)).toMatchObject({ status: 403, body: { message: expect.stringContaining('needs admin') } });
      expect((await call('POST', '/api/webhooks', token, hook)).status).toBe(403);
    }
    const { id } = await subscribe({ ...hook, events: ['config.publish'], pathPrefixes: ['/nowhere'] });
    for (const [method, route] of [
      ['GET', `/api/webhooks/${id}`],
      ['PATCH', `/api/webhooks/${id}`],
      ['DELETE', `/api/webhooks/${id}`],
      ['POST', `/api/webhooks/${id}/ping`],
      ['GET', `/api/webhooks/${id}/deliveries`],
    ] as const) {
      expect((await call(method, route, viewer, method === 'PATCH' ? { enabled: false } : undefined)).status).toBe(403);
    }
    expect((await call('GET', '/api/webhooks')).status).toBe(401);

    expect(await call('POST', '/api/webhooks', admin, { ...hook, url: 'ftp://example.com/x' })).toMatchObject({ status: 400, body: { message: 'url: must use http or https, not ftp' } });
    expect(await call('POST', '/api/webhooks', admin, { ...hook, url: 'not a url' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('url: must be an absolute http:// or https:// URL') } });
    expect(await call('POST', '/api/webhooks', admin, { ...hook, events: ['switch*'] })).toMatchObject({ status: 400, body: { message: expect.stringContaining('events.0:') } });
    expect(await call('PATCH', `/api/webhooks/${id}`, admin, { url: 'javascript:alert(1)' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('url: must use http or https') } });
    expect((await call('GET', '/api/webhooks/no-such-hook', admin)).status).toBe(404);
    expect(await call('PATCH', `/api/webhooks/${id}`, admin, { reason: 'nothing' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('nothing to change') } });
    expect((await call('PATCH', '/api/webhooks/no-such-hook', admin, { enabled: false })).status).toBe(404);

    const doc = (await call('GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/webhooks', '/api/webhooks/{id}/deliveries', '/api/webhooks/{id}/deliveries/{deliveryId}/redeliver', '/api/webhooks/{id}/ping']));
    expect(doc.paths['/api/webhooks'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('url');
    expect(doc.paths['/api/webhooks'].post['x-paddock-access']).toEqual({ role: 'admin', area: 'admin' });
    expect((await call('DELETE', `/api/webhooks/${id}`, admin)).status).toBe(200);
  });

  it('delivers signed config publishes and switch flips to a matching subscription, and nothing else', async () => {
    const ops = await receiver(() => 200);
    const staging = await receiver(() => 200);
    const hook = await subscribe({ url: ops.url, events: ['config.publish', 'switch.*'], pathPrefixes: ['/paddock/config/prod', '/paddock/switches'] });
    const stagingHook = await subscribe({ url: staging.url, events: ['*'], pathPrefixes: ['/paddock/config/staging'] });

    // the secret is shown once: never in a read
    const listed = await call('GET', '/api/webhooks', admin);
    expect(listed.body.webhooks.map((w: Json) => w.id)).toEqual(expect.arrayContaining([hook.id, stagingHook.id]));
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret);
    expect(JSON.stringify((await call('GET', `/api/webhooks/${hook.id}`, admin)).body)).not.toContain(hook.secret);

    await publish('prod', '{"limit":10}');
    expect((await call('POST', '/api/znodes', admin, { path: '/webhook-e2e', data: 'x' })).status).toBe(201); // znode.create: filtered out
    const flip = await call('PUT', '/api/switches/prod/items', admin, { scope: { service: 'com.acme.Pay' }, mode: 'force', fallback: { kind: 'null' }, reason: 'INC-7' });
    expect(flip.status).toBe(200);
    await publish('staging', '{"limit":1}');

    const both = await waitFor('config.publish and switch.set at the receiver', () => (ops.received.length >= 2 ? ops.received : undefined), { timeoutMs: 20_000 });
    const startedAt = Date.now();
    for (const r of both) {
      expect(signatureValid(hook.secret, r)).toBe(true);
      expect(signatureValid('whsec_some-other-secret', r)).toBe(false);
      expect(r.headers['x-paddock-delivery']).toBe(r.body.id);
      expect(r.headers['x-paddock-event']).toBe(r.body.type);
      expect(r.headers['content-type']).toBe('application/json');
      expect(Math.abs(Number(r.headers['x-paddock-timestamp']) - startedAt / 1000)).toBeLessThan(120);
      expect(r.body.event.type).toBe(r.body.type);
    }
    const published = both.find((r) => r.body.type === 'config.publish')!;
    expect(published.body.event).toMatchObject({ actor: 'root', source: 'api', reason: 'CHG-7', path: '/paddock/config/prod/billing/main', before: null, after: { release: 1 } });
    expect(published.body.event.time).toEqual(expect.any(String));
    const flipped = both.find((r) => r.body.type === 'switch.set')!;
    expect(flipped.body.event).toMatchObject({ actor: 'root', reason: 'INC-7', after: { mode: 'force' }, path: expect.stringContaining('/paddock/switches/prod/items/') });

    // the staging publish came last and reached its own subscriber; by then every earlier event had been fanned out
    await waitFor('the staging publish', () => (staging.received.some((r) => r.body.type === 'config.publish') ? true : undefined), { timeoutMs: 20_000 });
    const history = await waitFor(
      'the two deliveries recorded as delivered',
      async () => {
        const list = (await call('GET', `/api/webhooks/${hook.id}/deliveries`, admin)).body.deliveries as Json[];
        return list.length === 2 && list.every((d) => d.status === 'delivered') ? list : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(history.map((d) => d.eventType).sort()).toEqual(['config.publish', 'switch.set']);
    for (const d of history) expect(d).toMatchObject({ attemptCount: 1, lastStatusCode: 200, attempts: [{ attempt: 1, ok: true, statusCode: 200, error: null, responseBody: 'thanks' }] });
    expect(ops.received).toHaveLength(2);
    // the path filters: ops got neither the znode (type) nor the staging publish (path); staging only its own events
    expect(staging.received.length).toBeGreaterThan(0);
    for (const r of staging.received) {
      expect(r.body.event.path.startsWith('/paddock/config/staging')).toBe(true);
      expect(signatureValid(stagingHook.secret, r)).toBe(true);
    }
    expect((await call('GET', `/api/webhooks/${hook.id}/deliveries?status=dead`, admin)).body.deliveries).toEqual([]);
  }, 60_000);

  it('retries a failing receiver with backoff: 500, 500, 200 gives three recorded attempts and a success', async () => {
    const flaky = await receiver((n) => (n <= 2 ? 500 : 200));
    const hook = await subscribe({ url: flaky.url, events: ['config.publish'], pathPrefixes: ['/paddock/config/flaky'] });
    await publish('flaky', '{"on":true}');
    const first = await waitFor('a delivery', async () => (await call('GET', `/api/webhooks/${hook.id}/deliveries`, admin)).body.deliveries[0] as Json | undefined, { timeoutMs: 20_000 });
    const done = await deliveryIn(hook.id, first.id, (d) => d.status === 'delivered' || d.status === 'dead');
    expect(done).toMatchObject({ status: 'delivered', attemptCount: 3, maxAttempts: ATTEMPTS, lastStatusCode: 200, lastError: null, nextAttemptAt: null, eventType: 'config.publish' });
    expect(done.attempts.map((a: Json) => [a.attempt, a.ok, a.statusCode, a.error])).toEqual([
      [1, false, 500, 'HTTP 500'],
      [2, false, 500, 'HTTP 500'],
      [3, true, 200, null],
    ]);
    for (const a of done.attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    expect(done.attempts[0].responseBody).toBe('try again later');
    // exponential backoff: ~100 ms, then ~200 ms between the attempts (BullMQ's delay is a minimum)
    const starts = done.attempts.map((a: Json) => Date.parse(a.startedAt));
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(BACKOFF_MS * 0.9);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(BACKOFF_MS * 2 * 0.9);
    // every attempt: the same delivery id and the same signed bytes
    expect(flaky.received).toHaveLength(3);
    expect(new Set(flaky.received.map((r) => r.headers['x-paddock-delivery']))).toEqual(new Set([first.id]));
    expect(new Set(flaky.received.map((r) => r.raw)).size).toBe(1);
    for (const r of flaky.received) expect(signatureValid(hook.secret, r)).toBe(true);
    expect(JSON.parse(done.payload)).toEqual(flaky.received[0]!.body);
  }, 60_000);

  it('ends a delivery dead after the configured attempts (500s, refused connections, timeouts) and redelivers it on request', async () => {
    let healthy = false;
    const failing = await receiver(() => (healthy ? 204 : 500));
    const hanging = await receiver(() => 'hang');
    const closedPort = await getFreePort();
    const quiet = { events: ['config.publish'], pathPrefixes: ['/nowhere'] };
    const targets = [
      { hook: await subscribe({ url: failing.url, ...quiet }), statusCode: 500, error: 'HTTP 500' },
      { hook: await subscribe({ url: `http://127.0.0.1:${closedPort}/hook`, ...quiet }), statusCode: null, error: expect.stringContaining('ECONNREFUSED') },
      { hook: await subscribe({ url: hanging.url, ...quiet }), statusCode: null, error: `timeout after ${TIMEOUT_MS} ms` },
    ];
    const pings = [];
    for (const t of targets) {
      const ping = await call('POST', `/api/webhooks/${t.hook.id}/ping`, admin);
      expect(ping).toMatchObject({ status: 201, body: { eventType: 'webhook.ping', maxAttempts: ATTEMPTS } });
      pings.push(ping.body.id as string);
    }
    for (const [i, t] of targets.entries()) {
      const dead = await deliveryIn(t.hook.id, pings[i]!, (d) => d.status === 'delivered' || d.status === 'dead', 30_000);
      expect(dead).toMatchObject({ status: 'dead', attemptCount: ATTEMPTS, nextAttemptAt: null, completedAt: expect.any(String), lastStatusCode: t.statusCode, lastError: t.error });
      expect(dead.attempts).toHaveLength(ATTEMPTS);
      for (const a of dead.attempts) expect(a).toMatchObject({ ok: false, statusCode: t.statusCode, error: t.error });
      expect((await call('GET', `/api/webhooks/${t.hook.id}/deliveries?status=dead`, admin)).body.deliveries.map((d: Json) => d.id)).toEqual([pings[i]]);
    }
    for (const a of (await call('GET', `/api/webhooks/${targets[2]!.hook.id}/deliveries/${pings[2]}`, admin)).body.attempts) expect(a.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
    expect(failing.received).toHaveLength(ATTEMPTS);
    expect(failing.received[0]!.body).toMatchObject({ id: pings[0], type: 'webhook.ping', event: { type: 'webhook.ping', actor: 'root', path: `/webhooks/${targets[0]!.hook.id}` } });
    expect(signatureValid(targets[0]!.hook.secret, failing.received[0]!)).toBe(true);

    // the receiver is fixed: a manual redelivery sends the same delivery (id, body) again
    healthy = true;
    const redelivered = await call('POST', `/api/webhooks/${targets[0]!.hook.id}/deliveries/${pings[0]}/redeliver`, admin);
    expect(redelivered).toMatchObject({ status: 201, body: { id: pings[0], redeliveries: 1, maxAttempts: ATTEMPTS * 2 } });
    const delivered = await deliveryIn(targets[0]!.hook.id, pings[0]!, (d) => d.status === 'delivered');
    expect(delivered).toMatchObject({ attemptCount: ATTEMPTS + 1, lastStatusCode: 204, redeliveries: 1 });
    expect(delivered.attempts.at(-1)).toMatchObject({ attempt: ATTEMPTS + 1, ok: true, statusCode: 204 });
    expect(failing.received).toHaveLength(ATTEMPTS + 1);
    expect(failing.received.at(-1)!.raw).toBe(failing.received[0]!.raw);
    expect(failing.received.at(-1)!.headers['x-paddock-delivery']).toBe(pings[0]);
    // only finished deliveries can be redelivered; unknown ones are 404
    expect((await call('POST', `/api/webhooks/${targets[0]!.hook.id}/deliveries/nope/redeliver`, admin)).status).toBe(404);
  }, 90_000);

  it('audits subscription changes without secrets or full URLs; disabled and deleted subscriptions get nothing', async () => {
    const quietReceiver = await receiver(() => 200);
    const fenceReceiver = await receiver(() => 200);
    const capabilityUrl = `${quietReceiver.url}/T000/B000/very-secret-token`;
    const hook = await subscribe({ url: capabilityUrl, events: ['*'], pathPrefixes: ['/paddock/config/audited'], secret: 'whsec_my-own-secret-1234', reason: 'CHG-9' });
    const fence = await subscribe({ url: fenceReceiver.url, events: ['config.publish'], pathPrefixes: ['/paddock/config/audited'] });
    expect(hook.secret).toBe('whsec_my-own-secret-1234');

    const patched = await call('PATCH', `/api/webhooks/${hook.id}`, admin, { enabled: false, name: 'paused', reason: 'receiver maintenance' });
    expect(patched).toMatchObject({ status: 200, body: { id: hook.id, enabled: false, name: 'paused' } });
    const rotated = await call('POST', `/api/webhooks/${hook.id}/rotate-secret`, admin, {});
    expect(rotated.status).toBe(201);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);

    await publish('audited', '{"a":1}');
    await waitFor('the fence delivery', () => (fenceReceiver.received.length > 0 ? true : undefined), { timeoutMs: 20_000 });
    expect((await call('GET', `/api/webhooks/${hook.id}/deliveries`, admin)).body.deliveries).toEqual([]);
    expect(quietReceiver.received).toHaveLength(0);

    expect((await call('DELETE', `/api/webhooks/${hook.id}?reason=CHG-10`, admin)).body).toEqual({ deleted: hook.id });
    expect((await call('GET', `/api/webhooks/${hook.id}`, admin)).status).toBe(404);
    expect((await call('GET', `/api/webhooks/${hook.id}/deliveries`, admin)).status).toBe(404);

    const events = (await call('GET', `/api/audit?path=${encodeURIComponent(`/webhooks/${hook.id}`)}`, admin)).body.events as Json[];
    expect(events.map((e) => e.type)).toEqual(['webhook.delete', 'webhook.secret.rotate', 'webhook.update', 'webhook.create']);
    expect(events[3]).toMatchObject({ actor: 'root', reason: 'CHG-9', before: null, after: { id: hook.id, urlOrigin: new URL(quietReceiver.url).origin, events: ['*'], enabled: true } });
    expect(events[2]).toMatchObject({ reason: 'receiver maintenance', before: { enabled: true, name: 'test' }, after: { enabled: false, name: 'paused' } });
    expect(events[0]).toMatchObject({ reason: 'CHG-10', after: null });
    const text = JSON.stringify(events);
    const logs = api.proc.stdout() + api.proc.stderr();
    for (const secret of [hook.secret, rotated.body.secret as string, 'very-secret-token']) {
      expect(text).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect((await call('GET', '/api/audit/verify', admin)).body).toMatchObject({ ok: true });
    expect((await call('DELETE', `/api/webhooks/${fence.id}`, admin)).status).toBe(200);
  }, 60_000);

  it('finishes deliveries that were retrying when the API was killed (-9), after a restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-webhook-restart-'));
    let up = false;
    const flaky = await receiver(() => (up ? 200 : 503));
    // a long backoff keeps the delivery waiting in Redis while the process dies; the private redis-server dies with it
    const env = { ...ALLOW_LOOPBACK, ...NO_MASTERS, PADDOCK_DATA_DIR: dir, PADDOCK_WEBHOOK_ATTEMPTS: '5', PADDOCK_WEBHOOK_BACKOFF_MS: '3000' };
    let second: ApiServer | undefined;
    const first = await startApi({ env });
    try {
      const own = client(() => (second ?? first).ready.url);
      const token = (await own('POST', '/api/auth/bootstrap', undefined, { username: 'root', password: PASSWORD })).body.session as string;
      const created = await own('POST', '/api/webhooks', token, { name: 'restart', url: flaky.url, events: ['config.publish'] });
      expect(created.status).toBe(201);
      const hookId = created.body.webhook.id as string;
      const ping = (await own('POST', `/api/webhooks/${hookId}/ping`, token)).body.id as string;
      await waitFor(
        'the first failed attempt',
        async () => ((await own('GET', `/api/webhooks/${hookId}/deliveries/${ping}`, token)).body.status === 'retrying' ? true : undefined),
        { timeoutMs: 20_000 },
      );
      await first.proc.kill();
      up = true;

      second = await startApi({ env, timeoutMs: 60_000 });
      const done = await waitFor(
        'the delivery to finish after the restart',
        async () => {
          const d = (await own('GET', `/api/webhooks/${hookId}/deliveries/${ping}`, token)).body;
          return d.status === 'delivered' || d.status === 'dead' ? d : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(done).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
      expect(done.attempts[0]).toMatchObject({ attempt: 1, statusCode: 503 });
      expect(done.attempts.at(-1)).toMatchObject({ ok: true, statusCode: 200 });
      expect(new Set(flaky.received.map((r) => r.headers['x-paddock-delivery']))).toEqual(new Set([ping]));
      expect(second.proc.stdout()).toContain('re-enqueued 1 unfinished deliveries');
    } finally {
      await first.stop();
      await second?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

/** Publishes a config under /paddock/config/<env>/billing/main through `call` (an audited change). */
async function publishConfig(call: ReturnType<typeof client>, token: string, env: string, content: string): Promise<void> {
  const ref = `/api/configs/${env}/billing/main`;
  const live = await call('GET', `${ref}/history`, token);
  const release = live.status === 200 ? ((live.body.releases as Array<{ release: number }>).at(-1)?.release ?? 0) : 0;
  expect((await call('POST', `${ref}/publish`, token, { content, format: 'json', expectedRelease: release, reason: 'CHG-1' })).status).toBe(201);
}

async function bootstrapRoot(call: ReturnType<typeof client>): Promise<string> {
  const boot = await call('POST', '/api/auth/bootstrap', undefined, { username: 'root', password: PASSWORD });
  expect(boot.status).toBe(201);
  return boot.body.session as string;
}

describe('paddock-api webhooks: the target address policy by default', () => {
  let api: ApiServer;
  let token: string;
  const call = client(() => api.ready.url);

  beforeAll(async () => {
    api = await startApi({ env: { ...NO_MASTERS } });
    token = await bootstrapRoot(call);
  }, 70_000);

  afterAll(async () => {
    await api?.stop();
  }, 30_000);

  it('refuses private, loopback, link-local and multicast targets with a 400, also names that resolve to them', async () => {
    const cases: Array<[string, RegExp]> = [
      ['http://127.0.0.1:8080/hook', /^url: 127\.0\.0\.1, a loopback address; webhooks may not reach private, loopback, link-local or multicast addresses unless PADDOCK_WEBHOOK_ALLOW_HOSTS/],
      ['http://localhost:8080/hook', /^url: localhost resolves to (127\.0\.0\.1|::1), a loopback address;/],
      ['http://10.1.2.3/hook', /^url: 10\.1\.2\.3, a private address;/],
      ['http://169.254.169.254/latest/meta-data/', /^url: 169\.254\.169\.254, a link-local \(cloud metadata\) address;/],
      ['http://[::1]:8080/hook', /^url: ::1, a loopback address;/],
      ['http://[fd00::1]/hook', /^url: fd00::1, a unique local \(private\) address;/],
      ['http://0.0.0.0/', /unspecified/],
      ['http://224.0.0.1/', /multicast/],
      ['http://[::ffff:127.0.0.1]/', /loopback/],
      ['http://2130706433/', /^url: 127\.0\.0\.1, a loopback address;/], // 127.0.0.1 spelt as one number
      ['http://nowhere.invalid/hook', /^url: nowhere\.invalid does not resolve/],
    ];
    for (const [url, message] of cases) {
      expect([url, await call('POST', '/api/webhooks', token, { name: 'internal', url })]).toEqual([url, expect.objectContaining({ status: 400, body: expect.objectContaining({ message: expect.stringMatching(message) }) })]);
    }
    // a public address is fine (nothing matches its filter, so nothing is sent); changing it to a private one is not
    const created = await call('POST', '/api/webhooks', token, { name: 'public', url: 'https://93.184.216.34/hook', events: ['config.publish'], pathPrefixes: ['/nowhere'] });
    expect(created.status).toBe(201);
    expect(await call('PATCH', `/api/webhooks/${created.body.webhook.id}`, token, { url: 'http://192.168.0.10/hook' })).toMatchObject({ status: 400, body: { message: expect.stringContaining('url: 192.168.0.10, a private address;') } });
    expect((await call('GET', '/api/webhooks', token)).body.webhooks.map((w: Json) => [w.name, w.url])).toEqual([['public', 'https://93.184.216.34/hook']]);
  });
});

describe('paddock-api webhooks: outbox catch-up, delivery-time address checks and retention across restarts', () => {
  it('creates each missed delivery once after a restart, refuses a name that now resolves to a refused address, and prunes old deliveries', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-webhook-outbox-'));
    // the allowed receiver on another loopback address; the other is reached as `localhost`
    const good = await startReceiver(() => 200, '127.0.0.2');
    const rebound = await startReceiver(() => 200);
    const base = { ...NO_MASTERS, PADDOCK_DATA_DIR: dir, PADDOCK_WEBHOOK_ATTEMPTS: '3', PADDOCK_WEBHOOK_BACKOFF_MS: '100' };
    let current: ApiServer | undefined;
    const call = client(() => current!.ready.url);
    const deliveries = async (hookId: string): Promise<Json[]> => (await call('GET', `/api/webhooks/${hookId}/deliveries`, token)).body.deliveries as Json[];
    let token = '';
    try {
      // 1. an instance that fans nothing out (PADDOCK_WEBHOOK_WORKER=0): the audit rows are written, no deliveries
      current = await startApi({ env: { ...base, PADDOCK_WEBHOOK_WORKER: '0', PADDOCK_WEBHOOK_ALLOW_HOSTS: '127.0.0.2,localhost' } });
      token = await bootstrapRoot(call);
      const filter = { events: ['config.publish'], pathPrefixes: ['/paddock/config/outbox'] };
      const goodHook = await call('POST', '/api/webhooks', token, { name: 'good', url: good.url, ...filter });
      const reboundHook = await call('POST', '/api/webhooks', token, { name: 'rebound', url: rebound.url.replace('127.0.0.1', 'localhost'), ...filter });
      expect([goodHook.status, reboundHook.status]).toEqual([201, 201]);
      const [goodId, reboundId] = [goodHook.body.webhook.id as string, reboundHook.body.webhook.id as string];
      for (const n of [1, 2, 3]) await publishConfig(call, token, 'outbox', `{"n":${n}}`);
      const published = (await call('GET', `/api/audit?type=config.publish&path=${encodeURIComponent('/paddock/config/outbox/billing/main')}`, token)).body.events as Json[];
      const eventIds = published.map((e) => e.id as string).sort();
      expect(eventIds).toHaveLength(3);
      expect(await deliveries(goodId)).toEqual([]);
      expect(await deliveries(reboundId)).toEqual([]);
      expect(current.proc.stdout()).toContain('PADDOCK_WEBHOOK_WORKER=0');
      await current.stop();

      // 2. a worker catches up at start-up: one delivery per subscription and event. `localhost` is not allowed
      // here: it resolves to loopback at delivery, so those end dead after one attempt, and nothing reaches it
      current = await startApi({ env: { ...base, PADDOCK_WEBHOOK_ALLOW_HOSTS: '127.0.0.2' } });
      const delivered = await waitFor('the three missed deliveries', async () => {
        const list = await deliveries(goodId);
        return list.length === 3 && list.every((d) => d.status === 'delivered') ? list : undefined;
      }, { timeoutMs: 30_000, intervalMs: 200 });
      expect(delivered.map((d) => d.eventId).sort()).toEqual(eventIds);
      expect(good.received.map((r) => r.body.event.id as string).sort()).toEqual(eventIds);
      const refused = await waitFor('the refused deliveries', async () => {
        const list = await deliveries(reboundId);
        return list.length === 3 && list.every((d) => d.status === 'dead') ? list : undefined;
      }, { timeoutMs: 30_000, intervalMs: 200 });
      expect(refused.map((d) => d.eventId).sort()).toEqual(eventIds);
      for (const d of refused) {
        expect(d).toMatchObject({ attemptCount: 1, lastStatusCode: null, lastError: expect.stringMatching(/^blocked: localhost resolves to (127\.0\.0\.1|::1), a loopback address;/) });
        expect(d.attempts).toHaveLength(1);
      }
      expect(rebound.received).toHaveLength(0);
      expect(current.proc.stdout()).toMatch(/webhooks: start-up catch-up: 6 deliveries for \d+ audit events/);
      // live fan-out still works (and the refused target gets its fourth dead delivery)
      await publishConfig(call, token, 'outbox', '{"n":4}');
      await waitFor('the live delivery', () => (good.received.length === 4 ? true : undefined), { timeoutMs: 20_000 });
      await waitFor('the fourth refused delivery', async () => ((await deliveries(reboundId)).filter((d) => d.status === 'dead').length === 4 ? true : undefined), { timeoutMs: 20_000 });
      await current.stop();

      // 3. restarted with a tiny retention for delivered ones (~1.7 s; dead ones keep the default 30 days): nothing
      // is created or sent twice; the delivered rows and their attempts are pruned, the dead ones stay
      current = await startApi({ env: { ...base, PADDOCK_WEBHOOK_ALLOW_HOSTS: '127.0.0.2', PADDOCK_WEBHOOK_RETENTION_DAYS: '0.00002', PADDOCK_WEBHOOK_SWEEP_MS: '300' } });
      await waitFor('the delivered deliveries to be pruned', async () => ((await deliveries(goodId)).length === 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
      expect(current.proc.stdout()).toContain('webhooks: start-up catch-up: 0 deliveries');
      // the four delivered rows may cross the retention age in different sweeps (e.g. "pruned 3", then "pruned 1")
      const sweeps = [...current.proc.stdout().matchAll(/webhooks: sweep created (\d+) deliveries for (\d+) missed audit events, re-enqueued (\d+) stalled, pruned (\d+) old/g)];
      expect(sweeps.length).toBeGreaterThan(0);
      expect(sweeps.map((m) => [m[1], m[2], m[3]]).filter(([created, missed, requeued]) => created !== '0' || missed !== '0' || requeued !== '0')).toEqual([]);
      expect(sweeps.reduce((sum, m) => sum + Number(m[4]), 0)).toBe(4);
      expect((await deliveries(reboundId)).map((d) => d.status)).toEqual(['dead', 'dead', 'dead', 'dead']);
      expect(good.received).toHaveLength(4);
      const sqlite = createClient({ url: `file:${current.ready.database.replace(/^sqlite /, '')}` });
      try {
        const counts = (await sqlite.execute('SELECT (SELECT COUNT(*) FROM webhook_deliveries) AS deliveries, (SELECT COUNT(*) FROM webhook_attempts) AS attempts')).rows[0]!;
        expect([Number(counts.deliveries), Number(counts.attempts)]).toEqual([4, 4]);
      } finally {
        sqlite.close();
      }
    } finally {
      await current?.stop();
      await good.close();
      await rebound.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('paddock-api webhooks: three API processes on one SQLite file, each with its own Redis', () => {
  /** Long enough for two more API processes to start before the retries are due. */
  const RETRY_MS = 40_000;

  it('send every retry once, although each process queued it at its start-up', async () => {
    const dbDir = mkdtempSync(path.join(os.tmpdir(), 'paddock-webhook-shared-'));
    const env = { ...NO_MASTERS, ...ALLOW_LOOPBACK, DATABASE_URL: `file:${path.join(dbDir, 'api.db')}`, PADDOCK_WEBHOOK_ATTEMPTS: '3', PADDOCK_WEBHOOK_BACKOFF_MS: String(RETRY_MS) };
    // the first attempt of every delivery fails, the second succeeds
    const perDelivery = new Map<string, number>();
    const rx = await startReceiver((_n, r) => {
      const id = String(r.headers['x-paddock-delivery']);
      perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
      return perDelivery.get(id) === 1 ? 503 : 200;
    });
    const apis: ApiServer[] = [];
    try {
      apis.push(await startApi({ env, timeoutMs: 60_000 }));
      const call = client(() => apis[0]!.ready.url);
      const token = await bootstrapRoot(call);
      const hook = await call('POST', '/api/webhooks', token, { name: 'shared', url: rx.url, events: ['config.publish'], pathPrefixes: ['/nowhere'] });
      expect(hook.status).toBe(201);
      const hookId = hook.body.webhook.id as string;
      const pings: string[] = [];
      for (let i = 0; i < 8; i++) pings.push((await call('POST', `/api/webhooks/${hookId}/ping`, token)).body.id as string);
      await waitFor('every first attempt to fail', async () => {
        const list = (await call('GET', `/api/webhooks/${hookId}/deliveries?status=retrying`, token)).body.deliveries as Json[];
        return list.length === pings.length ? true : undefined;
      }, { timeoutMs: 20_000, intervalMs: 100 });
      const firstAttempts = Date.now();

      // two more processes on the same database, each with its private redis-server: each queues the 8 retries too
      apis.push(...(await Promise.all([startApi({ env, timeoutMs: 60_000 }), startApi({ env, timeoutMs: 60_000 })])));
      expect(Date.now() - firstAttempts).toBeLessThan(RETRY_MS - 1000); // else the retries were sent before the race was set up
      for (const api of apis.slice(1)) expect(api.proc.stdout()).toContain(`webhooks: re-enqueued ${pings.length} unfinished deliveries`);

      const done = await waitFor('every delivery to be delivered', async () => {
        const list = (await call('GET', `/api/webhooks/${hookId}/deliveries`, token)).body.deliveries as Json[];
        return list.length === pings.length && list.every((d) => d.status === 'delivered') ? list : undefined;
      }, { timeoutMs: RETRY_MS + 60_000, intervalMs: 250 });
      for (const d of done) expect(d.attempts.map((a: Json) => [a.attempt, a.statusCode])).toEqual([[1, 503], [2, 200]]);
      // a graceful stop lets every job in progress finish: then count what the receiver got
      await Promise.all(apis.splice(0).map((a) => a.stop()));
      expect(rx.received).toHaveLength(2 * pings.length);
      expect([...perDelivery.entries()].sort()).toEqual(pings.map((id) => [id, 2]).sort());
    } finally {
      await Promise.all(apis.map((a) => a.stop()));
      await rx.close();
      rmSync(dbDir, { recursive: true, force: true });
    }
  }, 240_000);
});
