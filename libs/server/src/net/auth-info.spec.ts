import { describe, expect, it } from '@jest/globals';
import { digestId } from '@paddock/data-tree';
import type { Id } from '@paddock/protocol';
import { addAuthId } from './auth-info.js';

describe('addAuthId', () => {
  it('keeps ids deduplicated in the order ZooKeeper 3.8 lists them (whoAmI as observed on a real server)', () => {
    const ids: Id[] = [{ scheme: 'ip', id: '127.0.0.1' }];
    expect(addAuthId(ids, { scheme: 'digest', id: digestId('user:wrong') })).toBe(true);
    expect(addAuthId(ids, { scheme: 'digest', id: digestId('nocolon') })).toBe(true);
    expect(addAuthId(ids, { scheme: 'ip', id: '127.0.0.1' })).toBe(false);
    expect(ids.map((i) => `${i.scheme}:${i.id.split(':')[0]}`)).toEqual(['digest:nocolon', 'ip:127.0.0.1', 'digest:user']);
  });
});
