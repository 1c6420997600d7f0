// HorizontalPodAutoscaler decisions without a metrics source: keep the target within
// [minReplicas, maxReplicas], and report the conditions upstream reports when metrics are missing.
import { setCondition, type Condition } from './conditions.js';
import { rfc3339 } from './pods.js';

export interface HpaDecision {
  status: any;
  /** Set when the target must be rescaled. */
  rescaleTo?: number;
  rescaleReason?: string;
  events: { type: 'Normal' | 'Warning'; reason: string; message: string }[];
}

const cond = (
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: number,
): Condition => ({
  type,
  status,
  lastTransitionTime: rfc3339(now),
  reason,
  message,
});

/** What the first metric asks for, as upstream names it in its failure message. */
function metricFailure(hpa: any): { reason: string; message: string } {
  const m = (hpa.spec?.metrics ?? [])[0] ?? {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization' } },
  };
  if (m.type === 'Resource' || m.type === 'ContainerResource') {
    const r = m.resource?.name ?? m.containerResource?.name ?? 'cpu';
    const util = (m.resource ?? m.containerResource)?.target?.type === 'Utilization';
    return {
      reason: 'FailedGetResourceMetric',
      message: `the HPA was unable to compute the replica count: failed to get ${r}${util ? ' utilization' : ' usage'}: unable to get metrics for resource ${r}: no metrics returned from resource metrics API`,
    };
  }
  if (m.type === 'Pods')
    return {
      reason: 'FailedGetPodsMetric',
      message: `the HPA was unable to compute the replica count: unable to get metric ${m.pods?.metric?.name}: no custom metrics API (custom.metrics.k8s.io) registered`,
    };
  if (m.type === 'Object')
    return {
      reason: 'FailedGetObjectMetric',
      message: `the HPA was unable to compute the replica count: unable to get metric ${m.object?.metric?.name}: no custom metrics API (custom.metrics.k8s.io) registered`,
    };
  return {
    reason: 'FailedGetExternalMetric',
    message: `the HPA was unable to compute the replica count: unable to get external metric ${m.external?.metric?.name}: no external metrics API (external.metrics.k8s.io) registered`,
  };
}

/** scale: the target's Scale, or undefined with scaleError when it could not be read. */
export function decideHpa(hpa: any, scale: any, scaleError: string | undefined, now: number): HpaDecision {
  const min = hpa.spec?.minReplicas ?? 1;
  const max = hpa.spec?.maxReplicas ?? 1;
  let conds: Condition[] = [...(hpa.status?.conditions ?? [])];
  const events: HpaDecision['events'] = [];
  const base = {
    observedGeneration: hpa.metadata.generation,
    ...(hpa.status?.lastScaleTime ? { lastScaleTime: hpa.status.lastScaleTime } : {}),
  };
  if (!scale) {
    const msg = `the HPA controller was unable to get the target's current scale: ${scaleError}`;
    conds = setCondition(conds, cond('AbleToScale', 'False', 'FailedGetScale', msg, now));
    events.push({ type: 'Warning', reason: 'FailedGetScale', message: scaleError ?? '' });
    return {
      status: {
        ...base,
        currentReplicas: hpa.status?.currentReplicas ?? 0,
        desiredReplicas: hpa.status?.desiredReplicas ?? 0,
        conditions: conds,
      },
      events,
    };
  }
  const current = scale.spec?.replicas ?? 0;
  conds = setCondition(
    conds,
    cond(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
      now,
    ),
  );
  let desired = current;
  let rescaleReason: string | undefined;
  if (current === 0 && min !== 0) {
    desired = 0;
    conds = setCondition(
      conds,
      cond(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
        now,
      ),
    );
  } else if (current > max) {
    desired = max;
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    conds = setCondition(
      conds,
      cond(
        'ScalingLimited',
        'True',
        'TooManyReplicas',
        'the desired replica count is more than the maximum replica count',
        now,
      ),
    );
  } else if (current < min) {
    desired = min;
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    conds = setCondition(
      conds,
      cond(
        'ScalingLimited',
        'True',
        'TooFewReplicas',
        'the desired replica count is less than the minimum replica count',
        now,
      ),
    );
  } else {
    const f = metricFailure(hpa);
    conds = setCondition(conds, cond('ScalingActive', 'False', f.reason, f.message, now));
    events.push({
      type: 'Warning',
      reason: f.reason,
      message: f.message.replace('the HPA was unable to compute the replica count: ', ''),
    });
    events.push({
      type: 'Warning',
      reason: 'FailedComputeMetricsReplicas',
      message: `invalid metrics (1 invalid out of 1), first error is: ${f.message.replace('the HPA was unable to compute the replica count: ', '')}`,
    });
  }
  const status: any = {
    ...base,
    currentReplicas: current,
    desiredReplicas: desired,
    currentMetrics: null,
    conditions: conds,
  };
  if (rescaleReason) {
    status.lastScaleTime = rfc3339(now);
    events.push({
      type: 'Normal',
      reason: 'SuccessfulRescale',
      message: `New size: ${desired}; reason: ${rescaleReason}`,
    });
    return { status, rescaleTo: desired, rescaleReason, events };
  }
  return { status, events };
}
