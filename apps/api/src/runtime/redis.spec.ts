import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { getFreePort } from '@paddock/server';
import { Redis } from 'ioredis';
import { startPrivateRedis } from './redis.js';

describe('private redis-server', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-redis-spec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('moves to another port when the chosen one is taken between the probe and the bind, and serves there', async () => {
    // a listener that is not redis holds the first port handed out
    const squatter = net.createServer((s) => s.destroy());
    const takenPort = await getFreePort();
    await new Promise<void>((resolve) => squatter.listen(takenPort, '127.0.0.1', resolve));
    const offered = [takenPort];
    const lines: string[] = [];
    const redis = await startPrivateRedis(dir, (l) => lines.push(l), async (host) => offered.shift() ?? getFreePort(host));
    try {
      expect(redis.port).not.toBe(takenPort);
      expect(lines.some((l) => l.includes(`could not bind 127.0.0.1:${takenPort}`))).toBe(true);
      const client = new Redis({ host: redis.host, port: redis.port, maxRetriesPerRequest: 1 });
      try {
        expect(await client.set('k', 'v')).toBe('OK');
        expect(await client.get('k')).toBe('v');
      } finally {
        client.disconnect();
      }
    } finally {
      await redis.close();
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  }, 30_000);

  it('runs in its own process group (a Ctrl-C to the API\'s group does not reach it), and close() stops it', async () => {
    const pgrp = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
    const redis = await startPrivateRedis(dir, () => undefined);
    const pid = redis.pid!;
    try {
      expect(pid).toBeGreaterThan(0);
      expect(pgrp(pid)).toBe(pid);
      expect(pgrp(pid)).not.toBe(pgrp(process.pid));
    } finally {
      await redis.close();
    }
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  }, 30_000);
});
