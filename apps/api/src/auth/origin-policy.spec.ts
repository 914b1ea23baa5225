import { describe, expect, it } from '@jest/globals';
import { OriginPolicy, parseAllowedOrigins } from './origin-policy.js';

describe('origin policy (login CSRF, cookie sockets)', () => {
  const policy = new OriginPolicy(parseAllowedOrigins(' https://console.corp:8443/ ,http://ops.local'));

  it('lets scripts without Origin through, and refuses a cross-site fetch that hides its Origin', () => {
    expect(policy.denial({ host: 'api:8080' }, 'login')).toBeNull();
    expect(policy.denial({ host: 'api:8080', 'sec-fetch-site': 'same-origin' }, 'login')).toBeNull();
    expect(policy.denial({ host: 'api:8080', 'sec-fetch-site': 'cross-site' }, 'login')).toMatch(/login refused: a cross-site request/);
  });

  it('accepts the own origin (Host or the proxy\'s X-Forwarded-Host) and the allow-list', () => {
    expect(policy.denial({ host: 'api:8080', origin: 'http://api:8080' }, 'login')).toBeNull();
    expect(policy.denial({ host: 'api.corp', origin: 'https://api.corp:443' }, 'login')).toBeNull();
    expect(policy.denial({ host: 'api.corp:443', origin: 'https://api.corp' }, 'login')).toBeNull();
    expect(policy.denial({ host: '127.0.0.1:8080', 'x-forwarded-host': 'console:3000', origin: 'http://console:3000' }, 'login')).toBeNull();
    expect(policy.denial({ host: 'api:8080', origin: 'https://console.corp:8443' }, 'login')).toBeNull();
    expect(policy.denial({ host: 'api:8080', origin: 'http://ops.local', 'sec-fetch-site': 'cross-site' }, 'login')).toBeNull();
  });

  it('refuses foreign, opaque and malformed origins, and a same-host Origin the browser calls cross-site', () => {
    expect(policy.denial({ host: 'api:8080', origin: 'https://evil.example' }, 'login')).toBe("login refused from origin https://evil.example: not this API's origin nor in PADDOCK_ALLOWED_ORIGINS");
    expect(policy.denial({ host: 'api:8080', origin: 'http://api:8081' }, 'bootstrap')).toMatch(/^bootstrap refused/);
    expect(policy.denial({ host: 'api:8080', origin: 'null' }, 'login')).toMatch(/refused from origin null/);
    expect(policy.denial({ host: 'api:8080', origin: 'http://api:8080', 'sec-fetch-site': 'cross-site' }, 'login')).toMatch(/refused/);
  });

  it('rejects an allow-list entry that is not an http(s) origin', () => {
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(() => parseAllowedOrigins('console.corp')).toThrow(/PADDOCK_ALLOWED_ORIGINS: "console.corp" is not an http\(s\) origin/);
  });
});
