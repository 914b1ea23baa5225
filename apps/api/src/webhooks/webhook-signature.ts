/**
 * Signing of webhook deliveries. `X-Paddock-Signature: sha256=<hex HMAC-SHA256 of the raw request body, keyed with
 * the subscription's secret>`; receivers recompute it over the bytes they received (before any JSON parsing) and
 * compare in constant time. `X-Paddock-Timestamp` (unix seconds of the attempt) lets them refuse stale replays.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-paddock-signature';
export const EVENT_HEADER = 'x-paddock-event';
export const DELIVERY_HEADER = 'x-paddock-delivery';
export const TIMESTAMP_HEADER = 'x-paddock-timestamp';

const PREFIX = 'sha256=';

/** `sha256=<hex>` of the body (a string is taken as its UTF-8 bytes). */
export function signBody(secret: string, body: string | Uint8Array): string {
  return PREFIX + createHmac('sha256', secret).update(body).digest('hex');
}

/** Whether `signature` is the signature of `body` under `secret` (constant-time; false for any malformed value). */
export function verifySignature(secret: string, body: string | Uint8Array, signature: string | undefined | null): boolean {
  if (typeof signature !== 'string' || !signature.startsWith(PREFIX)) return false;
  const given = Buffer.from(signature.slice(PREFIX.length), 'hex');
  const expected = Buffer.from(signBody(secret, body).slice(PREFIX.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A fresh secret (256 random bits) for a subscription created without one. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The headers of one attempt (the body is signed once; the timestamp is per attempt). */
export function deliveryHeaders(opts: { secret: string; body: string; eventType: string; deliveryId: string; now?: Date }): Record<string, string> {
  const now = opts.now ?? new Date();
  return {
    'content-type': 'application/json',
    'user-agent': 'Paddock-Webhooks/1',
    'X-Paddock-Event': opts.eventType,
    'X-Paddock-Delivery': opts.deliveryId,
    'X-Paddock-Timestamp': String(Math.floor(now.getTime() / 1000)),
    'X-Paddock-Signature': signBody(opts.secret, opts.body),
  };
}
