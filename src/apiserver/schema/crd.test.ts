import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fieldErrorMessage } from '../errors.js';
import type { KubeObject } from '../types.js';
import { builtinSchemas } from './builtin.js';
import { crdVersionSchema, validateCrd } from './crd.js';
import { processObject } from './structural.js';
import { loadYamlDocs, sampleFiles, upstreamCrds } from './upstream-fixtures.js';

const crds = upstreamCrds();
const b = builtinSchemas([
  { group: '', version: 'v1', kind: 'Service', model: 'V1Service' },
  { group: 'apps', version: 'v1', kind: 'Deployment', model: 'V1Deployment' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', model: 'V1Role' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', model: 'V1RoleBinding' },
]);

test('every upstream CRD (sail-operator, gateway-api standard) validates clean', () => {
  assert.ok(crds.length >= 29, `found ${crds.length}`);
  for (const c of crds)
    assert.deepEqual(
      validateCrd(c).map((e) => fieldErrorMessage(e)),
      [],
      c.metadata.name,
    );
});

test('upstream samples decode against their CRDs and the built-in schemas', () => {
  let checked = 0;
  for (const file of sampleFiles()) {
    for (const o of loadYamlDocs(file)) {
      const [g, v] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
      const crd = crds.find((c) => c.spec.group === g && c.spec.names.kind === o.kind);
      const r = crd
        ? processObject(o, crdVersionSchema(crd, v), b.resolve, {
            mode: 'crd',
            fieldValidation: 'Strict',
            kind: o.kind,
            apiVersion: o.apiVersion,
            applyDefaults: true,
          })
        : processObject(o, { $ref: b.refFor(g, v, o.kind) }, b.resolve, {
            mode: 'builtin',
            fieldValidation: 'Strict',
            kind: o.kind,
            apiVersion: o.apiVersion,
            applyDefaults: false,
          });
      checked++;
      if (file.endsWith('/gwControllerMode.yaml')) {
        // This development sample names an unreleased version and a boolean env value; a real
        // API server rejects it the same way.
        assert.deepEqual(
          r.errors.map((e) => e.field),
          ['spec.version', 'spec.values.pilot.env.PILOT_ENABLE_GATEWAY_CONTROLLER_MODE'],
        );
        assert.equal(r.errors[0].type, 'FieldValueNotSupported');
        continue;
      }
      assert.deepEqual(
        r.errors.map((e) => fieldErrorMessage(e)),
        [],
        `${file} ${o.kind}`,
      );
      assert.deepEqual(r.warnings, []);
      assert.equal(r.object.metadata.name, o.metadata.name);
    }
  }
  assert.ok(checked >= 20, `checked ${checked}`);
});

test('upstream CRD behaviour: gateway-api defaults and validation, istio pruning', () => {
  const httproute = crds.find((c) => c.metadata.name === 'httproutes.gateway.networking.k8s.io')!;
  const schema = crdVersionSchema(httproute, 'v1');
  const opts = {
    mode: 'crd' as const,
    fieldValidation: 'Warn' as const,
    kind: 'HTTPRoute',
    apiVersion: 'gateway.networking.k8s.io/v1',
    applyDefaults: true,
  };
  const r = processObject(
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }], bogus: 1 },
    },
    schema,
    b.resolve,
    opts,
  );
  assert.deepEqual(r.warnings, ['unknown field "spec.bogus"']);
  // matches defaults to a PathPrefix "/" match, backendRefs get weight 1, group "" and kind Service
  assert.deepEqual(r.object.spec.rules[0].matches, [{ path: { type: 'PathPrefix', value: '/' } }]);
  assert.equal(r.object.spec.rules[0].backendRefs[0].weight, 1);
  assert.equal(r.object.spec.rules[0].backendRefs[0].kind, 'Service');
  assert.deepEqual(r.errors, []);
  const bad = processObject(
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { rules: [{ backendRefs: [{ name: 'svc', port: 70000 }] }] },
    },
    schema,
    b.resolve,
    opts,
  );
  assert.deepEqual(
    bad.errors.map((e) => fieldErrorMessage(e)),
    [
      'spec.rules[0].backendRefs[0].port: Invalid value: 70000: spec.rules[0].backendRefs[0].port in body should be less than or equal to 65535',
    ],
  );

  const vs = crds.find((c) => c.metadata.name === 'virtualservices.networking.istio.io')!;
  const vsr = processObject(
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'v' },
      spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }], nope: 1 }] },
    },
    crdVersionSchema(vs, 'v1'),
    b.resolve,
    { ...opts, kind: 'VirtualService', apiVersion: 'networking.istio.io/v1', fieldValidation: 'Ignore' },
  );
  assert.deepEqual(vsr.errors, []);
  assert.deepEqual(vsr.object.spec.http, [{ route: [{ destination: { host: 'a' } }] }]);
});

test('validateCrd rejects malformed definitions', () => {
  const good = (): KubeObject =>
    JSON.parse(
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
                },
              },
              additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
            },
          ],
        },
      }),
    );
  assert.deepEqual(validateCrd(good()), []);
  const check = (mutate: (c: any) => void, expected: string[]) => {
    const c = good();
    mutate(c);
    assert.deepEqual(
      validateCrd(c).map((e) => fieldErrorMessage(e)),
      expected,
    );
  };
  check(
    (c) => (c.metadata.name = 'widget.example.com'),
    ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group'],
  );
  check(
    (c) => (c.spec.scope = 'Global'),
    ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
  );
  check(
    (c) => (c.spec.versions[0].storage = false),
    ['spec.versions: Invalid value: ["v1"]: must have exactly one version marked as storage version'],
  );
  check(
    (c) => c.spec.versions.push({ ...c.spec.versions[0], name: 'v2' }),
    ['spec.versions: Invalid value: ["v1","v2"]: must have exactly one version marked as storage version'],
  );
  check(
    (c) => delete c.spec.versions[0].schema,
    ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'],
  );
  check(
    (c) => delete c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.type,
    [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type: Required value: must not be empty for specified object fields',
    ],
  );
  check(
    (c) => (c.spec.versions[0].additionalPrinterColumns[0].type = 'float'),
    [
      'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "integer", "number", "string", "boolean", "date"',
    ],
  );
  check(
    (c) => (c.spec.conversion = { strategy: 'Magic' }),
    ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"'],
  );
  check(
    (c) => (c.spec.names.plural = 'Widgets'),
    [
      'metadata.name: Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group',
      `spec.names.plural: Invalid value: "Widgets": a lowercase RFC 1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ],
  );
  // int-or-string and preserve-unknown-fields nodes need no type; junctor branches neither
  check(
    (c) =>
      (c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.port = {
        'x-kubernetes-int-or-string': true,
        anyOf: [{ type: 'integer' }, { type: 'string' }],
      }),
    [],
  );
});

test('crdVersionSchema adds apiVersion, kind and ObjectMeta metadata', () => {
  const c = crds.find((x) => x.metadata.name === 'istios.sailoperator.io')!;
  const s = crdVersionSchema(c, 'v1');
  assert.deepEqual(s.properties!.apiVersion, {
    type: 'string',
    ...(c.spec.versions[0].schema.openAPIV3Schema.properties.apiVersion ?? {}),
  });
  assert.equal(
    s.properties!.metadata.$ref,
    '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  );
  assert.equal(crdVersionSchema(c, 'v1'), s);
  assert.throws(() => crdVersionSchema(c, 'v9'));
  assert.ok(readFileSync);
});
