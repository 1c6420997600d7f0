import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError, fieldErrorMessage, type FieldError } from '../errors.js';
import type { Schema } from '../types.js';
import { builtinSchemas } from './builtin.js';
import { crdVersionSchema } from './crd.js';
import { processObject, type ProcessOptions } from './structural.js';

const b = builtinSchemas([
  { group: 'apps', version: 'v1', kind: 'Deployment', model: 'V1Deployment' },
  { group: '', version: 'v1', kind: 'Pod', model: 'V1Pod' },
  { group: '', version: 'v1', kind: 'ConfigMap', model: 'V1ConfigMap' },
  { group: '', version: 'v1', kind: 'Secret', model: 'V1Secret' },
]);
const DEP: Schema = { $ref: b.refFor('apps', 'v1', 'Deployment') };
const depOpts = (fv: ProcessOptions['fieldValidation'] = 'Strict'): ProcessOptions => ({
  mode: 'builtin',
  fieldValidation: fv,
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  applyDefaults: false,
});
const dep = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { a: 'b' } },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    ...spec,
  },
  ...extra,
});

function throws400(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.equal(e.message, message);
    return true;
  });
}

const msgs = (errs: FieldError[]) => errs.map((e) => fieldErrorMessage(e));

test('built-in: a valid Deployment passes through unchanged', () => {
  const obj = dep({
    replicas: 3,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
  });
  const r = processObject(obj, DEP, b.resolve, depOpts());
  assert.deepEqual(r.object, obj);
  assert.notEqual(r.object, obj);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.errors, []);
});

test('built-in: Go decode errors name the struct, the field path and the Go type', () => {
  const prefix = 'Deployment in version "v1" cannot be handled as a Deployment: ';
  throws400(
    () => processObject(dep({ replicas: 'three' }), DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
  );
  throws400(
    () => processObject(dep({ replicas: 1.5 }), DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32`,
  );
  throws400(
    () => processObject(dep({ template: 'x' }), DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.template of type v1.PodTemplateSpec`,
  );
  const bad = dep({});
  (bad.spec.template as any).spec.containers = { name: 'c' };
  throws400(
    () => processObject(bad, DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container`,
  );
  const bad2 = dep({});
  (bad2.spec.template as any).spec.containers[0].ports = [{ containerPort: '80' }];
  throws400(
    () => processObject(bad2, DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32`,
  );
  throws400(
    () => processObject(dep({}, { metadata: { name: 'd', labels: { a: 5 } } }), DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string`,
  );
  throws400(
    () => processObject(dep({ paused: 'yes' }), DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool`,
  );
  throws400(
    () => processObject(dep({ strategy: { rollingUpdate: { maxSurge: true } } }), DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32`,
  );
  const q = dep({});
  (q.spec.template as any).spec.containers[0].resources = { limits: { cpu: 'lots' } };
  throws400(
    () => processObject(q, DEP, b.resolve, depOpts()),
    `${prefix}quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
  );
  const rl = dep({});
  (rl.spec.template as any).spec.containers[0].resources = { limits: 'x' };
  throws400(
    () => processObject(rl, DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal string into Go struct field ResourceRequirements.spec.template.spec.containers.resources.limits of type v1.ResourceList`,
  );
  // the first type error wins, and it wins over unknown fields
  throws400(
    () => processObject(dep({ foo: 1, replicas: 'x', paused: 'y' }), DEP, b.resolve, depOpts()),
    `${prefix}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
  );
});

test('built-in: quantities, times and int-or-string accept their valid forms', () => {
  const obj = dep(
    { strategy: { rollingUpdate: { maxSurge: 2, maxUnavailable: '10%' } } },
    { metadata: { name: 'd', creationTimestamp: '2024-01-02T03:04:05Z' } },
  );
  (obj.spec.template as any).spec.containers[0].resources = {
    limits: { cpu: '500m', memory: '1Gi' },
    requests: { cpu: 0.5 },
  };
  assert.deepEqual(processObject(obj, DEP, b.resolve, depOpts()).object, obj);
  throws400(
    () => processObject(dep({}, { metadata: { creationTimestamp: 'yesterday' } }), DEP, b.resolve, depOpts()),
    'Deployment in version "v1" cannot be handled as a Deployment: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
  );
});

test('built-in: unknown fields per fieldValidation', () => {
  const obj = dep({ foo: 1, bar: { x: 1 } });
  (obj.spec.template as any).spec.containers[0].imagePullPolicyy = 'Always';
  throws400(
    () => processObject(obj, DEP, b.resolve, depOpts('Strict')),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy", unknown field "spec.foo", unknown field "spec.bar"',
  );
  const warn = processObject(obj, DEP, b.resolve, depOpts('Warn'));
  assert.deepEqual(warn.warnings, [
    'unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    'unknown field "spec.foo"',
    'unknown field "spec.bar"',
  ]);
  assert.equal('foo' in warn.object.spec, false);
  assert.equal('imagePullPolicyy' in warn.object.spec.template.spec.containers[0], false);
  const ignore = processObject(obj, DEP, b.resolve, depOpts('Ignore'));
  assert.deepEqual(ignore.warnings, []);
  assert.deepEqual(ignore.object, warn.object);
});

test('built-in: nulls are dropped like Go zero values; byte fields are base64', () => {
  const r = processObject(
    dep({ replicas: null }, { metadata: { name: 'd', labels: null } }),
    DEP,
    b.resolve,
    depOpts(),
  );
  assert.equal('replicas' in r.object.spec, false);
  assert.equal('labels' in r.object.metadata, false);
  const secret: Schema = { $ref: b.refFor('', 'v1', 'Secret') };
  const opts: ProcessOptions = {
    mode: 'builtin',
    fieldValidation: 'Strict',
    kind: 'Secret',
    apiVersion: 'v1',
    applyDefaults: false,
  };
  assert.deepEqual(
    processObject(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'aGk=' } },
      secret,
      b.resolve,
      opts,
    ).object.data,
    { k: 'aGk=' },
  );
  assert.throws(
    () =>
      processObject(
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'not base64!' } },
        secret,
        b.resolve,
        opts,
      ),
    /Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3/,
  );
});

// ---- custom resources on small hand-written schemas ----

const WIDGET: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        size: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
        mode: { type: 'string', enum: ['a', 'b'] },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        when: { type: 'string', format: 'date-time' },
        count32: { type: 'integer', format: 'int32' },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2, 'x-kubernetes-list-type': 'set' },
        ports: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              port: { type: 'integer' },
              proto: { type: 'string', default: 'TCP' },
            },
          },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
        free: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { known: { type: 'integer' } },
        },
        nested: { type: 'object', properties: { inner: { type: 'string', default: 'x' } } },
        maybe: { type: 'string', nullable: true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
        },
        choice: {
          type: 'object',
          properties: { a: { type: 'string' }, b: { type: 'string' } },
          oneOf: [{ required: ['a'] }, { required: ['b'] }],
        },
        ruled: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == "never"' }] },
      },
    },
  },
};
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: WIDGET } }],
  },
};
const ROOT = crdVersionSchema(crd, 'v1');
const crOpts = (fv: ProcessOptions['fieldValidation'] = 'Strict', applyDefaults = true): ProcessOptions => ({
  mode: 'crd',
  fieldValidation: fv,
  kind: 'Widget',
  apiVersion: 'example.com/v1',
  applyDefaults,
});
const widget = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1' },
  spec: { name: 'ab', ...spec },
  ...extra,
});
const run = (spec: Record<string, unknown>) => processObject(widget(spec), ROOT, b.resolve, crOpts());

test('crd: defaults apply only where the parent exists, and CEL rules are left alone', () => {
  const r = run({ ruled: 'anything' });
  assert.deepEqual(r.errors, []);
  assert.equal(r.object.spec.size, 3);
  assert.equal('nested' in r.object.spec, false);
  assert.deepEqual(run({ nested: {} }).object.spec.nested, { inner: 'x' });
  assert.deepEqual(run({ ports: [{ name: 'p' }] }).object.spec.ports, [{ name: 'p', proto: 'TCP' }]);
  assert.equal(
    processObject(widget({}), ROOT, b.resolve, crOpts('Strict', false)).object.spec.size,
    undefined,
  );
  // a non-nullable null with a default is defaulted; without a default it is dropped; nullable keeps null
  const n = run({ size: null, mode: null, maybe: null });
  assert.equal(n.object.spec.size, 3);
  assert.equal('mode' in n.object.spec, false);
  assert.equal(n.object.spec.maybe, null);
  assert.deepEqual(n.errors, []);
});

test('crd: type errors are field errors with kube-openapi wording', () => {
  assert.deepEqual(msgs(run({ size: 'big' }).errors), [
    'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
  ]);
  assert.deepEqual(run({ size: 'big' }).errors[0].type, 'FieldValueTypeInvalid');
  assert.deepEqual(msgs(run({ size: 1.5 }).errors), [
    'spec.size: Invalid value: "number": spec.size in body must be of type integer: "number"',
  ]);
  assert.deepEqual(msgs(run({ tags: 'x' }).errors), [
    'spec.tags: Invalid value: "string": spec.tags in body must be of type array: "string"',
  ]);
  assert.deepEqual(
    msgs(run({ port: true }).errors)[0],
    'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
  );
  assert.deepEqual(run({ port: 80 }).errors, []);
  assert.deepEqual(run({ port: 'http' }).errors, []);
  assert.deepEqual(run({ ratio: 0.5 }).errors, []);
  assert.deepEqual(msgs(run({ tags: ['a', null] }).errors), [
    'spec.tags[1]: Invalid value: "null": spec.tags[1] in body must be of type string: "null"',
  ]);
});

test('crd: value validations', () => {
  const one = (spec: Record<string, unknown>) => msgs(run(spec).errors);
  assert.deepEqual(one({ size: 0 }), [
    'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1',
  ]);
  assert.deepEqual(one({ size: 11 }), [
    'spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10',
  ]);
  assert.deepEqual(one({ ratio: 1 }), [
    'spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1',
  ]);
  assert.deepEqual(one({ mode: 'x' }), ['spec.mode: Unsupported value: "x": supported values: "a", "b"']);
  assert.deepEqual(one({ name: 'a' }), [
    'spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long',
  ]);
  assert.deepEqual(one({ name: 'abcdef' }), ['spec.name: Too long: may not be more than 5 bytes']);
  assert.deepEqual(one({ name: 'AB' }), [
    'spec.name: Invalid value: "AB": spec.name in body should match \'^[a-z]+$\'',
  ]);
  assert.deepEqual(one({ when: 'tuesday' }), [
    'spec.when: Invalid value: "tuesday": spec.when in body must be of type date-time: "tuesday"',
  ]);
  assert.deepEqual(one({ when: '2024-01-02T03:04:05Z' }), []);
  assert.deepEqual(one({ count32: 99999999999 }), [], 'int32 format is stripped by apiextensions');
  assert.deepEqual(one({ ports: [] }), [
    'spec.ports: Invalid value: 0: spec.ports in body should have at least 1 items',
  ]);
  const tooMany = run({ tags: ['a', 'b', 'c'] }).errors;
  assert.equal(tooMany[0].type, 'FieldValueTooMany');
  assert.equal(tooMany[0].detail, 'must have at most 2 items');
  assert.equal(tooMany[0].value, 3);
  assert.deepEqual(run({ labels: { a: '1', b: '2', c: '3' } }).errors[0].detail, 'must have at most 2 items');
  const spec = widget({});
  delete (spec.spec as any).name;
  const req = processObject(spec, ROOT, b.resolve, crOpts()).errors;
  assert.deepEqual(msgs(req), ['spec.name: Required value']);
  assert.equal(req[0].type, 'FieldValueRequired');
});

test('crd: list-type set and map uniqueness', () => {
  assert.deepEqual(msgs(run({ tags: ['a', 'a'] }).errors), ['spec.tags[1]: Duplicate value: "a"']);
  const dup = run({ ports: [{ name: 'p', port: 1 }, { name: 'q' }, { name: 'p', port: 2 }] }).errors;
  assert.equal(dup.length, 1);
  assert.equal(dup[0].type, 'FieldValueDuplicate');
  assert.equal(dup[0].field, 'spec.ports[2]');
  assert.deepEqual(dup[0].value, { name: 'p' });
});

test('crd: oneOf/anyOf/allOf/not', () => {
  assert.deepEqual(run({ choice: { a: 'x' } }).errors, []);
  assert.deepEqual(msgs(run({ choice: { a: 'x', b: 'y' } }).errors), [
    '<nil>: Invalid value: "": "spec.choice" must validate one and only one schema (oneOf). Found 2 valid alternatives',
  ]);
  assert.deepEqual(msgs(run({ choice: {} }).errors), [
    '<nil>: Invalid value: "": "spec.choice" must validate one and only one schema (oneOf). Found none valid',
    'spec.choice.a: Required value',
  ]);
  const s: Schema = {
    type: 'object',
    properties: {
      v: { type: 'string', not: { enum: ['bad'] }, allOf: [{ minLength: 2 }, { maxLength: 3 }] },
    },
  };
  const o = (v: string) => msgs(processObject({ v }, s, b.resolve, crOpts()).errors);
  assert.deepEqual(o('ok'), []);
  assert.deepEqual(o('bad'), ['<nil>: Invalid value: "": "v" must not validate the schema (not)']);
  assert.deepEqual(o('x'), [
    'v: Invalid value: "x": v in body should be at least 2 chars long',
    '<nil>: Invalid value: "": "v" must validate all the schemas (allOf)',
  ]);
  const any: Schema = {
    type: 'object',
    properties: { v: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^x' }] } },
  };
  assert.deepEqual(processObject({ v: 'xy' }, any, b.resolve, crOpts()).errors, []);
  assert.match(
    msgs(processObject({ v: 'y' }, any, b.resolve, crOpts()).errors)[0],
    /"v" must validate at least one schema \(anyOf\)/,
  );
});

test('crd: pruning and unknown fields; apiVersion/kind/metadata and embedded resources survive', () => {
  const obj = widget(
    {
      bogus: 1,
      free: { anything: { deep: true }, known: 1 },
      template: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', labels: { a: 'b' } },
        spec: { x: 1 },
      },
    },
    { extra: true },
  );
  assert.throws(
    () => processObject(obj, ROOT, b.resolve, crOpts('Strict')),
    (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 400);
      assert.equal(
        e.message,
        'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "extra", unknown field "spec.bogus"',
      );
      return true;
    },
  );
  const r = processObject(obj, ROOT, b.resolve, crOpts('Warn'));
  assert.deepEqual(r.warnings, ['unknown field "extra"', 'unknown field "spec.bogus"']);
  assert.equal('bogus' in r.object.spec, false);
  assert.equal('extra' in r.object, false);
  assert.deepEqual(r.object.spec.free, { anything: { deep: true }, known: 1 });
  assert.deepEqual(r.object.spec.template, (obj.spec as any).template);
  assert.equal(r.object.apiVersion, 'example.com/v1');
  assert.deepEqual(r.object.metadata, { name: 'w1' });
  const ignored = processObject(obj, ROOT, b.resolve, crOpts('Ignore'));
  assert.deepEqual(ignored.warnings, []);
  assert.equal('bogus' in ignored.object.spec, false, 'pruning always happens');
  // metadata is ObjectMeta: unknown fields are reported, type errors are decode errors
  assert.deepEqual(
    processObject(widget({}, { metadata: { name: 'w1', nope: 1 } }), ROOT, b.resolve, crOpts('Warn'))
      .warnings,
    ['unknown field "metadata.nope"'],
  );
  assert.throws(
    () =>
      processObject(widget({}, { metadata: { name: 'w1', labels: { a: 1 } } }), ROOT, b.resolve, crOpts()),
    /cannot unmarshal number into Go struct field ObjectMeta.labels of type string/,
  );
  // embedded resources need apiVersion and kind
  const e = processObject(
    widget({ template: { metadata: { name: 'p' } } }),
    ROOT,
    b.resolve,
    crOpts(),
  ).errors;
  assert.deepEqual(msgs(e), [
    'spec.template.apiVersion: Required value: must not be empty',
    'spec.template.kind: Required value: must not be empty',
  ]);
  assert.equal(
    processObject(
      widget({ template: { kind: 'Pod', apiVersion: 'v1', metadata: { bogus: 1 } } }),
      ROOT,
      b.resolve,
      crOpts('Warn'),
    ).warnings[0],
    'unknown field "spec.template.metadata.bogus"',
  );
});
