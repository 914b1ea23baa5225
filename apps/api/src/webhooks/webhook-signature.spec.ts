import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { deliveryHeaders, generateSecret, signBody, verifySignature } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_0123456789abcdef';
  const body = JSON.stringify({ id: 'd-1', type: 'config.publish', event: { path: '/paddock/config/prod/a/b', after: { note: 'grüße' } } });

  it('is sha256=<hex HMAC-SHA256 of the raw UTF-8 body>', () => {
    const expected = createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex');
    expect(signBody(secret, body)).toBe(`sha256=${expected}`);
    expect(signBody(secret, Buffer.from(body, 'utf8'))).toBe(`sha256=${expected}`);
  });

  it('verifies the exact bytes with the right secret only', () => {
    const signature = signBody(secret, body);
    expect(verifySignature(secret, body, signature)).toBe(true);
    expect(verifySignature(secret, body + ' ', signature)).toBe(false);
    expect(verifySignature('whsec_another-secret-0000', body, signature)).toBe(false);
    // re-serialising the parsed JSON is not the raw body when the sender's bytes differ (spacing)
    expect(verifySignature(secret, JSON.stringify(JSON.parse(body), null, 1), signature)).toBe(false);
  });

  it('rejects malformed signatures without throwing', () => {
    for (const bad of [undefined, null, '', 'sha1=abc', 'sha256=', 'sha256=zz', signBody(secret, body).slice(0, -2)]) {
      expect(verifySignature(secret, body, bad)).toBe(false);
    }
  });

  it('builds the per-attempt headers: event, stable delivery id, unix timestamp, signature', () => {
    const headers = deliveryHeaders({ secret, body, eventType: 'config.publish', deliveryId: 'd-1', now: new Date('2026-01-02T03:04:05.678Z') });
    expect(headers).toEqual({
      'content-type': 'application/json',
      'user-agent': 'Paddock-Webhooks/1',
      'X-Paddock-Event': 'config.publish',
      'X-Paddock-Delivery': 'd-1',
      'X-Paddock-Timestamp': String(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000),
      'X-Paddock-Signature': signBody(secret, body),
    });
  });

  it('generates distinct 256-bit secrets', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(a);
  });
});
