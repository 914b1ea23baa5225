import net from 'node:net';

export const LOOPBACK = '127.0.0.1';

/**
 * Asks the kernel for a free TCP port on the loopback interface.
 *
 * The port is released before this resolves, so another process may grab it before the caller
 * binds it; callers that start a server retry with a fresh port when the bind fails.
 */
export function getFreePort(host: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`unexpected listen address ${String(address)}`));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** Several distinct free ports (e.g. client + quorum + election ports of an ensemble member). */
export async function getFreePorts(count: number, host: string = LOOPBACK): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await getFreePort(host));
  return [...ports];
}
