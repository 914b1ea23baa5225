/**
 * Redis for BullMQ: REDIS_URL when given, else a private `redis-server` child on a free loopback port (no
 * persistence; it dies with the API, also on kill -9, through `setpriv --pdeathsig`). With setpriv the child
 * runs in its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) then reaches the API
 * alone, which closes its queues and stops redis last. Before, redis got the SIGINT too and quit first, and
 * the API's shutdown spent ~10 s retrying it, printing a connection error each time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { getFreePort } from '@paddock/server';

export interface RedisEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  /** Human-readable, without the password. */
  describe: string;
  /** The private redis-server's pid (none for REDIS_URL). */
  pid?: number;
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

/**
 * Whether host:port answers as the redis-server with this pid (not another server that holds the port): `INFO server`
 * over a raw RESP exchange, so a failed probe leaves no client timers behind.
 */
function answersAs(host: string, port: number, pid: number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.once('connect', () => socket.write('*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const header = /^\$(\d+)\r\n/.exec(reply);
      if (!header) {
        if (reply.length > 0 && !reply.startsWith('$')) done(false); // an error reply, or not redis
        return;
      }
      if (reply.length < header[0].length + Number(header[1])) return;
      done(/^process_id:(\d+)\r?$/m.exec(reply)?.[1] === String(pid));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** A free port can be taken between the probe and redis-server's bind: then try another one. */
export async function startPrivateRedis(dir: string, log: (line: string) => void, choosePort: (host: string) => Promise<number> = getFreePort): Promise<RedisEndpoint> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPrivateRedisOnce(dir, log, await choosePort('127.0.0.1'));
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 5) throw error;
      log(`${error.message}; trying another port`);
    }
  }
}

class PortTakenError extends Error {}

async function startPrivateRedisOnce(dir: string, log: (line: string) => void, port: number): Promise<RedisEndpoint> {
  const host = '127.0.0.1';
  const args = ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--loglevel', 'warning'];
  const setpriv = process.platform === 'linux' && existsSync('/usr/bin/setpriv');
  let child: ChildProcess;
  try {
    child = setpriv
      ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', 'redis-server', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`cannot start redis-server (install it, or set REDIS_URL): ${(error as Error).message}`);
  }
  let output = '';
  // redis-server logs to stdout (a bind failure among them): keep both, bounded
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-8_192));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const drained = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let failed: Error | undefined;
  child.once('error', (error) => (failed = error));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (failed) throw new Error(`cannot start redis-server (install it, or set REDIS_URL): ${failed.message}`);
    if (child.exitCode !== null) {
      await drained; // its last output (the reason) may still be in the pipe
      const message = `redis-server exited with ${child.exitCode}: ${output.trim()}`;
      throw /address already in use/i.test(output) ? new PortTakenError(`redis-server could not bind ${host}:${port}`) : new Error(message);
    }
    if (await answersAs(host, port, child.pid)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on ${host}:${port} within 10 s: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`private redis-server pid ${child.pid} on ${host}:${port}`);
  return {
    host,
    port,
    describe: `redis://${host}:${port} (private, pid ${child.pid})`,
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await drained; // exited, and its pipes closed
      clearTimeout(timer);
    },
  };
}

export async function connectRedis(url: string | undefined, dir: string, log: (line: string) => void): Promise<RedisEndpoint> {
  if (!url) return startPrivateRedis(dir, log);
  return { ...parseRedisUrl(url), close: async () => undefined };
}
