/** Helpers of the platform suite (on top of test/sdk/targets.ts and test/support). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Framework } from '@paddock/recipes';
import { REPO_ROOT } from '../support/paddock.js';
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

export function until(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<true> {
  return waitFor(description, async () => ((await condition()) ? true : undefined), { timeoutMs, intervalMs: 20 });
}

let counter = 0;
export function unique(label: string): string {
  counter++;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
