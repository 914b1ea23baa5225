import { describe, expect, it } from '@jest/globals';
import { applyRoutes, buildInstances, formatConditionRule, parseConditionRule, routeFromUrl, RouteRuleError } from './governance.js';
import { DubboUrl, javaUrlEncode } from './url.js';

const provider = (host: string, port: number, extra = '') =>
  DubboUrl.parse(`http://${host}:${port}/com.foo.S?application=svc&interface=com.foo.S&side=provider&weight=100${extra}`).toNodeName();
const consumer = { application: 'web', host: '10.0.0.9' };

describe('overrides', () => {
  const nodes = [provider('10.0.0.1', 80), provider('10.0.0.2', 80), provider('10.0.0.3', 80, '&version=2')];

  it('disable and weight per instance, any-host defaults, consumer-app scope, expiry', () => {
    const overrides = [
      DubboUrl.parse('override://10.0.0.1:80/com.foo.S?category=configurators&disabled=true&dynamic=false&enabled=true'),
      DubboUrl.parse('override://0.0.0.0/com.foo.S?category=configurators&weight=50&dynamic=false'),
      DubboUrl.parse('override://10.0.0.2:80/com.foo.S?category=configurators&weight=300&dynamic=false'),
      DubboUrl.parse('override://10.0.0.3:80/com.foo.S?category=configurators&weight=7&application=other'),
      DubboUrl.parse('override://10.0.0.3:80/com.foo.S?category=configurators&weight=9&paddock.expires=1000'),
      DubboUrl.parse('override://10.0.0.3:80/com.foo.S?category=configurators&weight=1&enabled=false'),
    ];
    const list = buildInstances(nodes, overrides, consumer, 2000);
    const by = Object.fromEntries(list.map((p) => [p.url.host, p]));
    expect(by['10.0.0.1']).toMatchObject({ disabled: true, weight: 50 });
    expect(by['10.0.0.2']).toMatchObject({ disabled: false, weight: 300 });
    expect(by['10.0.0.3']).toMatchObject({ disabled: false, weight: 50 });
    expect(buildInstances(nodes, overrides, consumer, 500).find((p) => p.url.host === '10.0.0.3')!.weight).toBe(9);
    expect(buildInstances(nodes, overrides, { application: 'other', host: 'h' }, 2000).find((p) => p.url.host === '10.0.0.3')!.weight).toBe(7);
  });

  it('skips names that are not URLs', () => {
    expect(buildInstances(['garbage', ...nodes], [])).toHaveLength(3);
  });
});

describe('condition routes', () => {
  const instances = buildInstances([provider('10.0.0.1', 80), provider('10.0.0.2', 80), provider('10.0.0.3', 81, '&version=2')], []);

  it('parses and formats the subset', () => {
    const r = parseConditionRule('application = web & method != get* => host = 10.0.0.1,10.0.0.2');
    expect(r.when).toEqual([
      { key: 'application', op: '=', values: ['web'] },
      { key: 'method', op: '!=', values: ['get*'] },
    ]);
    expect(formatConditionRule(r)).toBe('application = web & method != get* => host = 10.0.0.1,10.0.0.2');
    expect(parseConditionRule('=> version = 2').when).toEqual([]);
    expect(parseConditionRule('host = 1.2.3.4 =>').then).toBeNull();
    expect(() => parseConditionRule('host = $x => port = 1')).toThrow(RouteRuleError);
    expect(() => parseConditionRule('bogus => port = 1')).toThrow(RouteRuleError);
  });

  it('filters per call, ignores empty results unless forced, applies by priority', () => {
    const route = (rule: string, extra = '') => {
      const url = DubboUrl.parse(`condition://0.0.0.0/com.foo.S?category=routers&rule=${javaUrlEncode(rule)}${extra}`);
      return routeFromUrl(url.toNodeName(), url)!;
    };
    const hosts = (list: readonly { url: DubboUrl }[]) => list.map((p) => p.url.host);
    const ctx = { consumer, method: 'getUser' };
    expect(hosts(applyRoutes(instances, [route('application = web => version = 2')], ctx))).toEqual(['10.0.0.3']);
    expect(hosts(applyRoutes(instances, [route('application = other => version = 2')], ctx))).toHaveLength(3);
    expect(hosts(applyRoutes(instances, [route('method = get* => port != 81')], ctx))).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(hosts(applyRoutes(instances, [route('=> host = 9.9.9.9')], ctx))).toHaveLength(3);
    expect(hosts(applyRoutes(instances, [route('=> host = 9.9.9.9', '&force=true')], ctx))).toEqual([]);
    expect(hosts(applyRoutes(instances, [route('host = 10.0.0.* =>', '&force=true')], ctx))).toEqual([]);
    expect(hosts(applyRoutes(instances, [route('=> host = 10.0.0.1', '&enabled=false')], ctx))).toHaveLength(3);
    const two = [route('=> host = 10.0.0.1,10.0.0.2', '&priority=5'), route('=> host = 10.0.0.2', '&priority=1')];
    expect(hosts(applyRoutes(instances, two, ctx))).toEqual(['10.0.0.2']);
  });
});
