/**
 * ZooKeeper digest ACLs on the platform's own znodes.
 *
 * The API's session authenticates as one digest identity (PADDOCK_ZK_DIGEST=user:password, or a credential
 * generated on first start into `<dataDir>/zk-digest`, mode 0600). Every node the API creates gets its ACL from
 * {@link platformAcl} (the creates of the platform services, the recipes and the znode browser all go through
 * {@link enforceAclPolicy}):
 *
 *   /paddock, /paddock/config/**, /paddock/switches/**   world READ, digest ALL  (read-only for everyone else)
 *   .../{ns}/listeners, /paddock/switches/{env}/receipts  world READ|CREATE|DELETE, digest ALL (SDK receipts)
 *   /dubbo/{service}/configurators|routers/**            world READ, digest ALL  (operator overrides, routes)
 *   /dubbo, /dubbo/{service}, providers, consumers       open (Dubbo apps register there themselves)
 *
 * At start-up {@link secureExistingNodes} applies the same policy to nodes that already exist (created before
 * ACLs were enabled, or by someone else), so an upgrade locks the tree down too.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ANYONE_ID_UNSAFE, NoNodeError, Perms, digestId, type ACL, type CreateOptions, type Data, type Op, type ZooKeeperClient } from '@paddock/client';

export const DIGEST_FILE = 'zk-digest';
const DEFAULT_USER = 'paddock-api';

export interface DigestCredential {
  user: string;
  password: string;
  /** `user:password`, as sent by addAuth('digest', ...). */
  auth: string;
}

function parseCredential(text: string, origin: string): DigestCredential {
  const trimmed = text.trim();
  const i = trimmed.indexOf(':');
  if (i <= 0 || i === trimmed.length - 1) throw new Error(`${origin} must be user:password`);
  return { user: trimmed.slice(0, i), password: trimmed.slice(i + 1), auth: trimmed };
}

/** The given credential, or the one stored in the data dir, or a new one stored there with mode 0600. */
export function loadDigestCredential(given: string | undefined, dataDir: string, log: (line: string) => void = () => undefined): DigestCredential {
  if (given !== undefined && given.trim() !== '') return parseCredential(given, 'PADDOCK_ZK_DIGEST');
  const file = path.join(dataDir, DIGEST_FILE);
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return parseCredential(readFileSync(file, 'utf8'), file);
  }
  const credential = `${DEFAULT_USER}:${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${credential}\n`, { mode: 0o600, flag: 'wx' });
  log(`generated the ZooKeeper digest credential of the platform's znodes in ${file}`);
  return parseCredential(credential, file);
}

export interface AclRoots {
  configRoot: string;
  switchRoot: string;
  dubboRoot: string;
}

/** The ACL a node at `p` gets; undefined: the client default (OPEN_ACL_UNSAFE). */
export type AclPolicy = (p: string) => readonly ACL[] | undefined;

function under(p: string, root: string): string[] | undefined {
  if (p === root) return [];
  if (!p.startsWith(`${root}/`)) return undefined;
  return p.slice(root.length + 1).split('/');
}

function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) out.push(p.slice(0, i));
  return out;
}

export function platformAcl(credential: DigestCredential, roots: AclRoots): AclPolicy {
  const owner = digestId(credential.user, credential.password);
  const locked: readonly ACL[] = Object.freeze([
    { perms: Perms.READ, id: ANYONE_ID_UNSAFE },
    { perms: Perms.ALL, id: owner },
  ]);
  const receipts: readonly ACL[] = Object.freeze([
    { perms: Perms.READ | Perms.CREATE | Perms.DELETE, id: ANYONE_ID_UNSAFE },
    { perms: Perms.ALL, id: owner },
  ]);
  // parents of the protected roots (e.g. /paddock) are the platform's namespace too
  const lockedAncestors = new Set([...ancestors(roots.configRoot), ...ancestors(roots.switchRoot)]);
  return (p) => {
    const cfg = under(p, roots.configRoot);
    if (cfg) {
      if (cfg[3] === 'listeners') return cfg.length === 4 ? receipts : undefined; // the receipts themselves: the clients'
      return locked;
    }
    const sw = under(p, roots.switchRoot);
    if (sw) {
      if (sw[1] === 'receipts') return sw.length === 2 ? receipts : undefined;
      return locked;
    }
    const dubbo = under(p, roots.dubboRoot);
    if (dubbo && dubbo.length >= 2 && (dubbo[1] === 'configurators' || dubbo[1] === 'routers')) return locked;
    if (lockedAncestors.has(p)) return locked;
    return undefined;
  };
}

/** Makes every create of this client (create, create2, multi/transaction ops) carry the policy's ACL unless one is given. */
export function enforceAclPolicy(client: ZooKeeperClient, policy: AclPolicy): void {
  const withAcl = (p: string, options: CreateOptions = {}): CreateOptions => {
    if (options.acl) return options;
    const acl = policy(p);
    return acl ? { ...options, acl } : options;
  };
  const create = client.create.bind(client);
  const create2 = client.create2.bind(client);
  const multi = client.multi.bind(client);
  client.create = (p: string, data?: Data, options?: CreateOptions) => create(p, data, withAcl(p, options));
  client.create2 = (p: string, data?: Data, options?: CreateOptions) => create2(p, data, withAcl(p, options));
  client.multi = (ops: readonly Op[]) => multi(ops.map((op) => (op.type === 'create' && !op.acl && policy(op.path) ? { ...op, acl: policy(op.path)! } : op)));
}

function sameAcl(a: readonly ACL[], b: readonly ACL[]): boolean {
  const key = (l: readonly ACL[]) => l.map((x) => `${x.perms}|${x.id.scheme}|${x.id.id}`).sort().join(',');
  return key(a) === key(b);
}

/**
 * Walks the protected subtrees (and their ancestors) and sets the policy's ACL where it differs. Needs ADMIN on the
 * nodes: true for nodes created open (world ALL) and for nodes already carrying the platform's ACL.
 * Returns the number of nodes changed.
 */
export async function secureExistingNodes(client: ZooKeeperClient, policy: AclPolicy, roots: AclRoots, log: (line: string) => void): Promise<number> {
  let changed = 0;
  const fix = async (p: string): Promise<boolean> => {
    const want = policy(p);
    if (!want) return true;
    try {
      const { acl, stat } = await client.getACL(p);
      if (!sameAcl(acl, want)) {
        await client.setACL(p, want, stat.aversion);
        changed++;
      }
      return true;
    } catch (error) {
      if (error instanceof NoNodeError) return false;
      log(`cannot set the ACL of ${p}: ${(error as Error).message}`);
      return true;
    }
  };
  const walk = async (p: string): Promise<void> => {
    if (!(await fix(p))) return;
    let children: string[];
    try {
      children = await client.getChildren(p);
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    for (const child of children) {
      const c = `${p}/${child}`;
      // ephemeral receipts belong to their clients
      if (policy(c) !== undefined) await walk(c);
    }
  };
  for (const root of [roots.configRoot, roots.switchRoot]) {
    for (const a of ancestors(root)) await fix(a);
    await walk(root);
  }
  const services = await client.getChildren(roots.dubboRoot).catch(() => [] as string[]);
  for (const s of services) for (const category of ['configurators', 'routers']) await walk(`${roots.dubboRoot}/${s}/${category}`);
  return changed;
}
