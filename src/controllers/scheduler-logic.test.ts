import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedule, unfitReason, wantsScheduling } from './scheduler-logic.js';
import { node, pod } from './testing.js';

const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs1' };

test('spreads pods of one owner, then the least loaded node', () => {
  const nodes = [node('a'), node('b')];
  const onA = [pod('x1', { node: 'a', owner }), pod('other', { node: 'b' }), pod('other2', { node: 'b' })];
  const byNode = new Map([
    ['a', [onA[0]]],
    ['b', [onA[1], onA[2]]],
  ]);
  assert.equal(schedule(pod('x2', { owner }), nodes, byNode).node, 'b', 'sibling spread wins over load');
  assert.equal(schedule(pod('solo'), nodes, byNode).node, 'a', 'least loaded');
});

test('filters: node selector, affinity, taints vs tolerations, unschedulable, not ready', () => {
  const p = pod('p');
  p.spec.nodeSelector = { disk: 'ssd' };
  assert.equal(unfitReason(p, node('a')), "node(s) didn't match Pod's node affinity/selector");
  assert.equal(unfitReason(p, node('b', { labels: { disk: 'ssd' } })), undefined);
  const q = pod('q');
  assert.equal(
    unfitReason(q, node('t', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })),
    'node(s) had untolerated taint {dedicated: gpu}',
  );
  q.spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }];
  assert.equal(
    unfitReason(q, node('t', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })),
    undefined,
  );
  assert.equal(unfitReason(q, node('t', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] })), undefined);
  assert.equal(unfitReason(pod('r'), node('c', { unschedulable: true })), 'node(s) were unschedulable');
  assert.equal(
    unfitReason(pod('r'), node('d', { ready: 'False' })),
    'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
  );
  const aff = pod('aff');
  aff.spec.affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }],
      },
    },
  };
  assert.equal(schedule(aff, [node('a'), node('b')], new Map()).node, 'b');
});

test('failure message as upstream prints it', () => {
  const p = pod('p');
  p.spec.nodeSelector = { disk: 'ssd' };
  const d = schedule(
    p,
    [
      node('a'),
      node('b', { labels: { disk: 'ssd' }, taints: [{ key: 'k', effect: 'NoSchedule' }] }),
      node('c'),
    ],
    new Map(),
  );
  assert.equal(
    d.message,
    "0/3 nodes are available: 1 node(s) had untolerated taint {k: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
  );
  assert.equal(schedule(p, [], new Map()).message, 'no nodes available to schedule pods');
});

test('which pods the default scheduler takes', () => {
  assert.equal(wantsScheduling(pod('a')), true);
  assert.equal(wantsScheduling(pod('b', { node: 'n' })), false);
  const other = pod('c');
  other.spec.schedulerName = 'custom';
  assert.equal(wantsScheduling(other), false);
  assert.equal(wantsScheduling(pod('d', { deleting: true })), false);
});
