import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateNode, notReadyConditions } from './node-lifecycle-logic.js';
import { T, at, node, pod } from './testing.js';

const lease = (renew: number) => ({ spec: { renewTime: at(renew).replace('Z', '.000000Z') } });

test('a renewed lease keeps the node; a stale one makes it Unknown and unreachable', () => {
  const n = node('a');
  const fresh = evaluateNode(n, lease(30), T(60), 40_000, T(0));
  assert.equal(fresh.conditions, undefined);
  assert.equal(fresh.taints, undefined);
  assert.equal(fresh.recheckAfterMs, 10_050);
  const stale = evaluateNode(n, lease(30), T(71), 40_000, T(0));
  const ready = stale.conditions!.find((c) => c.type === 'Ready');
  assert.deepEqual(
    [ready.status, ready.reason, ready.message],
    ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
  );
  assert.equal(stale.conditions!.length, 4);
  assert.equal(stale.markPodsNotReady, true);
  assert.deepEqual(
    stale.taints!.map((t) => `${t.key}:${t.effect}`),
    ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'],
  );
  assert.ok(stale.taints![1].timeAdded);
});

test('recovery removes the taints; NotReady posted by the kubelet gets not-ready taints', () => {
  const tainted = node('a', {
    taints: [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'other', effect: 'NoSchedule' },
    ],
  });
  const back = evaluateNode(tainted, lease(100), T(101), 40_000, T(0));
  assert.deepEqual(back.taints, [{ key: 'other', effect: 'NoSchedule' }]);
  const notReady = evaluateNode(node('b', { ready: 'False' }), lease(100), T(101), 40_000, T(0));
  assert.deepEqual(
    notReady.taints!.map((t) => t.key),
    ['node.kubernetes.io/not-ready', 'node.kubernetes.io/not-ready'],
  );
  const never = evaluateNode(
    { metadata: { name: 'n' }, spec: {}, status: {} },
    undefined,
    T(41),
    40_000,
    T(0),
  );
  assert.equal(never.conditions![0].reason, 'NodeStatusNeverUpdated');
  assert.equal(
    evaluateNode({ metadata: { name: 'n' }, spec: {}, status: {} }, undefined, T(1), 40_000, T(0)).taints,
    undefined,
  );
});

test('pods on an unreachable node become not ready', () => {
  const p = pod('p', { node: 'a', ready: true });
  const conds = notReadyConditions(p, T(5))!;
  assert.equal(conds.find((c) => c.type === 'Ready').status, 'False');
  assert.equal(notReadyConditions(pod('q', { node: 'a', ready: false }), T(5)), undefined);
});
