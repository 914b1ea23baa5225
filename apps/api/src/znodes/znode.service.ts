/**
 * The znode browser: paged children with stats, data decoded as text / JSON / hex / base64, ACLs, and
 * create / set / delete with a version check. Errors are the client's ZooKeeperErrors (code + name), mapped to
 * 4xx by the error filter. The API's own session cannot own nodes for a user, so ephemeral modes are not offered.
 * Every write is audited (`znode.create|set|delete`) with the stat and a data summary before and after.
 */
import { createHash } from 'node:crypto';
import { BadVersionError, type ACL, type CreateMode, type Stat, type ZooKeeperClient } from '@paddock/client';
import { Auditor, NULL_AUDIT_SINK, type AuditSink, type ChangeContext } from '@paddock/platform';
import type { ChildrenPage, StatView, ZnodeData } from '@paddock/platform/contracts';
import { AppError } from '../errors.js';
import type { Encoding } from './znodes.dto.js';

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

/** What the audit stream keeps of a node's data: size, digest and a bounded preview (text, else hex). */
export function dataSummary(data: Buffer | null) {
  if (data === null) return { length: 0, sha256: null, preview: null };
  const head = data.subarray(0, PREVIEW_BYTES);
  const text = head.toString('utf8');
  const printable = !text.includes('\uFFFD') && ![...text].some(isControl);
  return {
    length: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    ...(printable ? { preview: text } : { previewHex: head.toString('hex') }),
    ...(data.length > PREVIEW_BYTES ? { truncated: true } : {}),
  };
}
const PREVIEW_BYTES = 1024;
/** C0 controls other than tab, newlines, vertical tab and form feed (binary rather than text). */
const isControl = (ch: string) => ch.charCodeAt(0) < 0x20 && !'\t\n\v\f\r'.includes(ch);

export interface NodeSnapshot {
  stat: StatView;
  data: ReturnType<typeof dataSummary>;
}

function snapshot(stat: Stat, data: Buffer | null): NodeSnapshot {
  return { stat: statView(stat), data: dataSummary(data) };
}

export class ZnodeService {
  private readonly auditor: Auditor;

  constructor(
    private readonly client: () => ZooKeeperClient,
    audit: AuditSink = NULL_AUDIT_SINK,
  ) {
    this.auditor = new Auditor(audit);
  }

  private async read(path: string): Promise<{ data: Buffer | null; stat: Stat }> {
    return this.client().getData(path);
  }

  async children(path: string, offset: number, limit: number): Promise<ChildrenPage> {
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

  async data(path: string, format: Encoding): Promise<ZnodeData> {
    const { data, stat } = await this.client().getData(path);
    return { path, format, data: encode(data, format), stat: statView(stat) };
  }

  async acl(path: string): Promise<{ path: string; acl: ACL[]; stat: StatView }> {
    const { acl, stat } = await this.client().getACL(path);
    return { path, acl, stat: statView(stat) };
  }

  async create(input: { path: string; data: string | null; encoding: Encoding; mode: CreateMode }, ctx: ChangeContext) {
    this.auditor.check(ctx, 'znode.create');
    const data = decode(input.data, input.encoding);
    const created = await this.client().create2(input.path, data, { mode: input.mode });
    await this.auditor.emit(ctx, 'znode.create', created.path, null, snapshot(created.stat, data), { mode: input.mode });
    return { path: created.path, stat: statView(created.stat) };
  }

  /** With version -1 the write is a CAS on the version just read (retried), so `before` is exactly what was replaced. */
  async set(input: { path: string; data: string | null; encoding: Encoding; version: number }, ctx: ChangeContext) {
    this.auditor.check(ctx, 'znode.set');
    const data = decode(input.data, input.encoding);
    for (let attempt = 0; ; attempt++) {
      const before = await this.read(input.path);
      const version = input.version === -1 ? before.stat.version : input.version;
      let stat: Stat;
      try {
        stat = await this.client().setData(input.path, data, version);
      } catch (error) {
        if (input.version === -1 && error instanceof BadVersionError && attempt < 10) continue;
        throw error;
      }
      await this.auditor.emit(ctx, 'znode.set', input.path, snapshot(before.stat, before.data), snapshot(stat, data), { expectedVersion: input.version });
      return { path: input.path, stat: statView(stat) };
    }
  }

  async remove(path: string, version: number, ctx: ChangeContext) {
    if (path === '/' || path === '/zookeeper' || path.startsWith('/zookeeper/')) throw new AppError('invalid', `${path} cannot be deleted`);
    this.auditor.check(ctx, 'znode.delete');
    for (let attempt = 0; ; attempt++) {
      const before = await this.read(path);
      try {
        await this.client().delete(path, version === -1 ? before.stat.version : version);
      } catch (error) {
        if (version === -1 && error instanceof BadVersionError && attempt < 10) continue;
        throw error;
      }
      await this.auditor.emit(ctx, 'znode.delete', path, snapshot(before.stat, before.data), null, { expectedVersion: version });
      return { path, deleted: true };
    }
  }
}
