/**
 * The znode browser: paged children with stats, data decoded as text / JSON / hex / base64, ACLs, and
 * create / set / delete with a version check. Errors are the client's ZooKeeperErrors (code + name), mapped to
 * 4xx by the error filter. The API's own session cannot own nodes for a user, so ephemeral modes are not offered.
 */
import type { ACL, CreateMode, Stat, ZooKeeperClient } from '@paddock/client';
import { AppError } from '../errors.js';
import type { Encoding } from './znodes.dto.js';

export interface StatView {
  czxid: string;
  mzxid: string;
  pzxid: string;
  ctime: string;
  mtime: string;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

const hexZxid = (n: number) => `0x${n.toString(16)}`;

export function statView(stat: Stat): StatView {
  return {
    czxid: hexZxid(stat.czxid),
    mzxid: hexZxid(stat.mzxid),
    pzxid: hexZxid(stat.pzxid),
    ctime: new Date(stat.ctime).toISOString(),
    mtime: new Date(stat.mtime).toISOString(),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: `0x${BigInt.asUintN(64, stat.ephemeralOwner).toString(16)}`,
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

export function encode(data: Buffer | null, format: Encoding): unknown {
  if (data === null) return null;
  switch (format) {
    case 'hex':
      return data.toString('hex');
    case 'base64':
      return data.toString('base64');
    case 'json':
      try {
        return data.length === 0 ? null : JSON.parse(data.toString('utf8'));
      } catch (error) {
        throw new AppError('invalid', `data is not JSON: ${(error as Error).message}`);
      }
    default:
      return data.toString('utf8');
  }
}

export function decode(data: string | null, format: Encoding): Buffer | null {
  if (data === null) return null;
  switch (format) {
    case 'hex':
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(data)) throw new AppError('invalid', 'data is not hex');
      return Buffer.from(data, 'hex');
    case 'base64':
      return Buffer.from(data, 'base64');
    case 'json':
      try {
        JSON.parse(data);
      } catch (error) {
        throw new AppError('invalid', `data is not JSON: ${(error as Error).message}`);
      }
      return Buffer.from(data, 'utf8');
    default:
      return Buffer.from(data, 'utf8');
  }
}

export class ZnodeService {
  constructor(private readonly client: () => ZooKeeperClient) {}

  async children(path: string, offset: number, limit: number) {
    const c = this.client();
    const { children, stat } = await c.getChildrenWithStat(path);
    const names = [...children].sort();
    const page = names.slice(offset, offset + limit);
    const items = await Promise.all(
      page.map(async (name) => {
        const child = path === '/' ? `/${name}` : `${path}/${name}`;
        const s = await c.exists(child);
        return { name, path: child, stat: s ? statView(s) : null };
      }),
    );
    return { path, stat: statView(stat), total: names.length, offset, limit, children: items };
  }

  async stat(path: string) {
    const s = await this.client().exists(path);
    if (!s) throw new AppError('not-found', `no node ${path}`, { zkCode: -101, zkCodeName: 'NO_NODE' });
    return { path, stat: statView(s) };
  }

  async data(path: string, format: Encoding) {
    const { data, stat } = await this.client().getData(path);
    return { path, format, data: encode(data, format), stat: statView(stat) };
  }

  async acl(path: string): Promise<{ path: string; acl: ACL[]; stat: StatView }> {
    const { acl, stat } = await this.client().getACL(path);
    return { path, acl, stat: statView(stat) };
  }

  async create(input: { path: string; data: string | null; encoding: Encoding; mode: CreateMode }) {
    const created = await this.client().create2(input.path, decode(input.data, input.encoding), { mode: input.mode });
    return { path: created.path, stat: statView(created.stat) };
  }

  async set(input: { path: string; data: string | null; encoding: Encoding; version: number }) {
    const stat = await this.client().setData(input.path, decode(input.data, input.encoding), input.version);
    return { path: input.path, stat: statView(stat) };
  }

  async remove(path: string, version: number) {
    if (path === '/' || path === '/zookeeper' || path.startsWith('/zookeeper/')) throw new AppError('invalid', `${path} cannot be deleted`);
    await this.client().delete(path, version);
    return { path, deleted: true };
  }
}
