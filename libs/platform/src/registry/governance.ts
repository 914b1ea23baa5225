/**
 * What a consumer makes of the registry: provider URLs + configurators (overrides) + routers ->
 * effective provider instances. Pure functions.
 *
 * Overrides (Dubbo 2.6 `override://host:port/service?...` under `configurators`):
 * - an override applies to a provider when its host is `0.0.0.0` or the provider's host, its port is 0 or the
 *   provider's port, `enabled` is not `false`, and its `application` (if any, not `*`) is the consumer's
 *   application;
 * - overrides apply in order: any-host before host-specific, then without before with `application`, then by
 *   `priority` (ascending), so the most specific wins;
 * - their parameters (except the bookkeeping keys `category`, `dynamic`, `enabled`, `application`,
 *   `priority`, `anyhost`, `paddock.*`) replace the provider's; `disabled=true` removes the provider from
 *   the candidates, `weight=N` sets its weight;
 * - `paddock.expires=<epoch ms>`: the override is ignored from that time on (TTL auto-revert; the operator
 *   side also deletes expired overrides, see RegistryService.expireDue).
 *
 * Condition routes (`condition://0.0.0.0/service?category=routers&rule=<URL.encode(rule)>&force=..&enabled=..&priority=..`),
 * a documented subset of Dubbo's ConditionRouter:
 * - rule `when => then`; an empty `when` matches every call, an empty `then` means "no provider" (a blacklist);
 * - a side is `cond [& cond]*`, cond is `key = v1,v2` or `key != v1,v2`; a value may start and/or end with
 *   `*` (wildcard); `$param` references and regular expressions are not supported;
 * - `when` keys: `host` (consumer host), `application` (consumer app), `method`, or any consumer param;
 * - `then` keys: `host`, `port`, `address` (host:port), `protocol`, `application` (provider app) or any
 *   provider URL param;
 * - routes apply by descending `priority`; a route whose result is empty is ignored unless `force=true`;
 *   `enabled=false` or `runtime`-only concerns are ignored (routes are always evaluated per call).
 */
import { DubboUrl } from './url.js';
import { javaUrlDecode } from './url.js';
import { warmedWeight } from './load-balance.js';

export const DEFAULT_WEIGHT = 100;
export const EXPIRES_PARAM = 'paddock.expires';

const BOOKKEEPING = new Set(['category', 'dynamic', 'enabled', 'application', 'priority', 'anyhost', 'side', 'timestamp', 'interface']);

export interface ProviderInstance {
  /** The registry node name (URL-encoded provider URL). */
  readonly id: string;
  /** The provider's own URL (as registered). */
  readonly url: DubboUrl;
  /** The URL after overrides. */
  readonly effective: DubboUrl;
  readonly address: string;
  readonly weight: number;
  readonly disabled: boolean;
}

export interface ConsumerInfo {
  application: string;
  host: string;
  parameters?: Record<string, string>;
}

function isAnyHost(host: string): boolean {
  return host === '0.0.0.0' || host === '*' || host === '';
}

export function overrideMatches(override: DubboUrl, provider: DubboUrl, consumer: ConsumerInfo | undefined, now: number): boolean {
  if (override.protocol !== 'override') return false;
  if (override.param('enabled') === 'false') return false;
  const expires = override.param(EXPIRES_PARAM);
  if (expires !== undefined && Number(expires) <= now) return false;
  if (!isAnyHost(override.host) && override.host !== provider.host) return false;
  if (override.port !== 0 && override.port !== provider.port) return false;
  const app = override.param('application');
  if (app !== undefined && app !== '*' && consumer !== undefined && app !== consumer.application) return false;
  return true;
}

function overrideOrder(a: DubboUrl, b: DubboUrl): number {
  const spec = (u: DubboUrl) => (isAnyHost(u.host) ? 0 : 2) + (u.param('application') && u.param('application') !== '*' ? 1 : 0);
  return spec(a) - spec(b) || a.numberParam('priority', 0) - b.numberParam('priority', 0);
}

/** The provider URL with the matching overrides applied. */
export function applyOverrides(provider: DubboUrl, overrides: readonly DubboUrl[], consumer?: ConsumerInfo, now = Date.now()): DubboUrl {
  const matching = overrides.filter((o) => overrideMatches(o, provider, consumer, now)).sort(overrideOrder);
  let url = provider;
  for (const o of matching) {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.parameters)) if (!BOOKKEEPING.has(k) && !k.startsWith('paddock.')) params[k] = v;
    url = url.with(params);
  }
  return url;
}

/** Effective instances from provider node names and override URLs (unparseable names are skipped). */
export function buildInstances(
  providerNodes: readonly string[],
  overrides: readonly DubboUrl[],
  consumer?: ConsumerInfo,
  now = Date.now(),
): ProviderInstance[] {
  const out: ProviderInstance[] = [];
  for (const id of providerNodes) {
    let url: DubboUrl;
    try {
      url = DubboUrl.fromNodeName(id);
    } catch {
      continue;
    }
    const effective = applyOverrides(url, overrides, consumer, now);
    const base = effective.numberParam('weight', DEFAULT_WEIGHT);
    const warmup = effective.param('warmup');
    const weight = warmedWeight(base, url.numberParam('timestamp', 0) || undefined, warmup ? Number(warmup) : undefined, now);
    out.push({ id, url, effective, address: url.address, weight, disabled: effective.boolParam('disabled', false) });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ------------------------------------------------------------------------------------------ routes

export interface Condition {
  key: string;
  op: '=' | '!=';
  values: string[];
}

export interface ConditionRule {
  when: Condition[];
  /** null: empty `then` (no provider). */
  then: Condition[] | null;
}

export class RouteRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteRuleError';
  }
}

function parseSide(text: string): Condition[] {
  const out: Condition[] = [];
  for (const raw of text.split('&')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = /^([A-Za-z0-9_.-]+)\s*(!=|=)\s*(.*)$/.exec(part);
    if (!m) throw new RouteRuleError(`bad condition "${part}"`);
    const values = m[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) throw new RouteRuleError(`no value in condition "${part}"`);
    for (const v of values) if (v.startsWith('$') || /[()[\]{}^]/.test(v)) throw new RouteRuleError(`unsupported value "${v}" (subset: literals with * wildcards)`);
    out.push({ key: m[1]!, op: m[2] as '=' | '!=', values });
  }
  return out;
}

/** Parses `when => then`. */
export function parseConditionRule(rule: string): ConditionRule {
  const i = rule.indexOf('=>');
  const whenText = i < 0 ? '' : rule.slice(0, i);
  const thenText = i < 0 ? rule : rule.slice(i + 2);
  const then = parseSide(thenText);
  return { when: parseSide(whenText), then: then.length === 0 ? null : then };
}

export function formatConditionRule(rule: ConditionRule): string {
  const side = (cs: Condition[]) => cs.map((c) => `${c.key} ${c.op} ${c.values.join(',')}`).join(' & ');
  return `${side(rule.when)}${rule.when.length ? ' ' : ''}=>${rule.then ? ` ${side(rule.then)}` : ''}`;
}

function glob(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const starts = pattern.startsWith('*');
  const ends = pattern.endsWith('*') && pattern.length > 1;
  const core = pattern.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (starts && ends) return value.includes(core);
  if (starts) return value.endsWith(core);
  if (ends) return value.startsWith(core);
  return value === pattern;
}

function conditionsMatch(conditions: readonly Condition[], lookup: (key: string) => string | undefined): boolean {
  for (const c of conditions) {
    const v = lookup(c.key);
    const hit = v !== undefined && c.values.some((p) => glob(p, v));
    if (c.op === '=' ? !hit : hit) return false;
  }
  return true;
}

export interface CallContext {
  consumer: ConsumerInfo;
  method: string;
}

export interface Route {
  /** Node name of the router URL. */
  id: string;
  rule: ConditionRule;
  force: boolean;
  priority: number;
  enabled: boolean;
}

/** A router node (condition://...) as a Route; undefined for other protocols or bad rules. */
export function routeFromUrl(id: string, url: DubboUrl): Route | undefined {
  if (url.protocol !== 'condition') return undefined;
  const raw = url.param('rule');
  if (raw === undefined) return undefined;
  try {
    return {
      id,
      rule: parseConditionRule(javaUrlDecode(raw)),
      force: url.boolParam('force', false),
      priority: url.numberParam('priority', 0),
      enabled: url.boolParam('enabled', true),
    };
  } catch {
    return undefined;
  }
}

function consumerLookup(ctx: CallContext): (key: string) => string | undefined {
  return (key) => {
    if (key === 'host') return ctx.consumer.host;
    if (key === 'application') return ctx.consumer.application;
    if (key === 'method') return ctx.method;
    return ctx.consumer.parameters?.[key];
  };
}

function providerLookup(p: ProviderInstance): (key: string) => string | undefined {
  const u = p.effective;
  return (key) => {
    if (key === 'host') return u.host;
    if (key === 'port') return String(u.port);
    if (key === 'address') return u.address;
    if (key === 'protocol') return u.protocol;
    return u.param(key);
  };
}

/** Applies the routes to the candidates of one call. */
export function applyRoutes<T extends ProviderInstance>(candidates: readonly T[], routes: readonly Route[], ctx: CallContext): readonly T[] {
  let list = candidates;
  const ordered = routes.filter((r) => r.enabled).sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
  for (const r of ordered) {
    if (!conditionsMatch(r.rule.when, consumerLookup(ctx))) continue;
    const then = r.rule.then;
    const result = then === null ? [] : list.filter((p) => conditionsMatch(then, providerLookup(p)));
    if (result.length > 0 || r.force) list = result;
  }
  return list;
}
