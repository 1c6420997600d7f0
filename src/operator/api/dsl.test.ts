import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultValue, field, toSchema, type Infer } from './dsl.js';

const Spec = field.object({
  name: field.string({ minLength: 1 }).required(),
  mode: field.string({ enum: ['A', 'B'] as const, default: 'A', description: 'the mode' }),
  count: field.integer({ format: 'int32', minimum: 0 }),
  tags: field.array(field.string()),
  env: field.map(field.string()),
  extra: field.preserveUnknown(),
  nested: field.object({ on: field.boolean({ default: true }) }, { default: {} }),
  ns: field.string({ immutable: true }),
  open: field.object({ known: field.string() }, { preserveUnknown: true }),
  any: field.any(),
  port: field.intOrString(),
});
type Spec = Infer<typeof Spec>;

test('inferred types follow the declaration', () => {
  // Compile-time checks: a wrong value here is a tsc error, so the build fails.
  const ok: Spec = {
    name: 'x',
    mode: 'B',
    tags: ['a'],
    env: { K: 'v' },
    open: { known: 'k', other: 1 },
    port: 80,
  };
  // @ts-expect-error name is required
  const missing: Spec = { mode: 'A' };
  // @ts-expect-error mode is an enum
  const badEnum: Spec = { name: 'x', mode: 'C' };
  // @ts-expect-error env values are strings
  const badMap: Spec = { name: 'x', env: { K: 1 } };
  assert.ok(ok && missing && badEnum && badMap);
});

test('the schema is structural and carries every option', () => {
  const s = toSchema(Spec) as any;
  assert.equal(s.type, 'object');
  assert.deepEqual(s.required, ['name']);
  assert.deepEqual(Object.keys(s.properties), [...Object.keys(s.properties)].sort());
  assert.deepEqual(s.properties.name, { minLength: 1, type: 'string' });
  assert.deepEqual(s.properties.mode, {
    default: 'A',
    description: 'the mode',
    enum: ['A', 'B'],
    type: 'string',
  });
  assert.deepEqual(s.properties.count, { format: 'int32', minimum: 0, type: 'integer' });
  assert.deepEqual(s.properties.tags, { items: { type: 'string' }, type: 'array' });
  assert.deepEqual(s.properties.env, { additionalProperties: { type: 'string' }, type: 'object' });
  assert.deepEqual(s.properties.extra, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  assert.deepEqual(s.properties.ns['x-kubernetes-validations'], [
    { rule: 'self == oldSelf', message: 'Value is immutable' },
  ]);
  assert.equal(s.properties.open['x-kubernetes-preserve-unknown-fields'], true);
  assert.deepEqual(s.properties.open.properties, { known: { type: 'string' } });
  assert.deepEqual(s.properties.any, { 'x-kubernetes-preserve-unknown-fields': true });
  assert.deepEqual(s.properties.port, { 'x-kubernetes-int-or-string': true });
  assert.deepEqual(s.properties.nested, {
    default: {},
    properties: { on: { default: true, type: 'boolean' } },
    type: 'object',
  });
});

test('defaults fill missing fields, recurse into defaults, and never overwrite', () => {
  assert.deepEqual(defaultValue(Spec, { name: 'x' }), { name: 'x', mode: 'A', nested: { on: true } });
  assert.deepEqual(defaultValue(Spec, { name: 'x', mode: 'B', nested: { on: false } }), {
    name: 'x',
    mode: 'B',
    nested: { on: false },
  });
  const list = field.array(field.object({ a: field.string({ default: 'd' }) }));
  assert.deepEqual(defaultValue(list, [{}, { a: 'z' }]), [{ a: 'd' }, { a: 'z' }]);
  const map = field.map(field.object({ a: field.integer({ default: 1 }) }));
  assert.deepEqual(defaultValue(map, { k: {} }), { k: { a: 1 } });
});

test('defaults are copied, not shared', () => {
  const f = field.object({ o: field.object({ l: field.array(field.string()) }, { default: { l: [] } }) });
  const a = defaultValue(f, {} as any);
  const b = defaultValue(f, {} as any);
  a.o.l.push('x');
  assert.deepEqual(b.o.l, []);
});
