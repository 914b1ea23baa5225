import { describe, expect, it } from '@jest/globals';
import { DubboUrl, categoryDir, javaUrlDecode, javaUrlEncode, urlPath } from './url.js';

describe('Dubbo URL encoding', () => {
  it('encodes like java.net.URLEncoder (UTF-8)', () => {
    expect(javaUrlEncode('dubbo://10.0.0.1:20880/com.foo.DemoService?anyhost=true&application=demo')).toBe(
      'dubbo%3A%2F%2F10.0.0.1%3A20880%2Fcom.foo.DemoService%3Fanyhost%3Dtrue%26application%3Ddemo',
    );
    expect(javaUrlEncode("a b*c-d_e.f~g!h'i(j)k")).toBe('a+b*c-d_e.f%7Eg%21h%27i%28j%29k');
    expect(javaUrlEncode('ü,/')).toBe('%C3%BC%2C%2F');
    expect(javaUrlDecode('a+b%2Cc')).toBe('a b,c');
  });

  it('round-trips any string', () => {
    for (const s of ['', 'x', 'host = 10.0.0.1 => host != 10.0.0.2', '中文 & = ? % +']) expect(javaUrlDecode(javaUrlEncode(s))).toBe(s);
  });
});

describe('DubboUrl', () => {
  const text = 'dubbo://10.0.0.1:20880/com.foo.DemoService?weight=100&anyhost=true&application=demo&interface=com.foo.DemoService&methods=sayHello,bye&side=provider&timestamp=1700000000000';

  it('parses protocol, host, port, path and parameters', () => {
    const u = DubboUrl.parse(text);
    expect(u.protocol).toBe('dubbo');
    expect(u.host).toBe('10.0.0.1');
    expect(u.port).toBe(20880);
    expect(u.path).toBe('com.foo.DemoService');
    expect(u.address).toBe('10.0.0.1:20880');
    expect(u.param('methods')).toBe('sayHello,bye');
    expect(u.numberParam('weight', 0)).toBe(100);
    expect(u.serviceInterface).toBe('com.foo.DemoService');
  });

  it('writes parameters sorted (toFullString) and round-trips through a node name', () => {
    const u = DubboUrl.parse(text);
    expect(u.toFullString()).toBe(
      'dubbo://10.0.0.1:20880/com.foo.DemoService?anyhost=true&application=demo&interface=com.foo.DemoService&methods=sayHello,bye&side=provider&timestamp=1700000000000&weight=100',
    );
    const back = DubboUrl.fromNodeName(u.toNodeName());
    expect(back.toFullString()).toBe(u.toFullString());
    expect(u.toNodeName()).not.toMatch(/[/:?&=]/);
  });

  it('handles credentials, no port, a bare key and the service key', () => {
    const u = DubboUrl.parse('override://admin:pw@0.0.0.0/com.foo.S?disabled=true&flag&group=g&version=1.0');
    expect(u.username).toBe('admin');
    expect(u.password).toBe('pw');
    expect(u.port).toBe(0);
    expect(u.param('flag')).toBe('flag');
    expect(u.serviceKey).toBe('g/com.foo.S:1.0');
    expect(u.with({ disabled: undefined, weight: '5' }).toFullString()).toBe('override://admin:pw@0.0.0.0/com.foo.S?flag=flag&group=g&version=1.0&weight=5');
  });

  it('rejects what is not a URL', () => {
    expect(() => DubboUrl.parse('')).toThrow();
    expect(() => DubboUrl.parse('no-protocol/x')).toThrow();
    expect(() => DubboUrl.parse('dubbo://h:99999/x')).toThrow();
  });

  it('places nodes the way Dubbo does', () => {
    const u = DubboUrl.parse(text);
    expect(categoryDir('com.foo.DemoService', 'providers')).toBe('/dubbo/com.foo.DemoService/providers');
    expect(urlPath(u, 'providers')).toBe(`/dubbo/com.foo.DemoService/providers/${u.toNodeName()}`);
  });
});
