import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deletionOrder } from './pods.js';
import { planReplicas, replicaSetStatus, slowStartBatches } from './replicaset-logic.js';
import { T, pod } from './testing.js';

const rs = (replicas: number, minReadySeconds = 0): any => ({
  metadata: { name: 'rs', namespace: 'ns', uid: 'rs1', generation: 3 },
  spec: { replicas, minReadySeconds, template: { metadata: { labels: { app: 'x', tier: 't' } } } },
});

test('creates the missing replicas and deletes the least valuable surplus first', () => {
  assert.deepEqual(planReplicas(rs(3), [pod('a', { node: 'n1', ready: true })]), { create: 2 });
  assert.equal(planReplicas(rs(1), [pod('a')]), undefined);
  const pods = [
    pod('ready-old', { node: 'n1', ready: true, created: 1 }),
    pod('unscheduled', { created: 5 }),
    pod('notready', { node: 'n2', ready: false, phase: 'Running', created: 2 }),
    pod('ready-new', { node: 'n2', ready: true, created: 3, readySince: 3 }),
  ];
  const plan = planReplicas(rs(1), pods) as { delete: any[] };
  assert.deepEqual(
    plan.delete.map((p) => p.metadata.name),
    ['unscheduled', 'notready', 'ready-new'],
  );
});

test('deletion order: pending before running, crowded nodes, more restarts, newer', () => {
  const order = deletionOrder([
    pod('running', { node: 'n1', ready: true, created: 1, readySince: 1 }),
    pod('pending', { node: 'n1', phase: 'Pending', created: 1 }),
    pod('crowded-1', { node: 'n2', ready: true, created: 1, readySince: 1 }),
    pod('crowded-2', { node: 'n2', ready: true, created: 1, readySince: 1 }),
    pod('crowded-3', { node: 'n2', ready: true, created: 1, readySince: 1, restarts: 4 }),
  ]).map((p) => p.metadata.name);
  assert.equal(order[0], 'pending');
  assert.equal(order[1], 'crowded-3', 'crowded node, most restarts');
  assert.equal(order[order.length - 1], 'running');
});

test('slow start batches double', () => {
  assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
  assert.deepEqual(slowStartBatches(1), [1]);
  assert.deepEqual(slowStartBatches(0), []);
});

test('status counts, availability after minReadySeconds', () => {
  const pods = [
    pod('a', { node: 'n', ready: true, readySince: 0, labels: { app: 'x', tier: 't' } }),
    pod('b', { node: 'n', ready: true, readySince: 8, labels: { app: 'x' } }),
    pod('c', { node: 'n', ready: false }),
    pod('gone', { node: 'n', ready: true, deleting: true }),
    pod('done', { node: 'n', phase: 'Succeeded' }),
  ];
  const { status, recheckAfterMs } = replicaSetStatus(rs(3, 5), pods, T(10));
  assert.deepEqual(status, {
    replicas: 3,
    fullyLabeledReplicas: 1,
    readyReplicas: 2,
    availableReplicas: 1,
    observedGeneration: 3,
  });
  assert.equal(recheckAfterMs, 3050, 'b becomes available 3 s later');
});
