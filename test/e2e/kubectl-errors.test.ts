// Acceptance 8: bad input gets the status code, reason, message and field path real Kubernetes
// gives, through kubectl and through raw requests, and the server keeps serving afterwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type TestCluster } from './harness.js';
import { adminCreds, curl, scratchDir, serverStillServes, type AdminCreds } from './kubectl-helpers.js';

const NS = 'errors';
let cluster: TestCluster;
let creds: AdminCreds;
let dir: string;

const widgetCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.e2e.mizzen.dev
spec:
  group: e2e.mizzen.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              color: {type: string, enum: [red, blue]}
              tags: {type: array, maxItems: 2, items: {type: string}}
`;

before(() => {
  cluster = startCluster('errors');
  creds = adminCreds(cluster);
  dir = scratchDir('errors');
  cluster.kubectlOk(['create', 'namespace', NS]);
  cluster.kubectlOk(['apply', '-f', '-'], { input: widgetCrd });
  cluster.kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.e2e.mizzen.dev', '--timeout=10s']);
});
after(() => cluster?.down());

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function assertServing(): void {
  const r = serverStillServes(cluster);
  assert.equal(r.code, 0, `server stopped serving: ${r.stderr}`);
  assert.equal(r.stdout, 'namespace/default\n');
}

const deployment = (replicas: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: two
  namespace: ${NS}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: two}
  template:
    metadata:
      labels: {app: two}
    spec:
      containers:
      - name: main
        image: busybox:1.36
`;

test('a Deployment with replicas: "two" is rejected with 400 BadRequest', () => {
  const path = file('two.yaml', deployment('"two"'));
  const message =
    'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32';
  for (const verb of ['apply', 'create']) {
    const r = cluster.kubectl([verb, '-f', path]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error from server (BadRequest): error when creating "${path}": ${message}\n`);
  }
  const raw = curl(creds, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
    body: JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'two' },
      spec: { replicas: 'two' },
    }),
  });
  assert.equal(raw.status, 400);
  assert.deepEqual(raw.json, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'BadRequest',
    code: 400,
  });
  assert.equal(cluster.kubectl(['get', 'deploy', 'two', '-n', NS]).code, 1, 'nothing was stored');
  assertServing();
});

interface Violation {
  name: string;
  spec: Record<string, unknown>;
  field: string;
  reason: string;
  /** The cause message (field.Error.ErrorBody()). */
  body: string;
}

const violations: Violation[] = [
  {
    name: 'w-type',
    spec: { size: 'big' },
    field: 'spec.size',
    reason: 'FieldValueTypeInvalid',
    body: 'Invalid value: "string": spec.size in body must be of type integer: "string"',
  },
  {
    name: 'w-min',
    spec: { size: 0 },
    field: 'spec.size',
    reason: 'FieldValueInvalid',
    body: 'Invalid value: 0: spec.size in body should be greater than or equal to 1',
  },
  {
    name: 'w-enum',
    spec: { size: 1, color: 'green' },
    field: 'spec.color',
    reason: 'FieldValueNotSupported',
    body: 'Unsupported value: "green": supported values: "red", "blue"',
  },
  {
    name: 'w-required',
    spec: { color: 'red' },
    field: 'spec.size',
    reason: 'FieldValueRequired',
    body: 'Required value',
  },
  {
    name: 'w-items',
    spec: { size: 1, tags: ['a', 'b', 'c'] },
    field: 'spec.tags',
    reason: 'FieldValueTooMany',
    body: 'Too many: 3: must have at most 2 items',
  },
];

for (const v of violations) {
  test(`a Widget violating its schema (${v.reason} at ${v.field}) is rejected with 422 Invalid`, () => {
    const obj = {
      apiVersion: 'e2e.mizzen.dev/v1',
      kind: 'Widget',
      metadata: { name: v.name, namespace: NS },
      spec: v.spec,
    };
    const r = cluster.kubectl(['apply', '-f', file(`${v.name}.json`, JSON.stringify(obj))]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `The Widget "${v.name}" is invalid: ${v.field}: ${v.body}\n`);

    const raw = curl(creds, 'POST', `/apis/e2e.mizzen.dev/v1/namespaces/${NS}/widgets`, {
      body: JSON.stringify(obj),
    });
    assert.equal(raw.status, 422);
    assert.equal(raw.json.reason, 'Invalid');
    assert.equal(raw.json.code, 422);
    assert.equal(raw.json.message, `Widget.e2e.mizzen.dev "${v.name}" is invalid: ${v.field}: ${v.body}`);
    assert.deepEqual(raw.json.details, {
      name: v.name,
      group: 'e2e.mizzen.dev',
      kind: 'Widget',
      causes: [{ reason: v.reason, message: v.body, field: v.field }],
    });
    assertServing();
  });
}

test('a valid Widget is accepted', () => {
  const obj = {
    apiVersion: 'e2e.mizzen.dev/v1',
    kind: 'Widget',
    metadata: { name: 'w-ok', namespace: NS },
    spec: { size: 3, color: 'blue', tags: ['x'] },
  };
  assert.equal(
    cluster.kubectlOk(['apply', '-f', file('w-ok.json', JSON.stringify(obj))]),
    'widget.e2e.mizzen.dev/w-ok created\n',
  );
});

test('unknown fields: --validate=strict rejects them, --validate=warn warns and drops them', () => {
  const withUnknown =
    deployment('1').replace(
      '        image: busybox:1.36\n',
      '        image: busybox:1.36\n        imagePullPolicyy: Always\n',
    ) + 'status:\n  bogus: 1\n';
  const path = file('unknown.yaml', withUnknown.replace('name: two', 'name: strict'));
  const strict = cluster.kubectl(['create', '--validate=strict', '-f', path]);
  assert.equal(strict.code, 1);
  assert.equal(
    strict.stderr,
    `Error from server (BadRequest): error when creating "${path}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy", unknown field "status.bogus"\n`,
  );

  const raw = curl(creds, 'POST', `/api/v1/namespaces/${NS}/configmaps?fieldValidation=Strict`, {
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'strict', labelz: {} },
      data: { a: 'b' },
    }),
  });
  assert.equal(raw.status, 400);
  assert.equal(raw.json.reason, 'BadRequest');
  assert.equal(
    raw.json.message,
    'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.labelz"',
  );

  const crPath = file(
    'w-unknown.json',
    JSON.stringify({
      apiVersion: 'e2e.mizzen.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w-unknown', namespace: NS },
      spec: { size: 1, shape: 'round' },
    }),
  );
  const cr = cluster.kubectl(['apply', '--validate=strict', '-f', crPath]);
  assert.equal(cr.code, 1);
  assert.equal(
    cr.stderr,
    `Error from server (BadRequest): error when creating "${crPath}": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.shape"\n`,
  );

  const warn = cluster.kubectl(['create', '--validate=warn', '-f', path]);
  assert.equal(warn.code, 0, warn.stderr);
  assert.equal(warn.stdout, 'deployment.apps/strict created\n');
  assert.equal(
    warn.stderr,
    'Warning: unknown field "spec.template.spec.containers[0].imagePullPolicyy"\nWarning: unknown field "status.bogus"\n',
  );
  const stored = JSON.parse(cluster.kubectlOk(['get', 'deploy', 'strict', '-n', NS, '-o', 'json']));
  assert.equal(stored.spec.template.spec.containers[0].imagePullPolicyy, undefined);
  assertServing();
});

test('malformed YAML is refused by kubectl, and by the server with 400', () => {
  const path = file('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: [\n');
  const r = cluster.kubectl(['apply', '-f', path]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `^error: error parsing ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: error converting YAML to JSON: yaml: line \\d+: `,
    ),
  );

  const raw = curl(creds, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
    body: 'metadata:\n  name: x\n - [\n',
    contentType: 'application/yaml',
  });
  assert.equal(raw.status, 400);
  assert.equal(raw.json.reason, 'BadRequest');
  assert.match(
    raw.json.message,
    /^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: yaml: line \d+: /,
  );
  assertServing();
});

test('a garbage or truncated JSON body gets 400 BadRequest with the decoder error', () => {
  const garbage = curl(creds, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: 'garbage{{{' });
  assert.equal(garbage.status, 400);
  assert.deepEqual(garbage.json, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'g' looking for beginning of value (${Buffer.from('garbage{{{').toString('hex')})`,
    reason: 'BadRequest',
    code: 400,
  });

  const truncated = curl(creds, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
    body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"',
  });
  assert.equal(truncated.status, 400);
  assert.equal(truncated.json.reason, 'BadRequest');
  assert.equal(
    truncated.json.message,
    `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input ({"apiVersion":"v1","kind":"Con ...)`,
  );

  const binary = curl(creds, 'PUT', `/api/v1/namespaces/${NS}`, { body: Buffer.from([0, 1, 2, 0xff, 0xfe]) });
  assert.equal(binary.status, 400);
  assert.equal(binary.json.reason, 'BadRequest');
  assertServing();
});

test('a 10 MB ConfigMap is refused with 413, a 2 MB one with 422, and the server keeps serving', () => {
  const big = file(
    'big.json',
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big', namespace: NS },
      data: { blob: 'x'.repeat(10 * 1024 * 1024) },
    }),
  );
  const r = cluster.kubectl(['create', '-f', big]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `Error from server (RequestEntityTooLarge): error when creating "${big}": Request entity too large: limit is 3145728\n`,
  );
  assertServing();

  const medium = file(
    'medium.json',
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'medium', namespace: NS },
      data: { blob: 'x'.repeat(2 * 1024 * 1024) },
    }),
  );
  const m = cluster.kubectl(['create', '-f', medium]);
  assert.equal(m.code, 1);
  assert.equal(
    m.stderr,
    'The ConfigMap "medium" is invalid: []: Too long: must have at most 1048576 bytes\n',
  );
  assert.equal(cluster.kubectl(['get', 'cm', 'big', 'medium', '-n', NS, '-o', 'name']).stdout, '');
  assertServing();
});
