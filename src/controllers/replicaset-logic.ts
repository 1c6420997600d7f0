// The ReplicaSet controller's decisions: how many pods to create or which to delete, the slow-start
// batch sizes, and the status counts.
import { deletionOrder, isActive, isAvailable, isReady, msUntilAvailable } from './pods.js';

export const BURST_REPLICAS = 500;

export type ReplicaPlan = { create: number } | { delete: any[] } | undefined;

/** manageReplicas: positive diff creates (capped by the burst), negative deletes the least valuable. */
export function planReplicas(rs: any, activePods: any[], related: any[] = activePods): ReplicaPlan {
  const want = rs.spec?.replicas ?? 1;
  const diff = activePods.length - want;
  if (diff < 0) return { create: Math.min(-diff, BURST_REPLICAS) };
  if (diff > 0)
    return { delete: deletionOrder(activePods, related).slice(0, Math.min(diff, BURST_REPLICAS)) };
  return undefined;
}

/** Batches of 1, 2, 4, ... so a failing create (quota, webhook) fails once, not a thousand times. */
export function slowStartBatches(total: number, initial = 1): number[] {
  const out: number[] = [];
  let left = total;
  let size = Math.min(initial, total);
  while (left > 0) {
    out.push(size);
    left -= size;
    size = Math.min(2 * size, left);
  }
  return out;
}

export function replicaSetStatus(
  rs: any,
  pods: any[],
  now: number,
): { status: any; recheckAfterMs?: number } {
  const active = pods.filter(isActive);
  const tmplLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  let recheck: number | undefined;
  for (const p of active) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(tmplLabels).every(([k, v]) => labels[k] === v)) fully++;
    if (isReady(p)) ready++;
    if (isAvailable(p, minReady, now)) available++;
    const left = msUntilAvailable(p, minReady, now);
    if (left !== undefined) recheck = Math.min(recheck ?? Infinity, left);
  }
  const status: any = {
    replicas: active.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
  };
  if (rs.status?.conditions?.length) status.conditions = rs.status.conditions;
  return { status, recheckAfterMs: recheck === undefined ? undefined : recheck + 50 };
}
