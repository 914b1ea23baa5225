/**
 * Degradation switches, the pure part: scopes, modes, typed fallbacks and which switch applies to a call.
 *
 * - A switch is scoped to a service, optionally narrowed to one method and/or one consumer application.
 * - Modes: `off`; `force` (never call the provider, return the fallback: Dubbo `mock=force:`); `fail`
 *   (call it, return the fallback when the call fails: Dubbo `mock=fail:`).
 * - Only active switches (mode `force`/`fail`, not expired: `expiresAt` > now) take part; the most specific
 *   one wins: method+app > method > app > service. So clients revert exactly at `expiresAt` even before the
 *   backend's `expireDue` writes the switch off.
 * - Fallbacks are typed: `null`, a JSON `value`, an `empty` array/object/string, or `throw` (fail fast
 *   with a {@link SwitchFallbackError} carrying a message).
 */
import { javaUrlEncode } from '../registry/url.js';

export interface SwitchScope {
  service: string;
  method?: string;
  consumerApp?: string;
}

export type SwitchMode = 'off' | 'force' | 'fail';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export type FallbackValue =
  | { kind: 'null' }
  | { kind: 'value'; value: JsonValue }
  | { kind: 'empty'; of: 'array' | 'object' | 'string' }
  | { kind: 'throw'; message: string };

export interface SwitchState {
  id: string;
  scope: SwitchScope;
  mode: SwitchMode;
  fallback: FallbackValue;
  /** Epoch ms; after it the switch no longer applies (and expireDue writes it off). */
  expiresAt?: number | null;
  /** Per-switch version, +1 on every change. */
  version: number;
  updatedAt: string;
  updatedBy: string;
  reason?: string;
  description?: string;
  /** Set while a plan holds this switch. */
  plan?: string;
}

export class SwitchFallbackError extends Error {
  constructor(
    readonly switchId: string,
    message: string,
  ) {
    super(message);
    this.name = 'SwitchFallbackError';
  }
}

export class SwitchSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SwitchSpecError';
  }
}

/** The znode-safe id of a scope: URL.encode("service:method:app") with `*` for unset parts. */
export function switchId(scope: SwitchScope): string {
  return javaUrlEncode(`${scope.service}:${scope.method ?? '*'}:${scope.consumerApp ?? '*'}`);
}

export function validateScope(scope: SwitchScope): void {
  if (!scope || typeof scope.service !== 'string' || scope.service.trim() === '') throw new SwitchSpecError('a switch needs a service');
  for (const k of ['method', 'consumerApp'] as const) {
    const v = scope[k];
    if (v !== undefined && (typeof v !== 'string' || v === '' || v === '*')) throw new SwitchSpecError(`bad ${k} ${JSON.stringify(v)} (leave it out for "all")`);
  }
}

export function validateFallback(f: FallbackValue): void {
  switch (f?.kind) {
    case 'null':
      return;
    case 'value':
      if (f.value === undefined || JSON.stringify(f.value) === undefined) throw new SwitchSpecError('fallback value must be JSON');
      return;
    case 'empty':
      if (!['array', 'object', 'string'].includes(f.of)) throw new SwitchSpecError('fallback empty.of must be array, object or string');
      return;
    case 'throw':
      if (typeof f.message !== 'string') throw new SwitchSpecError('fallback throw needs a message');
      return;
    default:
      throw new SwitchSpecError(`unknown fallback ${JSON.stringify(f)}`);
  }
}

function specificity(s: SwitchScope): number {
  return (s.method ? 2 : 0) + (s.consumerApp ? 1 : 0);
}

export function isActive(s: SwitchState, now: number): boolean {
  return s.mode !== 'off' && (s.expiresAt === undefined || s.expiresAt === null || s.expiresAt > now);
}

export interface CallTarget {
  service: string;
  method: string;
  consumerApp?: string;
}

/** The switch that governs a call, or undefined. */
export function findSwitch(switches: Iterable<SwitchState>, call: CallTarget, now = Date.now()): SwitchState | undefined {
  let best: SwitchState | undefined;
  for (const s of switches) {
    if (!isActive(s, now)) continue;
    if (s.scope.service !== call.service) continue;
    if (s.scope.method !== undefined && s.scope.method !== call.method) continue;
    if (s.scope.consumerApp !== undefined && s.scope.consumerApp !== call.consumerApp) continue;
    if (!best || specificity(s.scope) > specificity(best.scope) || (specificity(s.scope) === specificity(best.scope) && s.id < best.id)) best = s;
  }
  return best;
}

/** The fallback's value (a fresh copy), or throws for `throw`. */
export function resolveFallback<T = unknown>(s: Pick<SwitchState, 'id' | 'fallback'>): T {
  const f = s.fallback;
  switch (f.kind) {
    case 'null':
      return null as T;
    case 'value':
      return structuredClone(f.value) as T;
    case 'empty':
      return (f.of === 'array' ? [] : f.of === 'object' ? {} : '') as T;
    case 'throw':
      throw new SwitchFallbackError(s.id, f.message);
  }
}

/** Applies a switch to a call: `force` never calls; `fail` calls and falls back on error; none/off calls. */
export async function applySwitch<T>(s: SwitchState | undefined, invoke: () => Promise<T>): Promise<T> {
  if (!s || s.mode === 'off') return invoke();
  if (s.mode === 'force') return resolveFallback<T>(s);
  try {
    return await invoke();
  } catch {
    return resolveFallback<T>(s);
  }
}
