import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import type { KubeObject, Schema } from '../types.js';
import { deployment, deploymentSchema, resolve, widgetSchema } from './fixtures.js';
import { LAST_APPLIED_ANNOTATION, serverSideApply, updateManagedFields } from './server-side-apply.js';

const T1 = '2024-01-01T00:00:01Z';
const T2 = '2024-01-01T00:00:02Z';
const T3 = '2024-01-01T00:00:03Z';

function apply(
  live: KubeObject | undefined,
  applied: KubeObject,
  manager = 'kubectl',
  opts: { force?: boolean; now?: string; schema?: Schema; apiVersion?: string } = {},
) {
  return serverSideApply({
    live,
    applied,
    manager,
    force: opts.force ?? false,
    apiVersion: opts.apiVersion ?? applied.apiVersion,
    schema: opts.schema ?? deploymentSchema,
    resolve,
    now: opts.now ?? T1,
  });
}

function update(
  old: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  now = T1,
  schema: Schema = deploymentSchema,
) {
  return updateManagedFields({
    old,
    updated,
    manager,
    operation: 'Update',
    apiVersion: updated.apiVersion,
    schema,
    resolve,
    now,
  });
}

function entry(obj: KubeObject, manager: string) {
  return obj.metadata.managedFields?.find((e) => e.manager === manager);
}

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a conflict');
}

const webConfig = (replicas = 2, image = 'nginx:1') =>
  deployment(
    {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
    },
    { labels: { app: 'web' } },
  );

test('apply creates the object and records an Apply entry', () => {
  const out = apply(undefined, webConfig());
  assert.equal(out.spec.replicas, 2);
  assert.deepEqual(out.metadata.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
          },
        },
      },
    },
  ]);
});

test('applying the same configuration twice is a no-op (time unchanged)', () => {
  const first = apply(undefined, webConfig());
  const second = apply(first, webConfig(), 'kubectl', { now: T2 });
  assert.deepEqual(second, first);
  const changed = apply(first, webConfig(3), 'kubectl', { now: T2 });
  assert.equal(changed.spec.replicas, 3);
  assert.equal(entry(changed, 'kubectl')!.time, T2);
});

test('a field dropped from the applied configuration is removed', () => {
  const first = apply(undefined, deployment({ replicas: 2, minReadySeconds: 5, paused: true }));
  const second = apply(first, deployment({ replicas: 2 }), 'kubectl', { now: T2 });
  assert.deepEqual(second.spec, { replicas: 2 });
  assert.deepEqual(entry(second, 'kubectl')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('a dropped field another manager also owns stays', () => {
  const first = apply(undefined, deployment({ replicas: 2, minReadySeconds: 5 }), 'a');
  const shared = apply(first, deployment({ minReadySeconds: 5 }), 'b');
  assert.equal(shared.metadata.managedFields!.length, 2);
  const dropped = apply(shared, deployment({ replicas: 2 }), 'a', { now: T2 });
  assert.equal(dropped.spec.minReadySeconds, 5);
  assert.deepEqual(entry(dropped, 'b')!.fieldsV1, { 'f:spec': { 'f:minReadySeconds': {} } });
});

const labelsOnly = (labels: Record<string, string>): KubeObject => {
  const d: KubeObject = deployment({}, { labels });
  delete d.spec;
  return d;
};

test('two appliers own different keys of one map; dropping one key keeps the other', () => {
  const a = apply(undefined, labelsOnly({ a: '1' }), 'mgr-a');
  const ab = apply(a, labelsOnly({ b: '2' }), 'mgr-b', { now: T2 });
  assert.deepEqual(ab.metadata.labels, { a: '1', b: '2' });
  assert.deepEqual(entry(ab, 'mgr-a')!.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:a': {} } } });
  assert.deepEqual(entry(ab, 'mgr-b')!.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:b': {} } } });
  const dropped = apply(ab, labelsOnly({ c: '3' }), 'mgr-a', { now: T3 });
  assert.deepEqual(dropped.metadata.labels, { b: '2', c: '3' });
});

test('changing a field another manager owns is a 409 naming it; force moves ownership', () => {
  const created = apply(undefined, deployment({ replicas: 1, paused: false }), 'alice');
  const e = conflictOf(() => apply(created, deployment({ replicas: 5 }), 'bob', { now: T2 }));
  assert.equal(e.code, 409);
  assert.equal(e.reason, 'Conflict');
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(e.details, {
    causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }],
  });

  const forced = apply(created, deployment({ replicas: 5 }), 'bob', { force: true, now: T2 });
  assert.equal(forced.spec.replicas, 5);
  assert.deepEqual(entry(forced, 'alice')!.fieldsV1, { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(entry(forced, 'bob')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('applying the value another manager already set shares ownership without conflict', () => {
  const created = apply(undefined, deployment({ replicas: 1 }), 'alice');
  const shared = apply(created, deployment({ replicas: 1 }), 'bob', { now: T2 });
  assert.ok(entry(shared, 'alice'));
  assert.ok(entry(shared, 'bob'));
});

test('client-side apply then server-side apply: the conflict names the client-side manager and version', () => {
  const csaObject = deployment({
    replicas: 2,
    template: { spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
  });
  const created = update(undefined, csaObject, 'kubectl-client-side-apply');
  assert.equal(entry(created, 'kubectl-client-side-apply')!.operation, 'Update');
  const e = conflictOf(() =>
    apply(
      created,
      deployment({ replicas: 3, template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } }),
      'my-tool',
      { now: T2 },
    ),
  );
  assert.equal(
    e.message,
    'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="c"].image',
  );
  assert.deepEqual(
    e.details?.causes?.map((c) => c.field),
    ['.spec.replicas', '.spec.template.spec.containers[name="c"].image'],
  );
  assert.equal(e.details?.causes?.[0].message, 'conflict with "kubectl-client-side-apply" using apps/v1');
});

test('kubectl server-side apply may take over fields that still match last-applied, and keeps it current', () => {
  const lastApplied = JSON.stringify(deployment({ replicas: 2 }));
  const csa = deployment(
    { replicas: 2, paused: true },
    { annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } },
  );
  const created = update(undefined, csa, 'kubectl-client-side-apply');
  // replicas matches last-applied: taken over. paused is not in last-applied: a real conflict.
  const e = conflictOf(() =>
    apply(created, deployment({ replicas: 4, paused: false }), 'kubectl', { now: T2 }),
  );
  assert.equal(
    e.message,
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.paused',
  );

  const out = apply(created, deployment({ replicas: 4 }), 'kubectl', { now: T2 });
  assert.equal(out.spec.replicas, 4);
  assert.deepEqual(entry(out, 'kubectl')!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(
    out.metadata.annotations![LAST_APPLIED_ANNOTATION],
    `${JSON.stringify(sortKeysDeep(deployment({ replicas: 4 })))}\n`,
  );
});

function sortKeysDeep(v: any): any {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeysDeep(v[k])]),
    );
  return v;
}

test('containers merge by name across appliers; an applier removing its container removes only that one', () => {
  const base = apply(
    undefined,
    deployment({ template: { spec: { containers: [{ name: 'app', image: 'a' }] } } }),
    'team-a',
  );
  const withSidecar = apply(
    base,
    deployment({
      template: { spec: { containers: [{ name: 'sidecar', image: 's', env: [{ name: 'X', value: '1' }] }] } },
    }),
    'team-b',
    {
      now: T2,
    },
  );
  assert.deepEqual(withSidecar.spec.template.spec.containers, [
    { name: 'app', image: 'a' },
    { name: 'sidecar', image: 's', env: [{ name: 'X', value: '1' }] },
  ]);
  const gone = apply(withSidecar, deployment({ template: { spec: { containers: [] } } }), 'team-b', {
    now: T3,
  });
  assert.deepEqual(gone.spec.template.spec.containers, [{ name: 'app', image: 'a' }]);
});

test('ports are keyed by containerPort and the defaulted protocol', () => {
  const out = apply(
    undefined,
    deployment({
      template: {
        spec: {
          containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }] }],
        },
      },
    }),
  );
  assert.equal(out.spec.template.spec.containers[0].ports.length, 2);
  const fields = entry(out, 'kubectl')!.fieldsV1 as any;
  const ports = fields['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"c"}']['f:ports'];
  assert.deepEqual(Object.keys(ports).sort(), [
    'k:{"containerPort":80,"protocol":"TCP"}',
    'k:{"containerPort":80,"protocol":"UDP"}',
  ]);
});

test('CRD lists: sets union, map lists merge by key, atomic lists and maps are replaced', () => {
  const w = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'acme.io/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec,
  });
  const opts = { schema: widgetSchema };
  const a = apply(
    undefined,
    w({ tags: ['a'], plain: ['p1'], items: [{ id: 'i1', weight: 1 }], shape: { w: 1, h: 1 } }),
    'one',
    opts,
  );
  const b = apply(
    a,
    w({ tags: ['b'], plain: ['p2'], items: [{ id: 'i2', weight: 2 }], shape: { w: 2 } }),
    'two',
    { ...opts, force: true },
  );
  assert.deepEqual(b.spec.tags, ['a', 'b']);
  assert.deepEqual(b.spec.plain, ['p2']);
  assert.deepEqual(b.spec.items, [
    { id: 'i1', weight: 1 },
    { id: 'i2', weight: 2 },
  ]);
  assert.deepEqual(b.spec.shape, { w: 2 });
  assert.deepEqual(entry(b, 'one')!.fieldsV1, {
    'f:spec': {
      'f:tags': { 'v:"a"': {} },
      'f:items': { 'k:{"id":"i1"}': { '.': {}, 'f:id': {}, 'f:weight': {} } },
    },
  });
});

test('a conflict on an atomic list names the list', () => {
  const w = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'acme.io/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec,
  });
  const a = apply(undefined, w({ plain: ['x'] }), 'one', { schema: widgetSchema });
  const e = conflictOf(() => apply(a, w({ plain: ['y'] }), 'two', { schema: widgetSchema }));
  assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "one": .spec.plain');
});

test('apply request validation', () => {
  const withManaged = deployment({}, { managedFields: [] });
  assert.throws(
    () => apply(undefined, withManaged as KubeObject),
    (e: any) => e.code === 400 && e.message === 'metadata.managedFields must be nil',
  );
  assert.throws(
    () =>
      apply(undefined, { ...deployment(), apiVersion: 'apps/v1beta1' }, 'kubectl', { apiVersion: 'apps/v1' }),
    (e: any) =>
      e.code === 400 &&
      e.message ===
        'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1',
  );
  assert.throws(
    () => apply(undefined, deployment(), ''),
    (e: any) => e.code === 400 && /fieldManager is required/.test(e.message),
  );
  assert.throws(
    () =>
      apply(undefined, deployment({ template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } })),
    (e: any) =>
      e.code === 500 &&
      /failed to create typed patch object \(default\/web; apps\/v1, Kind=Deployment\): .*duplicate entries/.test(
        e.message,
      ),
  );
});

test('an object that was never applied is owned by before-first-apply', () => {
  const live = deployment({ replicas: 1 }) as KubeObject;
  const e = conflictOf(() => apply(live, deployment({ replicas: 2 }), 'kubectl'));
  assert.match(e.message, /conflict with "before-first-apply" using apps\/v1: \.spec\.replicas/);
});

test('updates: the writer gains what it changed, others lose it, removed fields are dropped', () => {
  const applied = apply(undefined, deployment({ replicas: 2, paused: true, minReadySeconds: 3 }), 'kubectl');
  const edited = structuredClone(applied);
  edited.spec.replicas = 7;
  delete edited.spec.paused;
  const out = update(applied, edited, 'kubectl-edit', T2);
  assert.deepEqual(entry(out, 'kubectl')!.fieldsV1, { 'f:spec': { 'f:minReadySeconds': {} } });
  assert.deepEqual(entry(out, 'kubectl-edit'), {
    manager: 'kubectl-edit',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T2,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } },
  });
  // Apply entries sort before Update entries.
  assert.deepEqual(
    out.metadata.managedFields!.map((e) => e.operation),
    ['Apply', 'Update'],
  );

  const unchanged = update(out, structuredClone(out), 'someone', T3);
  assert.deepEqual(unchanged.metadata.managedFields, out.metadata.managedFields);
});

test('update entries sort by time and an updater accumulates its fields', () => {
  const created = update(undefined, deployment({ replicas: 1 }, { labels: { a: '1' } }), 'creator', T2);
  assert.deepEqual(entry(created, 'creator')!.fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
    'f:spec': { 'f:replicas': {} },
  });
  const second = structuredClone(created);
  second.spec.paused = true;
  const later = update(created, second, 'aaa-early-name', T3);
  assert.deepEqual(
    later.metadata.managedFields!.map((e) => e.manager),
    ['creator', 'aaa-early-name'],
  );
  const third = structuredClone(later);
  third.spec.minReadySeconds = 1;
  const again = update(later, third, 'aaa-early-name', T3);
  assert.deepEqual(entry(again, 'aaa-early-name')!.fieldsV1, {
    'f:spec': { 'f:paused': {}, 'f:minReadySeconds': {} },
  });
});

test('managedFields sent with an update replace the stored ones; [{}] clears them', () => {
  const created = update(undefined, deployment({ replicas: 1 }), 'kubectl-client-side-apply');
  const migrated = structuredClone(created);
  migrated.metadata.managedFields = [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    },
  ];
  const out = update(created, migrated, 'kubectl-patch', T2);
  assert.deepEqual(
    out.metadata.managedFields!.map((e) => `${e.manager}/${e.operation}`),
    ['kubectl/Apply'],
  );

  const reset = structuredClone(created);
  reset.metadata.managedFields = [{} as any];
  assert.equal('managedFields' in update(created, reset, 'x', T2).metadata, false);

  const emptied = structuredClone(created);
  emptied.metadata.managedFields = [];
  assert.deepEqual(update(created, emptied, 'x', T2).metadata.managedFields, created.metadata.managedFields);
});

test('inputs are not mutated', () => {
  const live = apply(undefined, webConfig());
  const applied = webConfig(4);
  const before = JSON.stringify([live, applied]);
  apply(live, applied, 'kubectl', { now: T2 });
  update(live, { ...live, spec: { ...live.spec, replicas: 9 } }, 'x', T2);
  assert.equal(JSON.stringify([live, applied]), before);
});
