import { describe, expect, it } from '@jest/globals';
import { GrayRulesError, checkGrayRules, grayBucket, matchesGrayRules } from './gray-rules.js';

const ref = { env: 'prod', app: 'checkout', namespace: 'application' };

describe('gray rules', () => {
  it('selects by client id, IP or every label (any criterion matches)', () => {
    const rules = { clientIds: ['c-1'], ips: ['10.0.0.7'], labels: { zone: 'eu-1', tier: 'canary' } };
    expect(matchesGrayRules(rules, ref, { clientId: 'c-1' })).toBe(true);
    expect(matchesGrayRules(rules, ref, { clientId: 'c-2', ip: '10.0.0.7' })).toBe(true);
    expect(matchesGrayRules(rules, ref, { clientId: 'c-3', labels: { zone: 'eu-1', tier: 'canary', extra: 'x' } })).toBe(true);
    expect(matchesGrayRules(rules, ref, { clientId: 'c-4', labels: { zone: 'eu-1' } })).toBe(false);
    expect(matchesGrayRules(rules, ref, { clientId: 'c-5', ip: '10.0.0.8' })).toBe(false);
  });

  it('hashes the percentage bucket stably: same value in every run, per namespace, in 0..9999', () => {
    // fixed expectations: a change of the hash would move clients between gray and main across an upgrade
    expect(grayBucket(ref, 'checkout-1')).toBe(grayBucket({ ...ref }, 'checkout-1'));
    const buckets = ['checkout-1', 'checkout-2', 'checkout-3'].map((id) => grayBucket(ref, id));
    expect(buckets).toEqual(buckets.map((b) => Math.trunc(b)));
    for (const b of buckets) expect(b).toBeGreaterThanOrEqual(0);
    for (const b of buckets) expect(b).toBeLessThan(10_000);
    expect(grayBucket(ref, 'checkout-1')).toBe(7946);
    expect(grayBucket({ ...ref, namespace: 'other' }, 'checkout-1')).not.toBe(grayBucket(ref, 'checkout-1'));
  });

  it('selects about the given share of clients, and widening keeps those already selected', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `instance-${i}`);
    const selected = (percentage: number) => new Set(ids.filter((clientId) => matchesGrayRules({ percentage }, ref, { clientId })));
    const ten = selected(10);
    const thirty = selected(30);
    expect(ten.size / ids.length).toBeGreaterThan(0.08);
    expect(ten.size / ids.length).toBeLessThan(0.12);
    expect(thirty.size / ids.length).toBeGreaterThan(0.27);
    expect(thirty.size / ids.length).toBeLessThan(0.33);
    for (const id of ten) expect(thirty.has(id)).toBe(true);
    expect(selected(100).size).toBe(ids.length);
    expect(selected(0.01).size).toBeLessThan(10);
  });

  it('rejects rules that are malformed or select nobody', () => {
    expect(() => checkGrayRules({})).toThrow(GrayRulesError);
    expect(() => checkGrayRules({ percentage: 0 })).toThrow(/select clients/);
    expect(() => checkGrayRules({ percentage: 101 })).toThrow(/0..100/);
    expect(() => checkGrayRules({ percentage: 12.345 })).toThrow(/two decimals/);
    expect(() => checkGrayRules({ clientIds: [''] })).toThrow(/clientIds/);
    expect(() => checkGrayRules({ labels: {} })).toThrow(/labels/);
    expect(() => checkGrayRules({ nope: 1 } as never)).toThrow(/unknown field/);
    expect(checkGrayRules({ percentage: 12.5, ips: ['10.0.0.1'] })).toEqual({ percentage: 12.5, ips: ['10.0.0.1'] });
    expect(new GrayRulesError('x')).toBeInstanceOf(RangeError);
  });
});
