/**
 * Which audit events a subscription receives: the event's type must match one of its type patterns AND its path
 * must lie under one of its path prefixes (no prefixes: any path).
 *
 * Type patterns: an exact type (`config.publish`), `*` (everything), or a trailing wildcard segment
 * (`switch.*` = `switch.set`, `switch.plan.execute`, ...; `switch.plan.*`). A `*` matches one or more characters,
 * so `switch.*` does not match a bare `switch`.
 * Path prefixes are whole segments: `/paddock/config/prod` covers `/paddock/config/prod` and
 * `/paddock/config/prod/billing/main`, not `/paddock/config/production`.
 */
export interface WebhookFilter {
  events: readonly string[];
  pathPrefixes: readonly string[];
}

/** Letters, digits, `-`, `_` in dot-separated segments; `*` may stand for a whole segment. */
export const EVENT_PATTERN = /^(\*|[a-z][a-z0-9_-]*(\.([a-z][a-z0-9_-]*|\*))*)$/;

export function typeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === type;
  const regex = new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.+') + '$');
  return regex.test(type);
}

export function pathMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || prefix === path) return true;
  const base = prefix.endsWith('/') ? prefix : prefix + '/';
  return path.startsWith(base);
}

export function matchesFilter(filter: WebhookFilter, event: { type: string; path: string }): boolean {
  if (!filter.events.some((p) => typeMatches(p, event.type))) return false;
  return filter.pathPrefixes.length === 0 || filter.pathPrefixes.some((p) => pathMatches(p, event.path));
}
