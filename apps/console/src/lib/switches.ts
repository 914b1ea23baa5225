/** Switch helpers shared by the switch form and the plan editor: scope text, fallback text and the typed fallback. */
import type { FallbackValue, JsonValue, SwitchMode, SwitchScope } from './types';

export type FallbackKind = FallbackValue['kind'];

export function scopeText(s: SwitchScope): string {
  return s.service + (s.method ? `#${s.method}` : '') + (s.consumerApp ? ` ← ${s.consumerApp}` : '');
}

export function fallbackText(f: FallbackValue | undefined): string {
  if (!f) return '—';
  switch (f.kind) {
    case 'null':
      return 'null';
    case 'value':
      return JSON.stringify(f.value);
    case 'empty':
      return `empty ${f.of}`;
    case 'throw':
      return `throw "${f.message}"`;
  }
}

/** The typed fallback of a form's kind + text (a JSON value is parsed: a bad one throws). */
export function toFallback(kind: FallbackKind, text: string): FallbackValue {
  switch (kind) {
    case 'value':
      return { kind: 'value', value: text.trim() === '' ? null : (JSON.parse(text) as JsonValue) };
    case 'empty':
      return { kind: 'empty', of: (['array', 'object', 'string'].includes(text) ? text : 'array') as 'array' | 'object' | 'string' };
    case 'throw':
      return { kind: 'throw', message: text || 'degraded' };
    default:
      return { kind: 'null' };
  }
}

/** The form text of a fallback (inverse of toFallback). */
export function fallbackInput(f: FallbackValue | undefined): { kind: FallbackKind; text: string } {
  if (!f) return { kind: 'null', text: '' };
  return { kind: f.kind, text: f.kind === 'value' ? JSON.stringify(f.value) : f.kind === 'empty' ? f.of : f.kind === 'throw' ? f.message : '' };
}

export function scopeOf(service: string, method: string, consumerApp: string): SwitchScope {
  return { service: service.trim(), ...(method.trim() ? { method: method.trim() } : {}), ...(consumerApp.trim() ? { consumerApp: consumerApp.trim() } : {}) };
}

/** The form fields of one switch change (scope, mode, fallback), shared by the switch form and the schedule form. */
export interface SwitchChangeDraft {
  service: string;
  method: string;
  consumerApp: string;
  mode: SwitchMode;
  fallbackKind: FallbackKind;
  fallbackValue: string;
}

/** The scope / mode / fallback of a request body (no fallback when the switch is off; a bad JSON value throws). */
export function switchChangeBody(d: SwitchChangeDraft): { scope: SwitchScope; mode: SwitchMode; fallback?: FallbackValue } {
  return { scope: scopeOf(d.service, d.method, d.consumerApp), mode: d.mode, ...(d.mode !== 'off' ? { fallback: toFallback(d.fallbackKind, d.fallbackValue) } : {}) };
}
