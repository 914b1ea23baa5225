import { describe, expect, it } from '@jest/globals';
import { applySwitch, findSwitch, resolveFallback, switchId, SwitchFallbackError, validateFallback, type SwitchState } from './evaluate.js';

function sw(partial: Partial<SwitchState> & Pick<SwitchState, 'scope' | 'mode'>): SwitchState {
  return { id: switchId(partial.scope), fallback: { kind: 'null' }, version: 1, updatedAt: '', updatedBy: 't', ...partial };
}

describe('switch evaluation', () => {
  const service = sw({ scope: { service: 'S' }, mode: 'fail', fallback: { kind: 'value', value: 'svc' } });
  const method = sw({ scope: { service: 'S', method: 'get' }, mode: 'force', fallback: { kind: 'empty', of: 'array' } });
  const app = sw({ scope: { service: 'S', consumerApp: 'web' }, mode: 'force', fallback: { kind: 'value', value: 'app' } });
  const both = sw({ scope: { service: 'S', method: 'get', consumerApp: 'web' }, mode: 'force', fallback: { kind: 'value', value: { a: 1 } }, expiresAt: 1000 });
  const all = [service, method, app, both];

  it('picks the most specific active switch', () => {
    expect(findSwitch(all, { service: 'S', method: 'get', consumerApp: 'web' }, 0)).toBe(both);
    expect(findSwitch(all, { service: 'S', method: 'get', consumerApp: 'web' }, 1000)).toBe(method); // `both` expired
    expect(findSwitch(all, { service: 'S', method: 'put', consumerApp: 'web' }, 0)).toBe(app);
    expect(findSwitch(all, { service: 'S', method: 'put', consumerApp: 'api' }, 0)).toBe(service);
    expect(findSwitch(all, { service: 'T', method: 'get' }, 0)).toBeUndefined();
    expect(findSwitch([{ ...service, mode: 'off' }], { service: 'S', method: 'x' }, 0)).toBeUndefined();
  });

  it('resolves typed fallbacks as fresh values', () => {
    const v = resolveFallback<{ a: number }>(both);
    v.a = 2;
    expect(resolveFallback(both)).toEqual({ a: 1 });
    expect(resolveFallback(method)).toEqual([]);
    expect(resolveFallback({ id: 'x', fallback: { kind: 'empty', of: 'object' } })).toEqual({});
    expect(resolveFallback({ id: 'x', fallback: { kind: 'null' } })).toBeNull();
    expect(() => resolveFallback({ id: 'x', fallback: { kind: 'throw', message: 'degraded' } })).toThrow(SwitchFallbackError);
    expect(() => validateFallback({ kind: 'nope' } as never)).toThrow();
  });

  it('applies force (no call), fail (fallback on error) and none', async () => {
    let calls = 0;
    const ok = async () => {
      calls++;
      return 'real';
    };
    const bad = async (): Promise<string> => {
      calls++;
      throw new Error('down');
    };
    expect(await applySwitch(method, ok)).toEqual([]);
    expect(calls).toBe(0);
    expect(await applySwitch(service, ok)).toBe('real');
    expect(await applySwitch(service, bad)).toBe('svc');
    expect(calls).toBe(2);
    await expect(applySwitch(undefined, bad)).rejects.toThrow('down');
    expect(await applySwitch({ ...service, mode: 'off' }, ok)).toBe('real');
  });

  it('ids are znode-safe', () => {
    expect(switchId({ service: 'com.foo.S', method: 'a/b' })).toBe('com.foo.S%3Aa%2Fb%3A*');
  });
});
