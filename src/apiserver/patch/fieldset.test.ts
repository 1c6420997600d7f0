import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, deploymentSchema, resolve, widgetSchema } from './fixtures.js';
import { FieldSet, pathToString } from './fieldset.js';
import { TypedWalker } from './typed.js';

const walker = new TypedWalker(resolve);

test('FieldsV1 round-trips, writing "." for members that have children', () => {
  const v1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } }, 'f:tags': { 'v:"a"': {} } },
  };
  const set = FieldSet.fromFieldsV1(v1);
  assert.ok(set.has(['f:metadata', 'f:labels']));
  assert.ok(set.has(['f:metadata', 'f:labels', 'f:app']));
  assert.ok(!set.has(['f:metadata']));
  assert.ok(set.has(['f:spec', 'f:containers', 'k:{"name":"c"}']));
  assert.deepEqual(set.toFieldsV1(), v1);
  assert.deepEqual(
    JSON.stringify(Object.keys((set.toFieldsV1() as any)['f:metadata']['f:labels'])),
    '[".","f:app"]',
  );
});

test('set algebra keeps only non-empty branches', () => {
  const a = FieldSet.fromPaths([['f:a', 'f:x'], ['f:a', 'f:y'], ['f:b']]);
  const b = FieldSet.fromPaths([['f:a', 'f:y'], ['f:c']]);
  assert.deepEqual(a.union(b).paths(), [['f:a', 'f:x'], ['f:a', 'f:y'], ['f:b'], ['f:c']]);
  assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:a': { 'f:x': {} }, 'f:b': {} });
  assert.deepEqual(a.intersection(b).toFieldsV1(), { 'f:a': { 'f:y': {} } });
  assert.ok(a.intersection(FieldSet.fromPaths([['f:z']])).isEmpty());
  assert.deepEqual(a.ensureNamedFieldsAreMembers().paths(), [
    ['f:a'],
    ['f:a', 'f:x'],
    ['f:a', 'f:y'],
    ['f:b'],
  ]);
});

test('paths print like upstream conflict messages', () => {
  assert.equal(pathToString(['f:spec', 'f:replicas']), '.spec.replicas');
  assert.equal(
    pathToString([
      'f:spec',
      'f:containers',
      'k:{"name":"c"}',
      'f:ports',
      'k:{"containerPort":80,"protocol":"TCP"}',
    ]),
    '.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
  );
  assert.equal(pathToString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
});

test('the field set of a Deployment: items by key (defaulted key fields), atomic selector, map entries', () => {
  const d = deployment(
    {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] },
      },
    },
    { labels: { app: 'web' }, finalizers: ['f1'] },
  );
  assert.deepEqual(walker.toFieldSet(d, deploymentSchema).toFieldsV1(), {
    'f:apiVersion': {},
    'f:kind': {},
    'f:metadata': {
      'f:name': {},
      'f:namespace': {},
      'f:labels': { 'f:app': {} },
      'f:finalizers': { 'v:"f1"': {} },
    },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"c"}': {
              '.': {},
              'f:name': {},
              'f:image': {},
              'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            },
          },
        },
      },
    },
  });
});

test('CRD list types: set, map, atomic; atomic maps and unknown subtrees', () => {
  const w = {
    spec: {
      tags: ['a', 'b'],
      plain: ['x'],
      items: [{ id: 'i1', weight: 1 }],
      shape: { w: 1, h: 2 },
      config: { deep: { x: 1 }, list: [1] },
      empty: {},
    },
  };
  assert.deepEqual(walker.toFieldSet(w, widgetSchema).toFieldsV1(), {
    'f:spec': {
      'f:tags': { 'v:"a"': {}, 'v:"b"': {} },
      'f:plain': {},
      'f:items': { 'k:{"id":"i1"}': { '.': {}, 'f:id': {}, 'f:weight': {} } },
      'f:shape': {},
      'f:config': { 'f:deep': { '.': {}, 'f:x': {} }, 'f:list': {} },
      'f:empty': {},
    },
  });
});

test('duplicate keys and missing keys are rejected in applied objects', () => {
  assert.throws(
    () => walker.toFieldSet({ spec: { items: [{ id: 'a' }, { id: 'a' }] } }, widgetSchema),
    /\.spec\.items: duplicate entries for key \[id="a"\]/,
  );
  assert.throws(
    () => walker.toFieldSet({ spec: { items: [{ weight: 1 }] } }, widgetSchema),
    /omits key field "id" \(and doesn't have default value\)/,
  );
});

test('compare reports leaves and whole items added, modified and removed', () => {
  const a = { spec: { size: 1, color: 'red', items: [{ id: 'x', weight: 1 }], tags: ['a'] } };
  const b = { spec: { size: 2, items: [{ id: 'x', weight: 1 }, { id: 'y' }], tags: ['a', 'b'] } };
  const c = walker.compare(a, b, widgetSchema);
  assert.deepEqual(c.modified.paths(), [['f:spec', 'f:size']]);
  assert.deepEqual(c.removed.paths(), [['f:spec', 'f:color']]);
  assert.deepEqual(c.added.paths(), [
    ['f:spec', 'f:items', 'k:{"id":"y"}'],
    ['f:spec', 'f:items', 'k:{"id":"y"}', 'f:id'],
    ['f:spec', 'f:tags', 'v:"b"'],
  ]);
});
