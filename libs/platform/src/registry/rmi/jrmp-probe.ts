/**
 * Checks that an endpoint speaks Java RMI's transport (JRMP, the "StreamProtocol" handshake of the Java RMI
 * specification, chapter 10): the client sends `JRMI`, version 2 and StreamProtocol (0x4b); a Java RMI server
 * answers ProtocolAck (0x4e) followed by the client's host as it sees it (writeUTF) and port (int). A port that
 * is open but does not answer that way (another server, a half-started JVM) fails the probe.
 */
import net from 'node:net';

const JRMI_MAGIC = Buffer.from([0x4a, 0x52, 0x4d, 0x49, 0x00, 0x02, 0x4b]);
const PROTOCOL_ACK = 0x4e;

export class JrmpProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JrmpProbeError';
  }
}

/** Resolves when host:port completes the JRMP handshake within timeoutMs; rejects with the reason otherwise. */
export function probeJrmp(host: string, port: number, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new JrmpProbeError(`no JRMP answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => socket.write(JRMI_MAGIC));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received[0] !== PROTOCOL_ACK) return finish(new JrmpProbeError(`${host}:${port} is not a Java RMI endpoint (answered 0x${received[0]!.toString(16)})`));
      // ProtocolAck, writeUTF(host) (2-byte length + bytes), writeInt(port)
      if (received.length < 3) return;
      const hostLength = received.readUInt16BE(1);
      if (received.length < 3 + hostLength + 4) return;
      // the client's endpoint, as the protocol asks, before going away
      const ownHost = Buffer.from('0.0.0.0', 'utf8');
      const identity = Buffer.alloc(2 + ownHost.length + 4);
      identity.writeUInt16BE(ownHost.length, 0);
      ownHost.copy(identity, 2);
      settled = true;
      clearTimeout(timer);
      socket.end(identity);
      resolve();
    });
    socket.once('error', (error) => finish(new JrmpProbeError(`cannot reach ${host}:${port}: ${error.message}`)));
    socket.once('close', () => finish(new JrmpProbeError(`${host}:${port} closed the connection during the JRMP handshake`)));
  });
}
