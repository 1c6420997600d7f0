import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimsFor, planStatefulSet, statefulPod } from './statefulset-logic.js';
import { T, pod } from './testing.js';

const set = (replicas: number, o: { parallel?: boolean; partition?: number } = {}): any => ({
  metadata: { name: 'web', namespace: 'ns', uid: 's1', generation: 1 },
  spec: {
    replicas,
    serviceName: 'web',
    podManagementPolicy: o.parallel ? 'Parallel' : 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
  },
});
const spod = (i: number, ready = true, hash = 'h1') =>
  pod(`web-${i}`, { node: 'n', ready, labels: { app: 'web', 'controller-revision-hash': hash } });

test('OrderedReady creates one ordinal at a time, each after the previous is ready', () => {
  assert.deepEqual(planStatefulSet(set(3), [], 'h1', 'h1', T(0)).create, [0]);
  assert.deepEqual(planStatefulSet(set(3), [spod(0, false)], 'h1', 'h1', T(0)).create, []);
  assert.deepEqual(planStatefulSet(set(3), [spod(0)], 'h1', 'h1', T(0)).create, [1]);
  assert.deepEqual(planStatefulSet(set(3, { parallel: true }), [], 'h1', 'h1', T(0)).create, [0, 1, 2]);
});

test('scale down removes the highest ordinal first, one at a time', () => {
  const pods = [spod(0), spod(1), spod(2), spod(3)];
  assert.deepEqual(
    planStatefulSet(set(2), pods, 'h1', 'h1', T(0)).delete.map((p) => p.metadata.name),
    ['web-3'],
  );
  assert.deepEqual(
    planStatefulSet(set(2, { parallel: true }), pods, 'h1', 'h1', T(0)).delete.map((p) => p.metadata.name),
    ['web-3', 'web-2'],
  );
  // Not while another pod is unhealthy.
  assert.deepEqual(planStatefulSet(set(2), [spod(0), spod(1, false), spod(2)], 'h1', 'h1', T(0)).delete, []);
});

test('rolling update goes from the highest ordinal down to the partition; status revisions', () => {
  const pods = [spod(0), spod(1), spod(2)];
  const p = planStatefulSet(set(3), pods, 'h1', 'h2', T(0));
  assert.deepEqual(
    p.delete.map((x) => x.metadata.name),
    ['web-2'],
  );
  assert.equal(p.status.currentRevision, 'h1');
  assert.equal(p.status.updatedReplicas, 0);
  const partitioned = planStatefulSet(
    set(3, { partition: 2 }),
    [spod(0), spod(1), spod(2, true, 'h2')],
    'h1',
    'h2',
    T(0),
  );
  assert.deepEqual(partitioned.delete, []);
  const done = planStatefulSet(set(2), [spod(0, true, 'h2'), spod(1, true, 'h2')], 'h1', 'h2', T(0));
  assert.equal(done.status.currentRevision, 'h2');
  assert.equal(done.status.currentReplicas, 2);
  assert.equal(done.status.readyReplicas, 2);
});

test('stable identity: name, hostname, subdomain, labels, claims', () => {
  const p = statefulPod(set(1), 4, 'h1');
  assert.equal(p.metadata.name, 'web-4');
  assert.equal(p.spec.hostname, 'web-4');
  assert.equal(p.spec.subdomain, 'web');
  assert.equal(p.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-4');
  assert.equal(p.metadata.labels['apps.kubernetes.io/pod-index'], '4');
  assert.deepEqual(p.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-4' } }]);
  assert.equal(claimsFor(set(1), 4)[0].metadata.name, 'data-web-4');
});
