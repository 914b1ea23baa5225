/**
 * Gray (canary) release rules: which ConfigClients take a namespace's gray version. Evaluated by each client for
 * itself (pure, no store access), so the operator side never has to know the clients in advance.
 *
 * A client is selected when ANY of the listed criteria matches:
 *   clientIds   its instance id is listed
 *   ips         its IP is listed
 *   labels      its labels contain every key=value given (all of them)
 *   percentage  its stable bucket is below percentage * 100 (buckets 0..9999 from a hash of namespace + instance
 *               id, so widening 10% -> 20% keeps the first 10% and the choice is the same in every process)
 */
import { createHash } from 'node:crypto';
import type { ConfigRef } from './config-service.js';

export interface GrayRules {
  clientIds?: string[];
  ips?: string[];
  labels?: Record<string, string>;
  /** 0..100, at most two decimals. */
  percentage?: number;
}

/** What a client knows about itself. */
export interface GrayIdentity {
  clientId: string;
  ip?: string;
  labels?: Record<string, string>;
}

export class GrayRulesError extends RangeError {
  constructor(message: string) {
    // keeps the name RangeError, which the API maps to 400
    super(`gray rules: ${message}`);
  }
}

const MAX_LIST = 1000;

/** Throws {@link GrayRulesError} unless the rules are well formed and select someone. */
export function checkGrayRules(rules: GrayRules): GrayRules {
  if (!rules || typeof rules !== 'object' || Array.isArray(rules)) throw new GrayRulesError('must be an object');
  const known = new Set(['clientIds', 'ips', 'labels', 'percentage']);
  for (const k of Object.keys(rules)) if (!known.has(k)) throw new GrayRulesError(`unknown field ${JSON.stringify(k)}`);
  const list = (name: 'clientIds' | 'ips') => {
    const v = rules[name];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length > MAX_LIST || v.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 300)) {
      throw new GrayRulesError(`${name} must be a list of at most ${MAX_LIST} non-empty strings`);
    }
  };
  list('clientIds');
  list('ips');
  if (rules.labels !== undefined) {
    const entries = typeof rules.labels === 'object' && rules.labels !== null && !Array.isArray(rules.labels) ? Object.entries(rules.labels) : null;
    if (!entries || entries.length === 0 || entries.some(([k, v]) => k.length === 0 || typeof v !== 'string')) throw new GrayRulesError('labels must be a non-empty map of string values');
  }
  if (rules.percentage !== undefined) {
    const p = rules.percentage;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100 || Math.round(p * 100) !== p * 100) throw new GrayRulesError('percentage must be 0..100 with at most two decimals');
  }
  const selectsSomeone = (rules.clientIds?.length ?? 0) > 0 || (rules.ips?.length ?? 0) > 0 || rules.labels !== undefined || (rules.percentage ?? 0) > 0;
  if (!selectsSomeone) throw new GrayRulesError('select clients by clientIds, ips, labels or a percentage > 0');
  return rules;
}

/** The client's stable bucket 0..9999 for a namespace (sha1 of `env/app/namespace#clientId`). */
export function grayBucket(ref: ConfigRef, clientId: string): number {
  const digest = createHash('sha1').update(`${ref.env}/${ref.app}/${ref.namespace}#${clientId}`, 'utf8').digest();
  return digest.readUInt32BE(0) % 10_000;
}

/** Does the gray version apply to this client? */
export function matchesGrayRules(rules: GrayRules, ref: ConfigRef, who: GrayIdentity): boolean {
  if (rules.clientIds?.includes(who.clientId)) return true;
  if (who.ip !== undefined && rules.ips?.includes(who.ip)) return true;
  if (rules.labels) {
    const mine = who.labels ?? {};
    if (Object.entries(rules.labels).every(([k, v]) => mine[k] === v)) return true;
  }
  if (rules.percentage !== undefined && rules.percentage > 0) return grayBucket(ref, who.clientId) < Math.round(rules.percentage * 100);
  return false;
}
