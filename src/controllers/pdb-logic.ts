// PodDisruptionBudget status: expected pods (from the owning controllers' scale when the budget is
// a percentage or maxUnavailable), healthy pods and the disruptions allowed.
import { setCondition, type Condition } from './conditions.js';
import { scaledValue } from './intstr.js';
import { isReady, rfc3339 } from './pods.js';

/** controllerScale: the replicas of each distinct controller of the pods (by uid), undefined if unknown. */
export function pdbStatus(
  pdb: any,
  pods: any[],
  controllerScale: Map<string, number> | undefined,
  now: number,
): any {
  const spec = pdb.spec ?? {};
  const healthy = pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp).length;
  let expected: number;
  let desired: number;
  if (spec.maxUnavailable !== undefined) {
    expected = controllerScale ? [...controllerScale.values()].reduce((a, b) => a + b, 0) : pods.length;
    desired = Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true, 0));
  } else if (spec.minAvailable !== undefined && typeof spec.minAvailable === 'number') {
    expected = pods.length;
    desired = spec.minAvailable;
  } else if (spec.minAvailable !== undefined) {
    expected = controllerScale ? [...controllerScale.values()].reduce((a, b) => a + b, 0) : pods.length;
    desired = scaledValue(spec.minAvailable, expected, true, 0);
  } else {
    expected = pods.length;
    desired = 0;
  }
  const allowed = Math.max(0, healthy - desired);
  let conds: Condition[] = [...(pdb.status?.conditions ?? [])];
  const c: Condition =
    allowed > 0
      ? {
          type: 'DisruptionAllowed',
          status: 'True',
          reason: 'SufficientPods',
          message: '',
          lastTransitionTime: rfc3339(now),
          observedGeneration: pdb.metadata.generation,
        }
      : {
          type: 'DisruptionAllowed',
          status: 'False',
          reason: 'InsufficientPods',
          message: '',
          lastTransitionTime: rfc3339(now),
          observedGeneration: pdb.metadata.generation,
        };
  conds = setCondition(conds, c).map((x) =>
    x.type === 'DisruptionAllowed' ? { ...x, observedGeneration: pdb.metadata.generation } : x,
  );
  return {
    observedGeneration: pdb.metadata.generation,
    disruptedPods: pdb.status?.disruptedPods ?? {},
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    conditions: conds,
  };
}
