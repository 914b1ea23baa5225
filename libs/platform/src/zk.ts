/** Small store helpers shared by the services (client API only, so they run on Apache ZooKeeper too). */
import { NoNodeError, NodeExistsError, type ZooKeeperClient } from '@paddock/client';
import { ensurePath, joinPath } from '@paddock/recipes';

export { ensurePath, joinPath };

export async function readJson<T>(client: ZooKeeperClient, path: string): Promise<{ value: T; version: number } | null> {
  try {
    const { data, stat } = await client.getData(path);
    return { value: parseJson<T>(data), version: stat.version };
  } catch (error) {
    if (error instanceof NoNodeError) return null;
    throw error;
  }
}

export function parseJson<T>(data: Buffer | null): T {
  const text = data === null ? '' : data.toString('utf8');
  return (text === '' ? null : JSON.parse(text)) as T;
}

export function jsonData(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export async function childrenOrEmpty(client: ZooKeeperClient, path: string): Promise<string[]> {
  try {
    return await client.getChildren(path);
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}

/** Creates a persistent node (and its parents) if missing. */
export async function ensureNode(client: ZooKeeperClient, path: string, data?: Buffer | string): Promise<void> {
  const i = path.lastIndexOf('/');
  if (i > 0) await ensurePath(client, path.slice(0, i));
  try {
    await client.create(path, data);
  } catch (error) {
    if (!(error instanceof NodeExistsError)) throw error;
  }
}

/** A 10-digit zero-padded number, like ZooKeeper's sequence suffix (sorts as text). */
export function pad10(n: number): string {
  return String(n).padStart(10, '0');
}

/** The unsigned 64-bit session id as Java prints it (Long.toHexString), e.g. `100000726cb0000`. */
export function sessionHex(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16);
}
