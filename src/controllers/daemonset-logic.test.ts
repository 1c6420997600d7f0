import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daemonPodSpec, nodeShouldRunDaemonPod, planDaemonSet, podNodeName } from './daemonset-logic.js';
import { T, node, pod } from './testing.js';

const ds = (
  o: { maxUnavailable?: any; maxSurge?: any; nodeSelector?: any; tolerations?: any[] } = {},
): any => ({
  metadata: { name: 'agent', namespace: 'ns', uid: 'ds1', generation: 2 },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    updateStrategy: {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: o.maxUnavailable ?? 1, maxSurge: o.maxSurge ?? 0 },
    },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        nodeSelector: o.nodeSelector,
        tolerations: o.tolerations,
        containers: [{ name: 'c', image: 'i' }],
      },
    },
  },
});
const dpod = (name: string, nodeName: string, hash: string, ready = true) => {
  const p = pod(name, { node: nodeName, ready, labels: { app: 'agent', 'controller-revision-hash': hash } });
  return p;
};

test('eligible nodes: selector, NoSchedule and NoExecute taints, default daemon tolerations', () => {
  const d = ds({ nodeSelector: { role: 'edge' } });
  assert.deepEqual(nodeShouldRunDaemonPod(d, node('a', { labels: { role: 'edge' } })), {
    shouldRun: true,
    shouldContinueRunning: true,
  });
  assert.equal(nodeShouldRunDaemonPod(d, node('b')).shouldRun, false);
  const plain = ds();
  assert.deepEqual(
    nodeShouldRunDaemonPod(plain, node('t', { taints: [{ key: 'gpu', effect: 'NoSchedule' }] })),
    { shouldRun: false, shouldContinueRunning: true },
  );
  assert.deepEqual(
    nodeShouldRunDaemonPod(plain, node('x', { taints: [{ key: 'gpu', effect: 'NoExecute' }] })),
    { shouldRun: false, shouldContinueRunning: false },
  );
  assert.equal(
    nodeShouldRunDaemonPod(plain, node('u', { unschedulable: true })).shouldRun,
    true,
    'daemons tolerate cordoned nodes',
  );
  assert.deepEqual(nodeShouldRunDaemonPod(plain, node('gone', { ready: 'Unknown' })), {
    shouldRun: false,
    shouldContinueRunning: true,
  });
  assert.equal(
    nodeShouldRunDaemonPod(
      ds({ tolerations: [{ operator: 'Exists' }] }),
      node('x', { taints: [{ key: 'gpu', effect: 'NoExecute' }] }),
    ).shouldRun,
    true,
  );
});

test('daemon pods are pinned to their node by affinity', () => {
  const spec = daemonPodSpec(ds(), 'n1');
  assert.deepEqual(
    spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
  );
  assert.ok(
    spec.tolerations.some((t: any) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'),
  );
  assert.equal(podNodeName({ spec }), 'n1');
});

test('creates on nodes without a pod, removes extras and misscheduled pods, counts status', () => {
  const nodes = [node('a'), node('b'), node('c', { taints: [{ key: 'k', effect: 'NoExecute' }] })];
  const pods = [dpod('p1', 'a', 'h'), dpod('p2', 'a', 'h'), dpod('p3', 'c', 'h')];
  pods[1].metadata.creationTimestamp = '2025-01-01T00:00:05Z';
  const plan = planDaemonSet(ds(), nodes, pods, 'h', T(10));
  assert.deepEqual(plan.createOn, ['b']);
  assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), ['p2', 'p3']);
  assert.equal(plan.status.desiredNumberScheduled, 2);
  assert.equal(plan.status.currentNumberScheduled, 1);
  assert.equal(plan.status.numberMisscheduled, 1);
  assert.equal(plan.status.numberUnavailable, 1);
  assert.equal(plan.status.observedGeneration, 2);
});

test('rolling update replaces at most maxUnavailable available pods at a time', () => {
  const nodes = [node('a'), node('b'), node('c')];
  const pods = [dpod('a1', 'a', 'old'), dpod('b1', 'b', 'old'), dpod('c1', 'c', 'old')];
  const p1 = planDaemonSet(ds({ maxUnavailable: 1 }), nodes, pods, 'new', T(0));
  assert.deepEqual(p1.createOn, []);
  assert.equal(p1.delete.length, 1);
  assert.equal(p1.status.updatedNumberScheduled, 0);
  // One node is being replaced (no pod): nothing else goes.
  const p2 = planDaemonSet(ds({ maxUnavailable: 1 }), nodes, [pods[1], pods[2]], 'new', T(0), false);
  assert.deepEqual(p2.delete, []);
  // Unavailable old pods are replaced regardless of the budget.
  const sick = [dpod('a1', 'a', 'old', false), dpod('b1', 'b', 'old', false), dpod('c1', 'c', 'new')];
  assert.equal(planDaemonSet(ds({ maxUnavailable: 1 }), nodes, sick, 'new', T(0)).delete.length, 2);
});

test('surge update starts the new pod before removing the old', () => {
  const nodes = [node('a'), node('b')];
  const pods = [dpod('a1', 'a', 'old'), dpod('b1', 'b', 'old')];
  const p = planDaemonSet(ds({ maxSurge: 1, maxUnavailable: 0 }), nodes, pods, 'new', T(0));
  assert.deepEqual(p.createOn, ['a']);
  assert.deepEqual(p.delete, []);
  const both = [...pods, dpod('a2', 'a', 'new')];
  both[2].metadata.creationTimestamp = '2025-01-01T00:00:09Z';
  const q = planDaemonSet(ds({ maxSurge: 1, maxUnavailable: 0 }), nodes, both, 'new', T(10));
  assert.deepEqual(
    q.delete.map((x) => x.metadata.name),
    ['a1'],
  );
});
