/**
 * Free TCP ports for the processes this repository starts itself: the API's private redis-server, the members and
 * Apache ZooKeeper servers of `paddock bench --compare`, and every server the cross-process tests start.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

const DEFAULT_HOST = '127.0.0.1';
/** The lowest port handed out: keeps clear of the well-known and registered ports below it. */
const LOWEST_PORT = 10_000;
/** Linux's default start of the ephemeral range, used when /proc does not tell. */
const DEFAULT_EPHEMERAL_LOW = 32_768;
const ATTEMPTS = 200;

/**
 * A free TCP port on `host`, chosen at random BELOW the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by default). A port the kernel hands out for `listen(0)`
 * comes from that range, which every outgoing connection also draws its local port from: between our probe
 * and the server's bind, any client socket on the machine could take it (seen as EADDRINUSE on an ensemble's
 * quorum port under load). Below the range only another listener can collide, and random choice makes that rare.
 *
 * The port is released before this resolves; callers that start a server retry with a fresh port when the
 * bind fails.
 */
export async function getFreePort(host: string = DEFAULT_HOST): Promise<number> {
  const [low, high] = freePortRange();
  let lastError = '';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    const error = await listenError(host, port);
    if (error === undefined) return port;
    lastError = error;
  }
  throw new Error(`no free port on ${host} in ${low}-${high} after ${ATTEMPTS} tries (last error: ${lastError})`);
}

/** Several distinct free ports (e.g. client + quorum + election ports of an ensemble member). */
export async function getFreePorts(count: number, host: string = DEFAULT_HOST): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await getFreePort(host));
  return [...ports];
}

/** The inclusive range getFreePort draws from: [10000, start of the ephemeral range - 1]. */
export function freePortRange(): [number, number] {
  let ephemeralLow = DEFAULT_EPHEMERAL_LOW;
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    // a range starting this low would leave too few ports below it: keep the default then
    if (Number.isInteger(first) && first > LOWEST_PORT + 2_000) ephemeralLow = first;
  } catch {
    // not Linux: keep the default
  }
  return [LOWEST_PORT, ephemeralLow - 1];
}

/** Binds and releases `port` on `host`: undefined when that worked, else the error code. */
function listenError(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
