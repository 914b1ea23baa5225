/**
 * Real Java RMI processes for the platform suite: the fixtures under fixtures/rmi are compiled with the JDK's javac
 * (once per test process) and run as a provider (GreetingServer: an RMI registry + one exported GreetingService on
 * one port) or as a one-shot consumer (GreetingClient: java.rmi.Naming.lookup of an rmi:// URL, one call).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFreePort } from '../support/ports.js';
import { runCommand, spawnManaged, type ManagedProcess } from '../support/processes.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCES = path.join(HERE, 'fixtures', 'rmi', 'com', 'paddock', 'demo');
export const GREETING_SERVICE = 'com.paddock.demo.GreetingService';
export const JAVA = process.env.JAVA ?? '/usr/bin/java';
const JAVAC = process.env.JAVAC ?? '/usr/bin/javac';

let compiled: Promise<string> | undefined;

/** Compiles the fixtures (once) and returns the class directory. */
export function rmiClasses(): Promise<string> {
  compiled ??= (async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'paddock-rmi-'));
    const files = readdirSync(SOURCES).filter((f) => f.endsWith('.java')).map((f) => path.join(SOURCES, f));
    const result = await runCommand({ name: 'javac-rmi', command: JAVAC, args: ['-d', out, ...files], timeoutMs: 120_000 });
    if (result.code !== 0) throw new Error(`javac failed (${result.code}): ${result.output}`);
    return out;
  })();
  return compiled;
}

export interface RmiServerProcess {
  port: number;
  instance: string;
  process: ManagedProcess;
}

/** Starts a Java RMI provider on a free port (or the given one) and waits until it serves. */
export async function spawnRmiServer(instance: string, options: { port?: number; bindName?: string } = {}): Promise<RmiServerProcess> {
  const classes = await rmiClasses();
  const port = options.port ?? (await getFreePort());
  const proc = spawnManaged({
    name: `rmi-${instance}`,
    command: JAVA,
    args: ['-cp', classes, 'com.paddock.demo.GreetingServer', String(port), options.bindName ?? GREETING_SERVICE, instance],
  });
  try {
    await proc.waitForOutput(/RMI-READY \d+/, { timeoutMs: 60_000 });
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return { port, instance, process: proc };
}

/** Calls the service at an rmi:// URL from a real Java RMI client; resolves to the printed result. */
export async function callWithJavaClient(url: string, method: string, ...args: string[]): Promise<string> {
  const classes = await rmiClasses();
  const result = await runCommand({
    name: 'rmi-client',
    command: JAVA,
    args: ['-cp', classes, 'com.paddock.demo.GreetingClient', url, method, ...args],
    timeoutMs: 60_000,
  });
  const match = /RESULT (.*)/.exec(result.output);
  if (result.code !== 0 || !match) throw new Error(`java RMI client failed (${result.code}): ${result.output}`);
  return match[1]!;
}
