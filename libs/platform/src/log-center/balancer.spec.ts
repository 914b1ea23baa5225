import { describe, expect, it } from '@jest/globals';
import { balance, loadBySlave } from './balancer.js';

const t = (name: string, partitions = 1) => ({ name, partitions });

describe('balance', () => {
  it('places new topics by capacity (heaviest first, lowest ratio)', () => {
    const r = balance({
      topics: [t('a', 6), t('b', 3), t('c', 3)],
      slaves: [
        { group: 'g1', id: 's1', capacity: 12 },
        { group: 'g1', id: 's2', capacity: 6 },
      ],
    });
    const load = loadBySlave([t('a', 6), t('b', 3), t('c', 3)], r.assignment);
    expect(load.get('g1/s1')).toBe(6 + 3);
    expect(load.get('g1/s2')).toBe(3);
    expect(r.moves.every((m) => m.reason === 'new')).toBe(true);
  });

  it('respects pins, and leaves a pinned topic unassigned while its group has no live slave', () => {
    const slaves = [
      { group: 'g1', id: 's1', capacity: 10 },
      { group: 'g2', id: 's2', capacity: 10 },
    ];
    const r = balance({ topics: [t('a'), t('b')], slaves, pins: { a: 'g2', b: 'g3' }, current: { a: { group: 'g1', slave: 's1' } } });
    expect(r.assignment.a).toEqual({ group: 'g2', slave: 's2' });
    expect(r.moves.find((m) => m.topic === 'a')?.reason).toBe('pin');
    expect(r.assignment.b).toEqual({ group: 'g3', slave: null });
    expect(r.moves.find((m) => m.topic === 'b')?.reason).toBe('unassignable');
  });

  it('is sticky: a slave in grace keeps its topics; a dead one loses them within the group', () => {
    const slaves = [{ group: 'g1', id: 's2', capacity: 10 }];
    const current = { a: { group: 'g1', slave: 's1' } };
    const kept = balance({ topics: [t('a')], slaves, current, inGrace: [{ group: 'g1', id: 's1' }] });
    expect(kept.moves).toEqual([]);
    expect(kept.assignment.a).toEqual({ group: 'g1', slave: 's1' });
    const moved = balance({ topics: [t('a')], slaves, current });
    expect(moved.assignment.a).toEqual({ group: 'g1', slave: 's2' });
    expect(moved.moves[0]).toMatchObject({ topic: 'a', reason: 'slave-dead' });
  });

  it('moves an unpinned topic to another group when its group is gone; capacity 0 takes nothing', () => {
    const r = balance({
      topics: [t('a')],
      slaves: [
        { group: 'g2', id: 'z', capacity: 0 },
        { group: 'g3', id: 'y', capacity: 1 },
      ],
      current: { a: { group: 'g1', slave: 's1' } },
    });
    expect(r.assignment.a).toEqual({ group: 'g3', slave: 'y' });
    expect(r.moves[0]!.reason).toBe('group-gone');
  });

  it('rebalances within a group only when allowed, bounded by maxMoves', () => {
    const topics = [t('a'), t('b'), t('c'), t('d')];
    const current = Object.fromEntries(topics.map((x) => [x.name, { group: 'g', slave: 's1' }]));
    const slaves = [
      { group: 'g', id: 's1', capacity: 4 },
      { group: 'g', id: 's2', capacity: 4 },
    ];
    expect(balance({ topics, slaves, current }).moves).toEqual([]);
    const one = balance({ topics, slaves, current, maxMoves: 1 });
    expect(one.moves).toHaveLength(1);
    const all = balance({ topics, slaves, current, maxMoves: 10 });
    expect(all.moves).toHaveLength(2);
    expect(loadBySlave(topics, all.assignment).get('g/s2')).toBe(2);
  });

  it('reports removed topics', () => {
    const r = balance({ topics: [], slaves: [], current: { gone: { group: 'g', slave: 's' } } });
    expect(r.moves).toEqual([{ topic: 'gone', from: { group: 'g', slave: 's' }, to: null, reason: 'removed' }]);
  });
});
