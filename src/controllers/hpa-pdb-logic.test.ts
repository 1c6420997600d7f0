import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideHpa } from './hpa-logic.js';
import { pdbStatus } from './pdb-logic.js';
import { T, pod } from './testing.js';

const hpa = (min: number, max: number): any => ({
  metadata: { name: 'h', namespace: 'ns', generation: 1 },
  spec: {
    minReplicas: min,
    maxReplicas: max,
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
    ],
  },
});
const cond = (s: any, type: string) => s.conditions.find((c: any) => c.type === type);

test('HPA without metrics: within bounds reports ScalingActive False; out of bounds rescales', () => {
  const inside = decideHpa(hpa(1, 5), { spec: { replicas: 3 } }, undefined, T(0));
  assert.deepEqual(
    [inside.status.currentReplicas, inside.status.desiredReplicas, inside.rescaleTo],
    [3, 3, undefined],
  );
  assert.equal(cond(inside.status, 'AbleToScale').reason, 'SucceededGetScale');
  const active = cond(inside.status, 'ScalingActive');
  assert.deepEqual([active.status, active.reason], ['False', 'FailedGetResourceMetric']);
  assert.match(active.message, /failed to get cpu utilization: unable to get metrics for resource cpu/);
  const above = decideHpa(hpa(1, 2), { spec: { replicas: 4 } }, undefined, T(0));
  assert.equal(above.rescaleTo, 2);
  assert.equal(cond(above.status, 'ScalingLimited').reason, 'TooManyReplicas');
  assert.ok(
    above.events.some(
      (e) =>
        e.reason === 'SuccessfulRescale' &&
        e.message === 'New size: 2; reason: Current number of replicas above Spec.MaxReplicas',
    ),
  );
  assert.equal(decideHpa(hpa(2, 5), { spec: { replicas: 1 } }, undefined, T(0)).rescaleTo, 2);
  assert.equal(
    cond(decideHpa(hpa(2, 5), { spec: { replicas: 0 } }, undefined, T(0)).status, 'ScalingActive').reason,
    'ScalingDisabled',
  );
  const missing = decideHpa(hpa(1, 5), undefined, 'deployments.apps "web" not found', T(0));
  assert.equal(cond(missing.status, 'AbleToScale').reason, 'FailedGetScale');
});

test('PDB status: minAvailable, maxUnavailable against the controllers scale', () => {
  const pdb = (spec: any): any => ({ metadata: { name: 'p', generation: 2 }, spec });
  const pods = [pod('a', { ready: true }), pod('b', { ready: true }), pod('c', { ready: false })];
  const s1 = pdbStatus(pdb({ minAvailable: 1 }), pods, undefined, T(0));
  assert.deepEqual(
    [s1.currentHealthy, s1.desiredHealthy, s1.disruptionsAllowed, s1.expectedPods],
    [2, 1, 1, 3],
  );
  assert.equal(s1.conditions[0].reason, 'SufficientPods');
  const s2 = pdbStatus(pdb({ maxUnavailable: 1 }), pods, new Map([['d1', 4]]), T(0));
  assert.deepEqual([s2.expectedPods, s2.desiredHealthy, s2.disruptionsAllowed], [4, 3, 0]);
  assert.equal(s2.conditions[0].reason, 'InsufficientPods');
  const s3 = pdbStatus(pdb({ minAvailable: '50%' }), pods, new Map([['d1', 3]]), T(0));
  assert.deepEqual([s3.desiredHealthy, s3.disruptionsAllowed], [2, 0]);
});
