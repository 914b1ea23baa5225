/** Helpers of the platform suite (on top of test/sdk/targets.ts and test/support). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { Framework } from '@paddock/recipes';
import { REPO_ROOT, type ServerHandle } from '../support/paddock.js';
import { SERVER_OPTIONS, type Starter } from '../sdk/targets.js';
import { spawnManaged, waitFor, type ManagedProcess } from '../support/processes.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PROVIDER_SCRIPT = path.join(HERE, 'fixtures', 'http-provider.mjs');

export interface ProviderProcess {
  name: string;
  port: number;
  address: string;
  sessionHex: string;
  process: ManagedProcess;
}

/** Spawns a provider process (built packages) and waits until it has registered. */
export async function spawnProvider(connectString: string, service: string, name: string, env: Record<string, string> = {}): Promise<ProviderProcess> {
  const proc = spawnManaged({
    name: `provider-${name}`,
    command: process.execPath,
    args: [PROVIDER_SCRIPT],
    cwd: REPO_ROOT,
    env: { NODE_OPTIONS: undefined, CONNECT: connectString, SERVICE: service, NAME: name, ...env },
  });
  try {
    const m = await proc.waitForOutput(/READY (\d+) ([0-9a-f]+)/, { timeoutMs: 20_000 });
    const port = Number(m[1]);
    return { name, port, address: `127.0.0.1:${port}`, sessionHex: m[2]!, process: proc };
  } catch (error) {
    await proc.kill();
    throw error;
  }
}

export async function openFramework(connectString: string, sessionTimeout = 10_000): Promise<Framework> {
  return Framework.connect(connectString, { sessionTimeout, reconnectDelayMs: 200, reconnectJitterMs: 50, connectTimeoutMs: 15_000 });
}

export interface PlatformTarget {
  /** The started server (valid inside tests, after beforeAll). */
  readonly server: ServerHandle;
  /** Closed in reverse order after each test. */
  readonly closers: Array<() => Promise<unknown>>;
  /** A Framework on its own session, closed after the test. */
  framework(sessionTimeout?: number): Promise<Framework>;
}

/**
 * Registers the per-target hooks every platform suite needs (call inside describe.each(TARGETS)): start the
 * server once, close what a test opened after each test, stop the server at the end.
 */
export function usePlatformTarget(start: Starter, options: { sessionTimeout?: number } = {}): PlatformTarget {
  let server: ServerHandle | undefined;
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const started = (): ServerHandle => {
    if (!server) throw new Error('the platform target is not started yet (use it inside a test)');
    return server;
  };
  return {
    get server(): ServerHandle {
      return started();
    },
    closers,
    // an arrow, not a method: suites destructure it
    framework: async (sessionTimeout = options.sessionTimeout): Promise<Framework> => {
      const f = await openFramework(started().connectString, sessionTimeout);
      closers.push(() => f.close());
      return f;
    },
  };
}

export function until(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<true> {
  return waitFor(description, async () => ((await condition()) ? true : undefined), { timeoutMs, intervalMs: 20 });
}

let counter = 0;
export function unique(label: string): string {
  counter++;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
