import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startPrivateRedis, type RedisEndpoint } from '../runtime/redis.js';
import { webhookSettingsFromEnv } from './webhook-config.js';
import { WebhookDeliveryQueue, jobIdOf, postOnce } from './webhook-delivery.queue.js';
import { targetPolicyFromEnv } from './webhook-target-policy.js';
import type { WebhooksRepository } from './webhooks.repository.js';

describe('one delivery attempt (postOnce) against a real HTTP server', () => {
  let server: Server;
  let base: string;
  const hanging: ServerResponse[] = [];
  const seen: Array<{ path: string; body: string; signature: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', body, signature: req.headers['x-paddock-signature'] as string | undefined });
        if (req.url === '/ok') res.writeHead(202).end('accepted');
        else if (req.url === '/fail') res.writeHead(500).end('x'.repeat(5000));
        else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
        else hanging.push(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a 2xx is a success; the body and headers are sent as given', async () => {
    const outcome = await postOnce(`${base}/ok`, '{"id":"d"}', { 'content-type': 'application/json', 'X-Paddock-Signature': 'sha256=ab' }, 5000);
    expect(outcome).toMatchObject({ ok: true, statusCode: 202, error: null, responseBody: 'accepted' });
    expect(seen.at(-1)).toEqual({ path: '/ok', body: '{"id":"d"}', signature: 'sha256=ab' });
  });

  it('a non-2xx fails with its status and the first KiB of the answer', async () => {
    const outcome = await postOnce(`${base}/fail`, '{}', {}, 5000);
    expect(outcome).toMatchObject({ ok: false, statusCode: 500, error: 'HTTP 500' });
    expect(outcome.responseBody).toHaveLength(1024);
  });

  it('does not follow redirects', async () => {
    const before = seen.length;
    expect(await postOnce(`${base}/moved`, '{}', {}, 5000)).toMatchObject({ ok: false, statusCode: 302, error: 'HTTP 302' });
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/moved']);
  });

  it('times out a receiver that does not answer', async () => {
    const outcome = await postOnce(`${base}/hang`, '{}', {}, 300);
    expect(outcome).toMatchObject({ ok: false, statusCode: null, error: 'timeout after 300 ms' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(250);
  });

  it('names network errors', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await postOnce(`http://127.0.0.1:${port}/`, '{}', {}, 5000)).toMatchObject({ ok: false, blocked: false, statusCode: null, error: expect.stringMatching(/^ECONNREFUSED/) });
    expect((await postOnce('http://nowhere.invalid/', '{}', {}, 5000)).error).toMatch(/^(ENOTFOUND|EAI_AGAIN)/);
  });

  it('refuses loopback targets by default, before sending: an IP literal and a name resolving to it', async () => {
    const before = seen.length;
    const policy = targetPolicyFromEnv({});
    const literal = await postOnce(`${base}/ok`, '{}', {}, 5000, policy);
    expect(literal).toMatchObject({ ok: false, blocked: true, statusCode: null, error: expect.stringMatching(/^blocked: 127\.0\.0\.1, a loopback address;/) });
    const named = await postOnce(`${base.replace('127.0.0.1', 'localhost')}/ok`, '{}', {}, 5000, policy);
    expect(named).toMatchObject({ ok: false, blocked: true, statusCode: null, error: expect.stringMatching(/^blocked: localhost resolves to (127\.0\.0\.1|::1), a loopback address;/) });
    expect(seen.length).toBe(before);
  });

  it('delivers to an allowed internal receiver, by address or by name', async () => {
    const byAddress = targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_HOSTS: '127.0.0.0/8' });
    expect(await postOnce(`${base}/ok`, '{"n":1}', {}, 5000, byAddress)).toMatchObject({ ok: true, blocked: false, statusCode: 202 });
    // localhost may also resolve to ::1 (not allowed here, and not listening): the connection uses 127.0.0.1
    expect(await postOnce(`${base.replace('127.0.0.1', 'localhost')}/ok`, '{"n":2}', {}, 5000, byAddress)).toMatchObject({ ok: true, statusCode: 202 });
    expect(await postOnce(`${base}/ok`, '{"n":3}', {}, 5000, targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_PRIVATE: '1' }))).toMatchObject({ ok: true, statusCode: 202 });
    expect(seen.slice(-3).map((s) => s.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('gives every redelivery run its own job id', () => {
    expect(jobIdOf({ id: 'abc', redeliveries: 0 })).toBe('abc');
    expect(jobIdOf({ id: 'abc', redeliveries: 2 })).toBe('abc-r2');
  });
});

describe('the periodic sweep on the queue\'s BullMQ job scheduler (real redis-server)', () => {
  let dir: string;
  let redis: RedisEndpoint;
  const queues: WebhookDeliveryQueue[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-webhook-sweep-'));
    redis = await startPrivateRedis(dir, () => undefined);
  }, 30_000);

  afterAll(async () => {
    for (const q of queues) await q.close();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A queue on the shared redis; the repository is only asked for unfinished deliveries at start-up (none). */
  async function startQueue(env: Record<string, string>): Promise<WebhookDeliveryQueue> {
    const repository = { unfinished: async () => [] } as unknown as WebhooksRepository;
    const queue = new WebhookDeliveryQueue({ connection: { host: redis.host, port: redis.port, maxRetriesPerRequest: null }, repository, settings: webhookSettingsFromEnv(env), log: () => undefined });
    queues.push(queue);
    await queue.start();
    return queue;
  }

  async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('runs the sweep every period on a working instance; an instance that sends nothing schedules none', async () => {
    const idle = await startQueue({ PADDOCK_WEBHOOK_WORKER: '0' });
    let idleSweeps = 0;
    await idle.scheduleSweep(1_000, async () => void idleSweeps++);
    expect(idle.working).toBe(false);

    const working = await startQueue({});
    let sweeps = 0;
    await working.scheduleSweep(1_000, async () => void sweeps++);
    await until('two sweeps', () => sweeps >= 2, 20_000);
    expect(idleSweeps).toBe(0);
  }, 30_000);
});
