import { describe, expect, it } from '@jest/globals';
import { checkSchema, validateSchema, type JsonSchema } from './schema.js';

const schema: JsonSchema = {
  type: 'object',
  required: ['timeoutMs', 'mode'],
  additionalProperties: false,
  properties: {
    timeoutMs: { type: 'integer', minimum: 1, maximum: 60_000 },
    mode: { enum: ['fast', 'safe'] },
    ratio: { type: 'number', exclusiveMaximum: 1 },
    name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
    hosts: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
    extra: { type: ['string', 'null'] },
  },
};

describe('JSON Schema subset', () => {
  it('accepts valid documents', () => {
    expect(validateSchema(schema, { timeoutMs: 100, mode: 'fast', ratio: 0.5, name: 'ab', hosts: ['a', 'b'], extra: null })).toEqual([]);
  });

  it('reports every violation with a JSON pointer', () => {
    const errors = validateSchema(schema, { timeoutMs: 1.5, mode: 'x', ratio: 1, name: 'A', hosts: ['a', 'a', 3], extra: 1, bogus: true });
    const got = errors.map((e) => `${e.path}:${e.keyword}`).sort();
    expect(got).toEqual(
      ['/bogus:additionalProperties', '/extra:type', '/hosts/2:type', '/hosts:uniqueItems', '/mode:enum', '/name:minLength', '/name:pattern', '/ratio:exclusiveMaximum', '/timeoutMs:type'].sort(),
    );
    expect(validateSchema(schema, { mode: 'safe' })).toEqual([{ path: '/timeoutMs', keyword: 'required', message: 'is required' }]);
    expect(validateSchema(schema, [])[0]).toMatchObject({ path: '', keyword: 'type' });
    expect(validateSchema({ type: 'integer', maximum: 3 }, 4)[0]!.keyword).toBe('maximum');
    expect(validateSchema({ type: 'number' }, 4)).toEqual([]);
  });

  it('rejects unsupported keywords and malformed schemas', () => {
    expect(checkSchema(schema)).toEqual([]);
    expect(checkSchema({ anyOf: [] })[0]).toMatch(/anyOf/);
    expect(checkSchema({ type: 'float' })[0]).toMatch(/bad type/);
    expect(checkSchema({ properties: { a: { $ref: '#' } } })[0]).toMatch(/\$ref/);
    expect(checkSchema([])).toHaveLength(1);
  });
});
