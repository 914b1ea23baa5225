/**
 * A small JSON Schema validator for a documented subset (no dependency):
 *
 * - `type`: `string` | `number` | `integer` | `boolean` | `object` | `array` | `null`, or a list of them;
 * - `enum`, `const`;
 * - numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numeric, draft 6+);
 * - strings: `minLength`, `maxLength`, `pattern` (JavaScript RegExp, unanchored like JSON Schema);
 * - objects: `properties`, `required`, `additionalProperties` (boolean or schema);
 * - arrays: `items` (one schema for all items), `minItems`, `maxItems`, `uniqueItems`.
 *
 * Other keywords (`$ref`, `allOf`/`anyOf`/`oneOf`, `format`, ...) are rejected by `checkSchema` so a schema
 * never silently validates less than its author meant. Errors carry a JSON Pointer to the offending value.
 */
export interface JsonSchema {
  type?: JsonType | JsonType[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  title?: string;
  description?: string;
  default?: unknown;
  $schema?: string;
  $id?: string;
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

export interface SchemaError {
  /** JSON Pointer of the value ('' for the root). */
  path: string;
  keyword: string;
  message: string;
}

const KNOWN = new Set([
  'type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern',
  'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems', 'uniqueItems', 'title', 'description',
  'default', '$schema', '$id', 'examples', '$comment',
]);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

export class SchemaDefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`unsupported or invalid schema: ${problems.join('; ')}`);
    this.name = 'SchemaDefinitionError';
  }
}

/** Problems with the schema itself (unknown keywords, bad types); empty when usable. */
export function checkSchema(schema: unknown, at = '#'): string[] {
  const problems: string[] = [];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [`${at}: a schema must be an object`];
  const s = schema as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) problems.push(`${at}: keyword "${k}" is not supported`);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    for (const t of types) if (typeof t !== 'string' || !TYPES.has(t)) problems.push(`${at}: bad type ${JSON.stringify(t)}`);
  }
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems']) {
    if (s[k] !== undefined && typeof s[k] !== 'number') problems.push(`${at}: ${k} must be a number`);
  }
  if (s.enum !== undefined && !Array.isArray(s.enum)) problems.push(`${at}: enum must be an array`);
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))) problems.push(`${at}: required must be a list of names`);
  if (s.pattern !== undefined) {
    try {
      new RegExp(String(s.pattern), 'u');
    } catch {
      problems.push(`${at}: bad pattern`);
    }
  }
  if (s.properties !== undefined) {
    if (typeof s.properties !== 'object' || s.properties === null) problems.push(`${at}: properties must be an object`);
    else for (const [k, v] of Object.entries(s.properties)) problems.push(...checkSchema(v, `${at}/properties/${k}`));
  }
  if (s.items !== undefined) problems.push(...checkSchema(s.items, `${at}/items`));
  if (s.additionalProperties !== undefined && typeof s.additionalProperties !== 'boolean') problems.push(...checkSchema(s.additionalProperties, `${at}/additionalProperties`));
  return problems;
}

function typeOf(value: unknown): JsonType | 'undefined' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function pointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Validates `value`; returns every error found (empty: valid). */
export function validateSchema(schema: JsonSchema, value: unknown, path = ''): SchemaError[] {
  const errors: SchemaError[] = [];
  const err = (keyword: string, message: string) => errors.push({ path, keyword, message });
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) {
      err('type', `must be ${types.join(' or ')}, got ${actual}`);
      return errors;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => deepEqual(e, value))) err('enum', `must be one of ${JSON.stringify(schema.enum)}`);
  if (schema.const !== undefined && !deepEqual(schema.const, value)) err('const', `must be ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) err('minimum', `must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) err('maximum', `must be <= ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) err('exclusiveMinimum', `must be > ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) err('exclusiveMaximum', `must be < ${schema.exclusiveMaximum}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) err('minLength', `must have at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && length > schema.maxLength) err('maxLength', `must have at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) err('pattern', `must match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) err('minItems', `must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) err('maxItems', `must have at most ${schema.maxItems} items`);
    if (schema.uniqueItems && value.some((x, i) => value.findIndex((y) => deepEqual(x, y)) !== i)) err('uniqueItems', 'must not contain duplicates');
    if (schema.items) value.forEach((item, i) => errors.push(...validateSchema(schema.items!, item, pointer(path, i))));
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in obj)) errors.push({ path: pointer(path, name), keyword: 'required', message: 'is required' });
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) errors.push(...validateSchema(sub, v, pointer(path, k)));
      else if (schema.additionalProperties === false) errors.push({ path: pointer(path, k), keyword: 'additionalProperties', message: 'is not allowed' });
      else if (typeof schema.additionalProperties === 'object') errors.push(...validateSchema(schema.additionalProperties, v, pointer(path, k)));
    }
  }
  return errors;
}

export function formatSchemaErrors(errors: readonly SchemaError[]): string {
  return errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ');
}
