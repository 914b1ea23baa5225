import { describe, expect, it } from '@jest/globals';
import { clearedSessionCookie, csrfDenial, isHttps, parseCookies, sessionCookie, sessionFromCookie } from './session-cookie.js';

describe('session cookie', () => {
  it('parses a Cookie header and finds the session among other cookies', () => {
    expect(parseCookies('a=1; paddock_session=pds_abc%2Dx; b="q"')).toEqual(new Map([['a', '1'], ['paddock_session', 'pds_abc-x'], ['b', 'q']]));
    expect(sessionFromCookie({ cookie: 'other=1' })).toBeUndefined();
    expect(sessionFromCookie({ cookie: 'paddock_session=' })).toBeUndefined();
    expect(sessionFromCookie({ cookie: 'x=%E0%A4%A; paddock_session=pds_1' })).toBe('pds_1');
  });

  it('is HttpOnly and SameSite=Lax, Secure only over https, with the session lifetime as Max-Age', () => {
    const now = new Date(1_000_000);
    const plain = sessionCookie('pds_s', new Date(1_000_000 + 3_600_000), now, false);
    expect(plain).toBe('paddock_session=pds_s; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax');
    expect(sessionCookie('pds_s', new Date(0), now, true)).toMatch(/Max-Age=0; HttpOnly; SameSite=Lax; Secure$/);
    expect(clearedSessionCookie(false)).toMatch(/^paddock_session=; Path=\/; Max-Age=0;/);
    expect(isHttps({ 'x-forwarded-proto': 'https, http' })).toBe(true);
    expect(isHttps({ 'x-forwarded-proto': 'http' })).toBe(false);
    expect(isHttps({}, true)).toBe(true);
  });

  it('lets safe methods through and wants the CSRF header on state changes', () => {
    expect(csrfDenial('GET', {})).toBeNull();
    expect(csrfDenial('post', { 'x-paddock-csrf': '1' })).toBeNull();
    expect(csrfDenial('DELETE', {})).toMatch(/x-paddock-csrf/);
    expect(csrfDenial('PUT', { 'x-paddock-csrf': '  ' })).toMatch(/CSRF/);
  });
});
