// The Deployment controller's decisions, free of I/O: which ReplicaSet is new, how far each
// ReplicaSet may be scaled in a rolling update (maxSurge/maxUnavailable), proportional scaling,
// revision annotations, history cleanup and the status with its Available/Progressing conditions.
import { canonicalJson } from './hash.js';
import { getCondition, removeCondition, setCondition, type Condition } from './conditions.js';
import { scaledValue } from './intstr.js';
import { rfc3339 } from './pods.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const HASH_LABEL = 'pod-template-hash';
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);
const HISTORY_MAX_CHARS = 2000;

const replicasOf = (o: any): number => o?.spec?.replicas ?? 1;
const rsReplicas = (rs: any): number => rs?.spec?.replicas ?? 0;
const created = (o: any): number => Date.parse(o.metadata.creationTimestamp ?? '') || 0;
const byCreation = (a: any, b: any): number =>
  created(a) - created(b) || a.metadata.name.localeCompare(b.metadata.name);

export function revisionOf(o: any): number {
  const n = Number(o?.metadata?.annotations?.[REVISION] ?? '0');
  return Number.isFinite(n) ? n : 0;
}

export function maxRevision(rss: any[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

export const isRollingUpdate = (d: any): boolean =>
  (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** maxSurge rounds up, maxUnavailable down; both zero would deadlock, so unavailable becomes 1. */
export function resolveFenceposts(d: any): { surge: number; unavailable: number } {
  if (!isRollingUpdate(d)) return { surge: 0, unavailable: 0 };
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const replicas = replicasOf(d);
  const surge = scaledValue(ru.maxSurge, replicas, true, '25%');
  let unavailable = scaledValue(ru.maxUnavailable, replicas, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

export const maxSurge = (d: any): number => resolveFenceposts(d).surge;
export const maxUnavailable = (d: any): number => {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return resolveFenceposts(d).unavailable;
};

/** Templates equal once the pod-template-hash label is ignored (EqualIgnoreHash). */
export function templatesEqual(a: any, b: any): boolean {
  const strip = (t: any) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) {
      delete c.metadata.labels[HASH_LABEL];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
    return canonicalJson(c);
  };
  return strip(a) === strip(b);
}

/** The oldest ReplicaSet whose template is the deployment's. */
export function findNewReplicaSet(d: any, rss: any[]): any {
  return [...rss].sort(byCreation).find((rs) => templatesEqual(rs.spec?.template, d.spec?.template));
}

export const activeReplicaSets = (rss: any[]): any[] => rss.filter((rs) => rs && rsReplicas(rs) > 0);
export const specReplicaSum = (rss: any[]): number => rss.reduce((s, rs) => s + (rs ? rsReplicas(rs) : 0), 0);
const statusSum = (rss: any[], f: string): number => rss.reduce((s, rs) => s + (rs?.status?.[f] ?? 0), 0);

/** NewRSNewReplicas: how many replicas the new ReplicaSet may have now. */
export function newRSNewReplicas(d: any, allRSs: any[], newRS: any): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const cur = rsReplicas(newRS);
  if (cur >= replicasOf(d)) return cur;
  const maxTotal = replicasOf(d) + maxSurge(d);
  const current = specReplicaSum(allRSs);
  if (current >= maxTotal) return cur;
  return cur + Math.min(maxTotal - current, replicasOf(d) - cur);
}

/**
 * reconcileOldReplicaSets: first scale down old ReplicaSets' unhealthy replicas, then as many
 * available ones as keep (replicas - maxUnavailable) available. Returns the new sizes by name.
 */
export function scaleDownOld(d: any, oldRSs: any[], newRS: any): Map<string, number> {
  const sizes = new Map<string, number>();
  const olds = oldRSs.filter(Boolean).sort(byCreation);
  if (specReplicaSum(olds) === 0) return sizes;
  const all = [...olds, ...(newRS ? [newRS] : [])];
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = rsReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicaSum(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return sizes;
  const size = (rs: any) => sizes.get(rs.metadata.name) ?? rsReplicas(rs);
  let cleaned = 0;
  for (const rs of olds) {
    if (cleaned >= maxScaledDown) break;
    if (size(rs) === 0) continue;
    const unhealthy = size(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs.metadata.name, size(rs) - n);
    cleaned += n;
  }
  // Availability counts as before the cleanup: the pods scaled away above were not available.
  const available = statusSum(all, 'availableReplicas');
  if (available <= minAvailable) return sizes;
  const total = available - minAvailable;
  let down = 0;
  for (const rs of olds) {
    if (down >= total) break;
    if (size(rs) === 0) continue;
    const n = Math.min(size(rs), total - down);
    sizes.set(rs.metadata.name, size(rs) - n);
    down += n;
  }
  return sizes;
}

export function isSaturated(d: any, rs: any): boolean {
  if (!rs) return false;
  const desired = Number(rs.metadata?.annotations?.[DESIRED_REPLICAS]);
  return (
    rsReplicas(rs) === replicasOf(d) &&
    desired === replicasOf(d) &&
    (rs.status?.availableReplicas ?? 0) === replicasOf(d)
  );
}

export function isScalingEvent(d: any, allRSs: any[]): boolean {
  return activeReplicaSets(allRSs).some((rs) => {
    const v = rs.metadata?.annotations?.[DESIRED_REPLICAS];
    return v !== undefined && Number(v) !== replicasOf(d);
  });
}

/** dc.scale: the sizes each ReplicaSet gets when the deployment's replicas change mid-flight. */
export function proportionalScale(d: any, newRS: any, oldRSs: any[]): Map<string, number> {
  const sizes = new Map<string, number>();
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...olds, newRS].filter(Boolean));
  let activeOrLatest: any;
  if (active.length === 0 && (newRS || olds.length)) activeOrLatest = newRS ?? olds[0];
  else if (active.length === 1) activeOrLatest = active[0];
  if (activeOrLatest) {
    if (rsReplicas(activeOrLatest) !== replicasOf(d)) sizes.set(activeOrLatest.metadata.name, replicasOf(d));
    return sizes;
  }
  if (isSaturated(d, newRS)) {
    for (const rs of activeReplicaSets(olds)) sizes.set(rs.metadata.name, 0);
    return sizes;
  }
  if (!isRollingUpdate(d)) return sizes;
  const all = [...active];
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicaSum(all);
  if (toAdd === 0) return sizes;
  // Larger first; among equals, newer first when growing and older first when shrinking.
  all.sort((a, b) => rsReplicas(b) - rsReplicas(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
  let added = 0;
  const target = new Map<string, number>();
  for (const rs of all) {
    let p = 0;
    if (rsReplicas(rs) !== 0 && toAdd !== added) {
      let fraction: number;
      if (replicasOf(d) === 0) fraction = -rsReplicas(rs);
      else {
        const annotated = Number(rs.metadata?.annotations?.[MAX_REPLICAS] ?? d.status?.replicas ?? 0) || 1;
        fraction = Math.round((rsReplicas(rs) * (replicasOf(d) + maxSurge(d))) / annotated) - rsReplicas(rs);
      }
      const left = toAdd - added;
      p = toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
    }
    target.set(rs.metadata.name, rsReplicas(rs) + p);
    added += p;
  }
  all.forEach((rs, i) => {
    let n = target.get(rs.metadata.name)!;
    if (i === 0) n = Math.max(0, n + toAdd - added);
    if (n !== rsReplicas(rs)) sizes.set(rs.metadata.name, n);
  });
  return sizes;
}

/** Annotations a (new) ReplicaSet should carry: copied deployment annotations and its revision. */
export function newRSAnnotations(
  d: any,
  rs: any,
  newRevision: number,
  exists: boolean,
): Record<string, string> {
  const out: Record<string, string> = { ...(rs?.metadata?.annotations ?? {}) };
  for (const [k, v] of Object.entries<string>(d.metadata?.annotations ?? {}))
    if (!NOT_COPIED.has(k)) out[k] = v;
  const old = out[REVISION];
  const oldN = old === undefined ? 0 : Number(old);
  if (oldN < newRevision) {
    out[REVISION] = String(newRevision);
    if (old !== undefined) {
      const hist = out[REVISION_HISTORY] ? out[REVISION_HISTORY].split(',') : [];
      hist.push(old);
      while (hist.join(',').length > HISTORY_MAX_CHARS) hist.shift();
      out[REVISION_HISTORY] = hist.join(',');
    }
  }
  if (!exists) {
    out[DESIRED_REPLICAS] = String(replicasOf(d));
    out[MAX_REPLICAS] = String(replicasOf(d) + maxSurge(d));
  }
  return out;
}

export function replicaAnnotationsStale(d: any, rs: any): boolean {
  const a = rs.metadata?.annotations ?? {};
  return (
    a[DESIRED_REPLICAS] !== String(replicasOf(d)) || a[MAX_REPLICAS] !== String(replicasOf(d) + maxSurge(d))
  );
}

/** The ReplicaSet a deployment creates for its current template. */
export function buildReplicaSet(
  d: any,
  hash: string,
  replicas: number,
  annotations: Record<string, string>,
): any {
  const tmpl = structuredClone(d.spec.template ?? {});
  tmpl.metadata ??= {};
  tmpl.metadata.labels = { ...(tmpl.metadata.labels ?? {}), [HASH_LABEL]: hash };
  const sel = structuredClone(d.spec.selector ?? {});
  sel.matchLabels = { ...(sel.matchLabels ?? {}), [HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...tmpl.metadata.labels },
      annotations,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata.name,
          uid: d.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, selector: sel, template: tmpl },
  };
}

/** Old ReplicaSets beyond revisionHistoryLimit that are fully scaled down, oldest revision first. */
export function historyToDelete(d: any, oldRSs: any[]): any[] {
  const limit = d.spec?.revisionHistoryLimit ?? 10;
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  return alive
    .sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b))
    .slice(0, diff)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        rsReplicas(rs) === 0 &&
        (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}

const condition = (
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: number,
): Condition => ({
  type,
  status,
  lastUpdateTime: rfc3339(now),
  lastTransitionTime: rfc3339(now),
  reason,
  message,
});

/** calculateStatus: counts from the ReplicaSets and the Available condition. */
export function calculateStatus(d: any, allRSs: any[], newRS: any, now: number): any {
  const rss = allRSs.filter(Boolean);
  const available = statusSum(rss, 'availableReplicas');
  const total = specReplicaSum(rss);
  const status: any = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: statusSum(rss, 'replicas'),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: statusSum(rss, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  let conds: Condition[] = [...(d.status?.conditions ?? [])];
  if (available >= replicasOf(d) - maxUnavailable(d))
    conds = setCondition(
      conds,
      condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now),
    );
  else
    conds = setCondition(
      conds,
      condition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        now,
      ),
    );
  status.conditions = conds;
  return status;
}

export function deploymentComplete(d: any, s: any): boolean {
  return (
    s.updatedReplicas === replicasOf(d) &&
    s.replicas === replicasOf(d) &&
    s.availableReplicas === replicasOf(d) &&
    s.observedGeneration >= (d.metadata.generation ?? 1)
  );
}

function deploymentProgressing(d: any, s: any): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = s.replicas - s.updatedReplicas;
  return (
    s.updatedReplicas > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    s.readyReplicas > (old.readyReplicas ?? 0) ||
    s.availableReplicas > (old.availableReplicas ?? 0)
  );
}

const hasDeadline = (d: any): boolean => (d.spec?.progressDeadlineSeconds ?? 600) < 2 ** 31 - 1;

function timedOut(d: any, s: any, now: number): boolean {
  const c = getCondition(s.conditions, 'Progressing');
  if (!c) return false;
  if (c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 < now;
}

/** syncRolloutStatus: the status after a rollout step, with its Progressing condition. */
export function rolloutStatus(
  d: any,
  allRSs: any[],
  newRS: any,
  now: number,
): { status: any; recheckAfterMs?: number } {
  const s = calculateStatus(d, allRSs, newRS, now);
  if (!hasDeadline(d)) {
    s.conditions = removeCondition(s.conditions, 'Progressing');
    return { status: s };
  }
  const cur = getCondition(d.status?.conditions, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable';
  if (!complete) {
    const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, s)) {
      s.conditions = setCondition(
        s.conditions,
        condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `${what} has successfully progressed.`,
          now,
        ),
      );
    } else if (deploymentProgressing(d, s)) {
      const c = condition('Progressing', 'True', 'ReplicaSetUpdated', `${what} is progressing.`, now);
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      s.conditions = [...removeCondition(s.conditions, 'Progressing'), c];
    } else if (timedOut(d, s, now)) {
      s.conditions = setCondition(
        s.conditions,
        condition(
          'Progressing',
          'False',
          'ProgressDeadlineExceeded',
          `${what} has timed out progressing.`,
          now,
        ),
      );
    }
  }
  let recheckAfterMs: number | undefined;
  const pc = getCondition(s.conditions, 'Progressing');
  if (pc && pc.status === 'True' && pc.reason !== 'NewReplicaSetAvailable' && !deploymentComplete(d, s)) {
    const from = Date.parse(pc.lastUpdateTime ?? '');
    if (Number.isFinite(from))
      recheckAfterMs = Math.max(1000, from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 - now + 1000);
  }
  return { status: s, recheckAfterMs };
}

/** The Progressing condition a paused or resumed deployment reports (checkPausedConditions). */
export function pausedConditions(d: any, now: number): Condition[] | undefined {
  if (!hasDeadline(d)) return undefined;
  const cur = getCondition(d.status?.conditions, 'Progressing');
  if (cur?.reason === 'ProgressDeadlineExceeded') return undefined;
  const pausedExists = cur?.reason === 'DeploymentPaused';
  if (d.spec?.paused && !pausedExists)
    return setCondition(
      d.status?.conditions,
      condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now),
    );
  if (!d.spec?.paused && pausedExists)
    return setCondition(
      d.status?.conditions,
      condition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', now),
    );
  return undefined;
}

export function progressingCondition(reason: string, message: string, now: number): Condition {
  return condition('Progressing', 'True', reason, message, now);
}

/** Recreate waits until no pod of an old ReplicaSet is running. */
export function oldPodsRunning(newRS: any, oldRSs: any[], podsByRS: Map<string, any[]>): boolean {
  if (oldRSs.reduce((s, rs) => s + (rs.status?.replicas ?? 0), 0) > 0) return true;
  for (const [uid, pods] of podsByRS) {
    if (newRS && uid === newRS.metadata.uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
