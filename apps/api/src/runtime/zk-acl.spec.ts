import { describe, expect, it } from '@jest/globals';
import { digestId, Perms } from '@paddock/client';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIGEST_FILE, loadDigestCredential, platformAcl } from './zk-acl.js';

const roots = { configRoot: '/paddock/config', switchRoot: '/paddock/switches', dubboRoot: '/dubbo' };

describe('platform znode ACLs', () => {
  it('generates a credential once (0600) and reuses it; an explicit one wins', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zk-acl-'));
    try {
      const first = loadDigestCredential(undefined, dir);
      expect(first.user).toBe('paddock-api');
      expect(first.password.length).toBeGreaterThanOrEqual(32);
      expect(statSync(path.join(dir, DIGEST_FILE)).mode & 0o777).toBe(0o600);
      expect(readFileSync(path.join(dir, DIGEST_FILE), 'utf8').trim()).toBe(first.auth);
      expect(loadDigestCredential(undefined, dir)).toEqual(first);
      expect(loadDigestCredential('ops:s3cret:with:colons', dir)).toEqual({ user: 'ops', password: 's3cret:with:colons', auth: 'ops:s3cret:with:colons' });
      expect(() => loadDigestCredential('nocolon', dir)).toThrow(/user:password/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('locks the platform roots, leaves receipts and Dubbo registrations writable', () => {
    const policy = platformAcl({ user: 'u', password: 'p', auth: 'u:p' }, roots);
    const owner = { perms: Perms.ALL, id: digestId('u', 'p') };
    const locked = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }, owner];
    const receipts = [{ perms: Perms.READ | Perms.CREATE | Perms.DELETE, id: { scheme: 'world', id: 'anyone' } }, owner];
    for (const p of ['/paddock', '/paddock/config', '/paddock/config/prod/app/ns', '/paddock/config/prod/app/ns/versions/0000000001', '/paddock/switches/prod/items/x', '/paddock/switches/prod/revision', '/dubbo/com.acme.S/configurators', '/dubbo/com.acme.S/configurators/override%3A%2F%2F', '/dubbo/com.acme.S/routers']) {
      expect(policy(p)).toEqual(locked);
    }
    expect(policy('/paddock/config/prod/app/ns/listeners')).toEqual(receipts);
    expect(policy('/paddock/switches/prod/receipts')).toEqual(receipts);
    for (const p of ['/paddock/config/prod/app/ns/listeners/c1', '/paddock/switches/prod/receipts/c1', '/dubbo', '/dubbo/com.acme.S', '/dubbo/com.acme.S/providers', '/dubbo/com.acme.S/consumers/x', '/e2e', '/paddockx']) {
      expect(policy(p)).toBeUndefined();
    }
  });
});
