import { readFileSync } from 'node:fs';
import net from 'node:net';

export const LOOPBACK = '127.0.0.1';

/**
 * A free TCP port on the loopback interface, chosen at random BELOW the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999 by default). A port the kernel hands out for `listen(0)`
 * comes from that range, which every outgoing connection also draws its local port from: between our probe
 * and the server's bind, a client socket of any test could take it (seen as EADDRINUSE on an ensemble's quorum
 * port under load). Below the range only another listener can collide, and random choice makes that rare.
 *
 * The port is released before this resolves; callers that start a server retry with a fresh port when the
 * bind fails.
 */
export async function getFreePort(host: string = LOOPBACK): Promise<number> {
  const [low, high] = portRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await canListen(host, port)) return port;
  }
  throw new Error(`no free port in ${low}-${high} after 200 tries`);
}

function portRange(): [number, number] {
  let ephemeralLow = 32768;
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 12_000) ephemeralLow = first;
  } catch {
    // not Linux: keep the default
  }
  return [10_000, ephemeralLow - 1];
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Several distinct free ports (e.g. client + quorum + election ports of an ensemble member). */
export async function getFreePorts(count: number, host: string = LOOPBACK): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await getFreePort(host));
  return [...ports];
}
