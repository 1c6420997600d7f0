import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import type { Schema } from '../types.js';
import { deployment, deploymentSchema, resolve } from './fixtures.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

const smp = (original: unknown, patch: unknown, schema: Schema = deploymentSchema) =>
  applyStrategicMergePatch(original, patch, schema, resolve) as any;

const podSpec = (spec: Record<string, unknown>) => deployment({ replicas: 1, template: { spec } });

function expectStatus(fn: () => unknown, code: number, message: string | RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof StatusError, `expected a StatusError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
}

function hasDirective(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasDirective);
  if (v && typeof v === 'object')
    return Object.entries(v).some(([k, x]) => k.startsWith('$') || hasDirective(x));
  return false;
}

test('the patch kubectl client-side apply sends updates the container by name', () => {
  const live = podSpec({
    containers: [{ name: 'c', image: 'old', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
    restartPolicy: 'Always',
  });
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}' } },
    spec: {
      template: {
        spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ name: 'c', image: 'x' }] },
      },
    },
  };
  const out = smp(live, patch);
  assert.deepEqual(out.spec.template.spec, {
    containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
    restartPolicy: 'Always',
  });
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{...}');
  assert.equal(out.spec.replicas, 1);
  assert.equal(hasDirective(out), false);
});

test('containers merge by name; new ones are added and $setElementOrder decides the order', () => {
  const live = podSpec({
    containers: [
      { name: 'a', image: 'a1' },
      { name: 'b', image: 'b1' },
    ],
  });
  const out = smp(live, {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'b' }, { name: 'new' }, { name: 'a' }],
          containers: [
            { name: 'new', image: 'n1' },
            { name: 'a', image: 'a2' },
          ],
        },
      },
    },
  });
  assert.deepEqual(out.spec.template.spec.containers, [
    { name: 'b', image: 'b1' },
    { name: 'new', image: 'n1' },
    { name: 'a', image: 'a2' },
  ]);
});

test('items the patch does not mention keep their place among patched ones', () => {
  const live = podSpec({ containers: [{ name: 'a' }, { name: 'sidecar' }, { name: 'b' }] });
  const out = smp(live, {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
          containers: [{ name: 'b', image: 'b2' }],
        },
      },
    },
  });
  assert.deepEqual(
    out.spec.template.spec.containers.map((c: any) => c.name),
    ['a', 'sidecar', 'b'],
  );
  assert.equal(out.spec.template.spec.containers[2].image, 'b2');
});

// Upstream interleaves patch items with live-only ones by live position; an item the live list
// lacks has no position, so it is emitted as soon as it is reached.
test('without $setElementOrder new items go ahead of live-only ones, as upstream orders them', () => {
  const live = podSpec({ containers: [{ name: 'a' }, { name: 'b' }] });
  const out = smp(live, { spec: { template: { spec: { containers: [{ name: 'c', image: 'c' }] } } } });
  assert.deepEqual(
    out.spec.template.spec.containers.map((c: any) => c.name),
    ['c', 'a', 'b'],
  );
  const updated = smp(live, {
    spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'c' }] } } },
  });
  assert.deepEqual(
    updated.spec.template.spec.containers.map((c: any) => c.name),
    ['a', 'c', 'b'],
  );
});

test('env merges by name and ports by containerPort inside a merged container', () => {
  const live = podSpec({
    containers: [
      {
        name: 'c',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        ports: [
          { containerPort: 80, name: 'http' },
          { containerPort: 443, name: 'https' },
        ],
      },
    ],
  });
  const out = smp(live, {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'c',
              env: [
                { name: 'B', value: 'two' },
                { name: 'C', value: '3' },
              ],
              ports: [{ containerPort: 443, name: 'tls' }, { containerPort: 8080 }],
            },
          ],
        },
      },
    },
  });
  const c = out.spec.template.spec.containers[0];
  assert.deepEqual(c.env, [
    { name: 'A', value: '1' },
    { name: 'B', value: 'two' },
    { name: 'C', value: '3' },
  ]);
  assert.deepEqual(c.ports, [
    { containerPort: 80, name: 'http' },
    { containerPort: 443, name: 'tls' },
    { containerPort: 8080 },
  ]);
});

test('$patch: delete removes one container and leaves no directive behind', () => {
  const live = podSpec({
    containers: [
      { name: 'a', image: 'a' },
      { name: 'b', image: 'b' },
    ],
  });
  const out = smp(live, { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } } } });
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'b', image: 'b' }]);
  assert.equal(hasDirective(out), false);
});

test('$patch: replace in a list replaces the whole list', () => {
  const live = podSpec({
    containers: [
      { name: 'a', image: 'a' },
      { name: 'b', image: 'b' },
    ],
  });
  const out = smp(live, {
    spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z' }] } } },
  });
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'z', image: 'z' }]);
});

test('$patch: replace and delete in maps', () => {
  const live = podSpec({ nodeSelector: { a: '1', b: '2' } });
  live.metadata = { ...live.metadata, labels: { x: '1' } } as any;
  const replaced = smp(live, {
    spec: { template: { spec: { nodeSelector: { $patch: 'replace', c: '3' } } } },
  });
  assert.deepEqual(replaced.spec.template.spec.nodeSelector, { c: '3' });
  const deleted = smp(live, { metadata: { labels: { $patch: 'delete' } } });
  assert.equal('labels' in deleted.metadata, false);
  assert.equal(deleted.metadata.name, 'web');
  const merged = smp(live, { metadata: { labels: { $patch: 'merge', y: '2' } } });
  assert.deepEqual(merged.metadata.labels, { x: '1', y: '2' });
});

test('volumes: $retainKeys drops the old volume source', () => {
  const live = podSpec({
    volumes: [
      { name: 'v', configMap: { name: 'cm' } },
      { name: 'w', secret: { secretName: 's' } },
    ],
  });
  const out = smp(live, {
    spec: {
      template: { spec: { volumes: [{ name: 'v', emptyDir: {}, $retainKeys: ['emptyDir', 'name'] }] } },
    },
  });
  assert.deepEqual(out.spec.template.spec.volumes, [
    { name: 'v', emptyDir: {} },
    { name: 'w', secret: { secretName: 's' } },
  ]);
});

test('deployment strategy: $retainKeys clears rollingUpdate when switching to Recreate', () => {
  const live = deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } });
  const out = smp(live, {
    spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
  });
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
});

test('a patch key outside $retainKeys is 400', () => {
  const live = deployment({ strategy: { type: 'RollingUpdate' } });
  expectStatus(
    () => smp(live, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }),
    400,
    'invalid patch format of retainKeys',
  );
  expectStatus(
    () => smp(live, { spec: { strategy: { $retainKeys: 'type' } } }),
    400,
    'invalid patch format of retainKeys',
  );
});

test('primitive merge lists merge as sets and $deleteFromPrimitiveList removes values', () => {
  const live = deployment({}, { finalizers: ['a', 'b', 'c'] });
  const added = smp(live, { metadata: { finalizers: ['d', 'a'] } });
  assert.deepEqual(added.metadata.finalizers, ['d', 'a', 'b', 'c']);
  const removed = smp(live, {
    metadata: {
      '$setElementOrder/finalizers': ['a', 'c', 'e'],
      '$deleteFromPrimitiveList/finalizers': ['b'],
      finalizers: ['e'],
    },
  });
  assert.deepEqual(removed.metadata.finalizers, ['a', 'c', 'e']);
  assert.equal(hasDirective(removed), false);
  expectStatus(
    () => smp(live, { metadata: { '$deleteFromPrimitiveList/finalizers': 'b' } }),
    400,
    'invalid patch format of primitive list',
  );
});

test('lists without a merge strategy are replaced', () => {
  const live = podSpec({
    containers: [{ name: 'c', args: ['a', 'b'] }],
    tolerations: [{ key: 'k1' }, { key: 'k2' }],
  });
  const out = smp(live, {
    spec: { template: { spec: { tolerations: [{ key: 'k3' }], containers: [{ name: 'c', args: ['z'] }] } } },
  });
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'k3' }]);
  assert.deepEqual(out.spec.template.spec.containers[0].args, ['z']);
});

test('null deletes a key; null for an absent key is ignored', () => {
  const live = deployment({ replicas: 3, paused: true });
  const out = smp(live, { spec: { paused: null, minReadySeconds: null } });
  assert.deepEqual(out.spec, { replicas: 3 });
});

test('fields unknown to the schema merge like a JSON merge patch', () => {
  const live = deployment({ replicas: 1, extra: { a: 1, b: { c: 2 }, list: [1, 2] } });
  const out = smp(live, { spec: { extra: { b: { d: 3 }, list: [9], a: null } } });
  assert.deepEqual(out.spec.extra, { b: { c: 2, d: 3 }, list: [9] });
});

test('a merge strategy behind a $ref is honoured (initContainers)', () => {
  const live = podSpec({ initContainers: [{ name: 'i1', image: 'a' }] });
  const out = smp(live, { spec: { template: { spec: { initContainers: [{ name: 'i2', image: 'b' }] } } } });
  assert.deepEqual(
    out.spec.template.spec.initContainers.map((c: any) => c.name),
    ['i2', 'i1'],
  );
});

test('status conditions merge by type', () => {
  const live = {
    ...deployment(),
    status: {
      conditions: [
        { type: 'Available', status: 'False' },
        { type: 'Progressing', status: 'True' },
      ],
    },
  };
  const out = smp(live, { status: { conditions: [{ type: 'Available', status: 'True' }] } });
  assert.deepEqual(out.status.conditions, [
    { type: 'Available', status: 'True' },
    { type: 'Progressing', status: 'True' },
  ]);
});

test('a new nested map or list is inserted without directives or nulls', () => {
  const live = deployment({ replicas: 1 });
  const out = smp(live, {
    spec: {
      template: {
        metadata: { labels: { app: 'x', gone: null } },
        spec: {
          '$setElementOrder/containers': [{ name: 'c' }],
          containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }],
        },
      },
    },
  });
  assert.deepEqual(out.spec.template, {
    metadata: { labels: { app: 'x' } },
    spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }] },
  });
});

test('inputs are not mutated', () => {
  const live = podSpec({ containers: [{ name: 'a', image: 'a' }] });
  const patch = {
    spec: {
      template: {
        spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'a', image: 'b' }] },
      },
    },
  };
  const before = JSON.stringify([live, patch]);
  smp(live, patch);
  assert.equal(JSON.stringify([live, patch]), before);
});

test('malformed patches answer like upstream', () => {
  const live = podSpec({ containers: [{ name: 'a' }] });
  expectStatus(
    () => smp(live, [1]),
    400,
    'json: cannot unmarshal array into Go value of type map[string]interface {}',
  );
  expectStatus(
    () => smp(live, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }),
    500,
    'map: map[image:x] does not contain declared merge key: name',
  );
  expectStatus(
    () => smp(live, { metadata: { labels: { $patch: 'bogus' } } }),
    500,
    /^Unknown patch type: bogus in map/,
  );
  expectStatus(
    () => smp(live, { spec: { template: { spec: { '$setElementOrder/containers': 'a' } } } }),
    400,
    'invalid patch format of setElementOrder list',
  );
  expectStatus(
    () =>
      smp(live, {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
              containers: [{ name: 'b' }, { name: 'a' }],
            },
          },
        },
      }),
    500,
    /doesn't match \$setElementOrder\/ list/,
  );
  assert.deepEqual(smp(live, null), live);
});
