import net from 'node:net';
import { ClientConnection } from './client-connection.js';
import type { ConnectionHost } from './client-connection.js';

export interface ClientListenerOptions {
  port: number;
  host?: string;
  /** per-IP connection limit; 0 = unlimited (zoo.cfg maxClientCnxns) */
  maxClientCnxns: number;
}

/** Accepts client sockets, enforces the per-IP limit and hands each one to the server as a connection. */
export class ClientListener {
  private readonly server: net.Server;
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly options: ClientListenerOptions,
    private readonly host: ConnectionHost & { connections: Set<ClientConnection> },
  ) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => host.log('warn', `client listener error: ${err.message}`));
  }

  private accept(socket: net.Socket): void {
    if (this.options.maxClientCnxns > 0 && !this.admitFromIp(socket)) return;
    const conn = new ClientConnection(socket, this.host);
    this.host.connections.add(conn);
  }

  /** Counts the socket against its IP's limit; refuses (destroys) it past the limit. Only with a limit set. */
  private admitFromIp(socket: net.Socket): boolean {
    const ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const count = this.perIp.get(ip) ?? 0;
    if (count >= this.options.maxClientCnxns) {
      this.host.log('warn', `Too many connections from /${ip} - max is ${this.options.maxClientCnxns}`);
      socket.destroy();
      return false;
    }
    this.perIp.set(ip, count + 1);
    socket.once('close', () => {
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
    return true;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.options.port, host: this.options.host, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
