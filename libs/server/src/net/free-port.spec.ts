import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { freePortRange, getFreePort, getFreePorts } from './free-port.js';

const listenOn = (port: number): Promise<net.Server> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server));
  });
const close = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('getFreePort', () => {
  it('draws from below the ephemeral range the kernel gives listen(0) and outgoing connections', () => {
    const [low, high] = freePortRange();
    expect(low).toBe(10_000);
    const procFile = '/proc/sys/net/ipv4/ip_local_port_range';
    const ephemeralLow = existsSync(procFile) ? Number(readFileSync(procFile, 'utf8').trim().split(/\s+/)[0]) : 32_768;
    expect(high).toBe(ephemeralLow > 12_000 ? ephemeralLow - 1 : 32_767);
  });

  it('returns a port in that range that a server can then bind', async () => {
    const [low, high] = freePortRange();
    const port = await getFreePort();
    expect(port).toBeGreaterThanOrEqual(low);
    expect(port).toBeLessThanOrEqual(high);
    await close(await listenOn(port));
  });

  it('gives distinct ports that can all be bound at once', async () => {
    const ports = await getFreePorts(6);
    expect(new Set(ports).size).toBe(6);
    const servers = await Promise.all(ports.map(listenOn));
    await Promise.all(servers.map(close));
  });

  it('names the host and the bind error when no port can be bound there', async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: every bind fails with EADDRNOTAVAIL
    await expect(getFreePort('192.0.2.1')).rejects.toThrow(/no free port on 192\.0\.2\.1 in \d+-\d+ after 200 tries \(last error: EADDRNOTAVAIL\)/);
  });
});
