import { describe, expect, it } from '@jest/globals';
import { retryDelayMs, webhookSettingsFromEnv } from './webhook-config.js';
import { EVENT_PATTERN, matchesFilter, pathMatches, typeMatches } from './webhook-filter.js';
import { CreateWebhookBody } from './webhooks.dto.js';

describe('webhook filters', () => {
  it('matches types exactly, by trailing wildcard segments, or all', () => {
    expect(typeMatches('config.publish', 'config.publish')).toBe(true);
    expect(typeMatches('config.publish', 'config.rollback')).toBe(false);
    expect(typeMatches('switch.*', 'switch.set')).toBe(true);
    expect(typeMatches('switch.*', 'switch.plan.execute')).toBe(true);
    expect(typeMatches('switch.*', 'switch')).toBe(false);
    expect(typeMatches('switch.*', 'switches.set')).toBe(false);
    expect(typeMatches('switch.plan.*', 'switch.set')).toBe(false);
    expect(typeMatches('*', 'znode.create')).toBe(true);
    // the pattern's dots are literal, not regex wildcards
    expect(typeMatches('config.publish', 'configXpublish')).toBe(false);
    expect(typeMatches('config.*', 'configXpublish')).toBe(false);
  });

  it('matches path prefixes by whole segments', () => {
    expect(pathMatches('/paddock/config/prod', '/paddock/config/prod')).toBe(true);
    expect(pathMatches('/paddock/config/prod', '/paddock/config/prod/billing/main')).toBe(true);
    expect(pathMatches('/paddock/config/prod/', '/paddock/config/prod/billing/main')).toBe(true);
    expect(pathMatches('/paddock/config/prod', '/paddock/config/production/x')).toBe(false);
    expect(pathMatches('/', '/anything')).toBe(true);
  });

  it('needs a matching type and (when prefixes are given) a matching path', () => {
    const filter = { events: ['config.publish', 'switch.*'], pathPrefixes: ['/paddock/config/prod', '/paddock/switches/prod'] };
    expect(matchesFilter(filter, { type: 'config.publish', path: '/paddock/config/prod/billing/main' })).toBe(true);
    expect(matchesFilter(filter, { type: 'switch.set', path: '/paddock/switches/prod/items/x' })).toBe(true);
    expect(matchesFilter(filter, { type: 'config.publish', path: '/paddock/config/staging/billing/main' })).toBe(false);
    expect(matchesFilter(filter, { type: 'znode.create', path: '/paddock/config/prod/x' })).toBe(false);
    expect(matchesFilter({ events: ['*'], pathPrefixes: [] }, { type: 'webhook.create', path: '/webhooks/1' })).toBe(true);
  });

  it('accepts only well-formed type patterns', () => {
    for (const ok of ['*', 'config.publish', 'switch.*', 'switch.plan.*', 'datasync.task.complete', 'logcenter.*']) expect(EVENT_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', 'Config.publish', 'switch.', '.set', 'switch*', 'sw*tch.set', 'a..b', 'switch.set ']) expect(EVENT_PATTERN.test(bad)).toBe(false);
  });
});

describe('webhook subscription input', () => {
  const base = { name: 'ops', url: 'https://hooks.example.com/paddock' };

  it('takes http(s) URLs and defaults to every event, every path, enabled', () => {
    expect(CreateWebhookBody.parse(base)).toEqual({ ...base, events: ['*'], pathPrefixes: [], enabled: true });
    expect(CreateWebhookBody.safeParse({ ...base, url: 'http://127.0.0.1:9000/hook?x=1' }).success).toBe(true);
  });

  it('rejects other schemes, relative URLs, credentials and bad filters with a message', () => {
    const message = (input: unknown) => {
      const r = CreateWebhookBody.safeParse(input);
      return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(message({ ...base, url: 'ftp://example.com/x' })).toContain('url: must use http or https, not ftp');
    expect(message({ ...base, url: 'not a url' })).toContain('url: must be an absolute http:// or https:// URL');
    expect(message({ ...base, url: 'https://user:pw@example.com/' })).toContain('must not carry credentials');
    expect(message({ ...base, events: ['switch*'] })).toContain('events.0:');
    expect(message({ ...base, events: [] })).toContain('at least one event type pattern');
    expect(message({ ...base, pathPrefixes: ['paddock'] })).toContain('pathPrefixes.0: a path starting with /');
    expect(message({ ...base, secret: 'short' })).toContain('secret: at least 16 characters');
  });
});

describe('webhook settings', () => {
  it('reads attempts, backoff, timeout, concurrency, retention, sweep and worker from the environment', () => {
    const day = 86_400_000;
    expect(webhookSettingsFromEnv({})).toEqual({ attempts: 8, backoffMs: 2000, timeoutMs: 10_000, concurrency: 4, retentionMs: 14 * day, deadRetentionMs: 30 * day, sweepMs: 30_000, worker: true });
    expect(
      webhookSettingsFromEnv({
        PADDOCK_WEBHOOK_ATTEMPTS: '3',
        PADDOCK_WEBHOOK_BACKOFF_MS: '50',
        PADDOCK_WEBHOOK_TIMEOUT_MS: '500',
        PADDOCK_WEBHOOK_CONCURRENCY: '2',
        PADDOCK_WEBHOOK_RETENTION_DAYS: '0.5',
        PADDOCK_WEBHOOK_DEAD_RETENTION_DAYS: '90',
        PADDOCK_WEBHOOK_SWEEP_MS: '1000',
        PADDOCK_WEBHOOK_WORKER: 'false',
      }),
    ).toEqual({ attempts: 3, backoffMs: 50, timeoutMs: 500, concurrency: 2, retentionMs: day / 2, deadRetentionMs: 90 * day, sweepMs: 1000, worker: false });
    expect(() => webhookSettingsFromEnv({ PADDOCK_WEBHOOK_ATTEMPTS: '0' })).toThrow('PADDOCK_WEBHOOK_ATTEMPTS must be an integer from 1 to 50');
    expect(() => webhookSettingsFromEnv({ PADDOCK_WEBHOOK_RETENTION_DAYS: '0' })).toThrow('PADDOCK_WEBHOOK_RETENTION_DAYS must be a number of days above 0');
    expect(() => webhookSettingsFromEnv({ PADDOCK_WEBHOOK_DEAD_RETENTION_DAYS: 'forever' })).toThrow('PADDOCK_WEBHOOK_DEAD_RETENTION_DAYS must be a number of days');
    expect(() => webhookSettingsFromEnv({ PADDOCK_WEBHOOK_WORKER: 'off' })).toThrow('PADDOCK_WEBHOOK_WORKER must be 1/true or 0/false');
  });

  it('doubles the retry delay each time', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs({ backoffMs: 100 }, n))).toEqual([100, 200, 400, 800]);
  });
});
