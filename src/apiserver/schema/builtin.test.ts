import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as models from '@kubernetes/client-node';
import { builtinSchemas, type BuiltinRoot } from './builtin.js';
import { withDescriptions } from './descriptions.js';
import { classModelSource, fileModelSource } from './models.js';
import { deref, type Schema } from '../types.js';

const ROOTS: BuiltinRoot[] = [
  { group: 'apps', version: 'v1', kind: 'Deployment', model: 'V1Deployment' },
  { group: '', version: 'v1', kind: 'Pod', model: 'V1Pod' },
  { group: '', version: 'v1', kind: 'Service', model: 'V1Service' },
  { group: '', version: 'v1', kind: 'ConfigMap', model: 'V1ConfigMap' },
  { group: '', version: 'v1', kind: 'Node', model: 'V1Node' },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', model: 'V1ControllerRevision' },
];
const b = builtinSchemas(ROOTS);
const S = (name: string): Schema => {
  const s = b.schemas[name];
  assert.ok(s, `missing ${name}`);
  return s;
};
const prop = (name: string, field: string): Schema => S(name).properties![field];

test('component names follow the Go packages, pod types stay in core even when reached from apps first', () => {
  for (const n of [
    'io.k8s.api.apps.v1.Deployment',
    'io.k8s.api.apps.v1.DeploymentSpec',
    'io.k8s.api.core.v1.PodTemplateSpec',
    'io.k8s.api.core.v1.Container',
    'io.k8s.api.core.v1.Pod',
    'io.k8s.api.core.v1.Service',
    'io.k8s.api.core.v1.ConfigMap',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.runtime.RawExtension',
  ])
    S(n);
  assert.equal(b.schemas['io.k8s.api.apps.v1.Container'], undefined);
  assert.equal(b.refFor('apps', 'v1', 'Deployment'), '#/components/schemas/io.k8s.api.apps.v1.Deployment');
  assert.equal(b.refFor('', 'v1', 'Pod'), '#/components/schemas/io.k8s.api.core.v1.Pod');
  assert.throws(() => b.refFor('apps', 'v1', 'Nope'));
});

test('roots carry x-kubernetes-group-version-kind; refs resolve', () => {
  assert.deepEqual(S('io.k8s.api.apps.v1.Deployment')['x-kubernetes-group-version-kind'], [
    { group: 'apps', version: 'v1', kind: 'Deployment' },
  ]);
  assert.deepEqual(S('io.k8s.api.core.v1.ConfigMap')['x-kubernetes-group-version-kind'], [
    { group: '', version: 'v1', kind: 'ConfigMap' },
  ]);
  assert.equal(S('io.k8s.api.apps.v1.DeploymentSpec')['x-kubernetes-group-version-kind'], undefined);
  assert.equal(
    prop('io.k8s.api.apps.v1.Deployment', 'spec').$ref,
    '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec',
  );
  assert.equal(
    prop('io.k8s.api.apps.v1.Deployment', 'metadata').$ref,
    '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  );
  const tmpl = deref(prop('io.k8s.api.apps.v1.DeploymentSpec', 'template'), b.resolve);
  assert.equal(tmpl, S('io.k8s.api.core.v1.PodTemplateSpec'));
  // every $ref anywhere resolves
  const walk = (s: Schema | undefined): void => {
    if (!s || typeof s !== 'object') return;
    if (s.$ref) assert.ok(b.resolve(s.$ref), `dangling ${s.$ref}`);
    Object.values(s.properties ?? {}).forEach(walk);
    walk(s.items);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties);
    s.allOf?.forEach(walk);
  };
  Object.values(b.schemas).forEach(walk);
});

test('scalar types, maps, dates, int-or-string, quantities, raw extensions', () => {
  assert.deepEqual(prop('io.k8s.api.apps.v1.DeploymentSpec', 'replicas'), {
    type: 'integer',
    format: 'int32',
  });
  assert.deepEqual(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'generation'), {
    type: 'integer',
    format: 'int64',
  });
  assert.deepEqual(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'labels'), {
    type: 'object',
    additionalProperties: { type: 'string' },
  });
  assert.equal(
    prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp').$ref,
    '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  );
  assert.deepEqual(S('io.k8s.apimachinery.pkg.apis.meta.v1.Time'), { type: 'string', format: 'date-time' });
  assert.deepEqual(prop('io.k8s.api.core.v1.ConfigMap', 'binaryData'), {
    type: 'object',
    additionalProperties: { type: 'string', format: 'byte' },
  });
  assert.equal(
    prop('io.k8s.api.core.v1.ServicePort', 'targetPort').$ref,
    '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  );
  assert.equal(S('io.k8s.apimachinery.pkg.util.intstr.IntOrString')['x-kubernetes-int-or-string'], true);
  for (const f of ['limits', 'requests']) {
    assert.equal(
      prop('io.k8s.api.core.v1.ResourceRequirements', f).additionalProperties &&
        (prop('io.k8s.api.core.v1.ResourceRequirements', f).additionalProperties as Schema).$ref,
      '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
    );
  }
  for (const f of ['capacity', 'allocatable']) {
    assert.equal(
      (prop('io.k8s.api.core.v1.NodeStatus', f).additionalProperties as Schema).$ref,
      '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
    );
  }
  assert.equal(
    prop('io.k8s.api.core.v1.EmptyDirVolumeSource', 'sizeLimit').$ref,
    '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
  );
  assert.equal(S('io.k8s.apimachinery.pkg.api.resource.Quantity')['x-kubernetes-int-or-string'], true);
  assert.equal(
    prop('io.k8s.api.apps.v1.ControllerRevision', 'data').$ref,
    '#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension',
  );
  const raw = S('io.k8s.apimachinery.pkg.runtime.RawExtension');
  assert.equal(raw['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(raw['x-kubernetes-embedded-resource'], true);
  assert.equal(
    S('io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1')['x-kubernetes-preserve-unknown-fields'],
    true,
  );
});

test('strategic merge and list-type extensions', () => {
  const pod = (f: string) => prop('io.k8s.api.core.v1.PodSpec', f);
  for (const f of ['containers', 'initContainers', 'ephemeralContainers']) {
    assert.equal(pod(f)['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(pod(f)['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(pod(f)['x-kubernetes-list-type'], 'map');
    assert.deepEqual(pod(f)['x-kubernetes-list-map-keys'], ['name']);
  }
  assert.equal(pod('volumes')['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(pod('imagePullSecrets')['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(pod('hostAliases')['x-kubernetes-patch-merge-key'], 'ip');
  assert.deepEqual(pod('topologySpreadConstraints')['x-kubernetes-list-map-keys'], [
    'topologyKey',
    'whenUnsatisfiable',
  ]);
  assert.equal(pod('tolerations')['x-kubernetes-list-type'], 'atomic');
  const c = (f: string) => prop('io.k8s.api.core.v1.Container', f);
  assert.equal(c('ports')['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(c('ports')['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(c('env')['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(c('volumeMounts')['x-kubernetes-patch-merge-key'], 'mountPath');
  const sp = prop('io.k8s.api.core.v1.ServiceSpec', 'ports');
  assert.equal(sp['x-kubernetes-patch-merge-key'], 'port');
  assert.deepEqual(sp['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  const meta = (f: string) => prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', f);
  assert.equal(meta('ownerReferences')['x-kubernetes-patch-merge-key'], 'uid');
  assert.deepEqual(meta('ownerReferences')['x-kubernetes-list-map-keys'], ['uid']);
  assert.equal(meta('finalizers')['x-kubernetes-list-type'], 'set');
  for (const n of [
    'io.k8s.api.apps.v1.DeploymentStatus',
    'io.k8s.api.core.v1.PodStatus',
    'io.k8s.api.core.v1.NodeStatus',
  ]) {
    assert.equal(prop(n, 'conditions')['x-kubernetes-patch-merge-key'], 'type', n);
    assert.deepEqual(prop(n, 'conditions')['x-kubernetes-list-map-keys'], ['type'], n);
  }
  const strategy = prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy');
  assert.equal(strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.equal(deref(strategy, b.resolve), S('io.k8s.api.apps.v1.DeploymentStrategy'));
  assert.equal(S('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')['x-kubernetes-map-type'], 'atomic');
});

test('descriptions and required lists are added lazily, leaving the cached schemas alone', () => {
  assert.equal(S('io.k8s.api.apps.v1.DeploymentSpec').description, undefined);
  const d = withDescriptions(b);
  const spec = d['io.k8s.api.apps.v1.DeploymentSpec'];
  assert.match(spec.description!, /DeploymentSpec is the specification/);
  assert.deepEqual(spec.required, ['selector', 'template']);
  assert.match(spec.properties!.replicas.description!, /Number of desired pods/);
  assert.deepEqual(d['io.k8s.api.core.v1.Container'].required, ['name']);
  assert.equal(S('io.k8s.api.apps.v1.DeploymentSpec').required, undefined);
  assert.equal(withDescriptions(b), d);
});

test('the file reader sees the same attributes as Model.getAttributeTypeMap()', () => {
  const fromClasses = classModelSource(models as unknown as Record<string, unknown>);
  for (const m of Object.values(b.models)) assert.deepEqual(fileModelSource(m), fromClasses(m), m);
  const viaClasses = builtinSchemas(ROOTS, fromClasses);
  assert.deepEqual(viaClasses.schemas, b.schemas);
});

// Speed belongs in bench/, not in a timed test; this checks the result and the cache.
test('generation for ~30 kinds is complete and cached', () => {
  const many: BuiltinRoot[] = [
    ...ROOTS,
    ...[
      'Secret',
      'Namespace',
      'ServiceAccount',
      'Endpoints',
      'PersistentVolumeClaim',
      'PersistentVolume',
      'LimitRange',
      'ResourceQuota',
      'ReplicationController',
      'PodTemplate',
    ].map((k) => ({ group: '', version: 'v1', kind: k, model: `V1${k}` })),
    ...['StatefulSet', 'DaemonSet', 'ReplicaSet'].map((k) => ({
      group: 'apps',
      version: 'v1',
      kind: k,
      model: `V1${k}`,
    })),
    ...['Job', 'CronJob'].map((k) => ({ group: 'batch', version: 'v1', kind: k, model: `V1${k}` })),
    ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => ({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: k,
      model: `V1${k}`,
    })),
    { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', model: 'V1Ingress' },
    { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', model: 'V1Lease' },
    {
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      model: 'V1CustomResourceDefinition',
    },
    { group: '', version: 'v1', kind: 'Event', model: 'CoreV1Event' },
  ];
  const big = builtinSchemas(many);
  assert.equal(builtinSchemas(many), big);
  assert.ok(big.schemas['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition']);
  assert.ok(big.schemas['io.k8s.api.core.v1.Event']);
  assert.ok(big.schemas['io.k8s.api.core.v1.PersistentVolumeClaimSpec']);
  assert.equal(big.schemas['io.k8s.api.apps.v1.PersistentVolumeClaimSpec'], undefined);
});
