/**
 * Redis for BullMQ: REDIS_URL when given, else a private `redis-server` child on a free loopback port (no
 * persistence; it dies with the API, also on kill -9, through `setpriv --pdeathsig`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getFreePort } from '@paddock/server';
import { Redis } from 'ioredis';

export interface RedisEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  /** Human-readable, without the password. */
  describe: string;
  close(): Promise<void>;
}

export function parseRedisUrl(url: string): Omit<RedisEndpoint, 'close'> {
  const u = new URL(url);
  if (u.protocol !== 'redis:') throw new Error(`REDIS_URL must be redis://host:port, got ${u.protocol}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    describe: `redis://${u.hostname}:${u.port || 6379}${u.pathname.length > 1 ? u.pathname : ''}`,
  };
}

async function ping(host: string, port: number): Promise<boolean> {
  const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function startPrivateRedis(dir: string, log: (line: string) => void): Promise<RedisEndpoint> {
  const host = '127.0.0.1';
  const port = await getFreePort(host);
  const args = ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--loglevel', 'warning'];
  const setpriv = process.platform === 'linux' && existsSync('/usr/bin/setpriv');
  let child: ChildProcess;
  try {
    child = setpriv
      ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', 'redis-server', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`cannot start redis-server (install it, or set REDIS_URL): ${(error as Error).message}`);
  }
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failed: Error | undefined;
  child.once('error', (error) => (failed = error));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (failed) throw new Error(`cannot start redis-server (install it, or set REDIS_URL): ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr.trim()}`);
    if (await ping(host, port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on ${host}:${port} within 10 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`private redis-server pid ${child.pid} on ${host}:${port}`);
  return {
    host,
    port,
    describe: `redis://${host}:${port} (private, pid ${child.pid})`,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function connectRedis(url: string | undefined, dir: string, log: (line: string) => void): Promise<RedisEndpoint> {
  if (!url) return startPrivateRedis(dir, log);
  return { ...parseRedisUrl(url), close: async () => undefined };
}
