// The StatefulSet controller's decisions (basic): stable ordinals, OrderedReady or Parallel pod
// management, scale-down from the highest ordinal, rolling updates from the highest ordinal down
// to the partition, and status.
import { isActive, isAvailable, isReady, isTerminal, isTerminating } from './pods.js';
import { REVISION_HASH_LABEL } from './revisions.js';

export function ordinalOf(set: any, pod: any): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name: string = pod.metadata.name;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export interface SetPlan {
  create: number[];
  delete: any[];
  status: any;
}

const runningAndReady = (p: any) => p.status?.phase === 'Running' && isReady(p);

/** One reconcile step; `current`/`update` are revision hashes. */
export function planStatefulSet(
  set: any,
  pods: any[],
  current: string,
  update: string,
  now: number,
): SetPlan {
  const replicas = set.spec?.replicas ?? 1;
  const start = set.spec?.ordinals?.start ?? 0;
  const parallel = set.spec?.podManagementPolicy === 'Parallel';
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const byOrdinal = new Map<number, any>();
  for (const p of pods) {
    const o = ordinalOf(set, p);
    if (o !== undefined) byOrdinal.set(o, p);
  }
  const create: number[] = [];
  const del: any[] = [];
  let blocked = false;
  for (let o = start; o < start + replicas; o++) {
    const p = byOrdinal.get(o);
    if (!p) {
      if (!blocked) create.push(o);
      if (!parallel) blocked = true;
      continue;
    }
    if (isTerminal(p) && !isTerminating(p)) {
      if (!blocked) del.push(p);
      if (!parallel) blocked = true;
      continue;
    }
    if (!parallel && (isTerminating(p) || !runningAndReady(p))) blocked = true;
  }
  const condemned = [...byOrdinal.entries()]
    .filter(([o]) => o < start || o >= start + replicas)
    .sort(([a], [b]) => b - a)
    .map(([, p]) => p);
  if (parallel) {
    for (const p of condemned) if (!isTerminating(p)) del.push(p);
  } else if (!blocked && condemned.length > 0) {
    // One at a time, highest first, once every other pod is running and ready.
    const first = condemned[0];
    const othersOk = [...byOrdinal.values()].every((p) => p === first || runningAndReady(p));
    if (!isTerminating(first) && othersOk) del.push(first);
    blocked = true;
  }
  if (rolling && !blocked && create.length === 0 && del.length === 0 && condemned.length === 0) {
    for (let o = start + replicas - 1; o >= start + partition; o--) {
      const p = byOrdinal.get(o);
      if (!p || p.metadata.labels?.[REVISION_HASH_LABEL] === update) continue;
      if (!isTerminating(p)) del.push(p);
      break;
    }
  }
  // Status.
  const minReady = set.spec?.minReadySeconds ?? 0;
  const active = pods.filter((p) => isActive(p) && ordinalOf(set, p) !== undefined);
  const counts = { replicas: 0, ready: 0, available: 0, current: 0, updated: 0 };
  for (const p of active) {
    counts.replicas++;
    if (isReady(p)) counts.ready++;
    if (isAvailable(p, minReady, now)) counts.available++;
    const h = p.metadata.labels?.[REVISION_HASH_LABEL];
    if (h === current) counts.current++;
    if (h === update) counts.updated++;
  }
  let currentRevision = current;
  let currentReplicas = counts.current;
  if (counts.updated === replicas && counts.ready === replicas && counts.replicas === replicas) {
    currentRevision = update;
    currentReplicas = counts.updated;
  }
  const status: any = {
    observedGeneration: set.metadata.generation ?? 1,
    replicas: counts.replicas,
    readyReplicas: counts.ready,
    currentReplicas,
    updatedReplicas: counts.updated,
    currentRevision,
    updateRevision: update,
    collisionCount: set.status?.collisionCount ?? 0,
    availableReplicas: counts.available,
  };
  return { create, delete: del, status };
}

/** The pod for one ordinal: stable name, hostname and subdomain, claims bound by name. */
export function statefulPod(set: any, ordinal: number, hash: string): any {
  const name = `${set.metadata.name}-${ordinal}`;
  const tmpl = set.spec.template ?? {};
  const spec = structuredClone(tmpl.spec ?? {});
  spec.hostname = name;
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  const claims: any[] = set.spec.volumeClaimTemplates ?? [];
  if (claims.length) {
    const volumes = (spec.volumes ?? []).filter((v: any) => !claims.some((c) => c.metadata?.name === v.name));
    for (const c of claims)
      volumes.push({
        name: c.metadata.name,
        persistentVolumeClaim: { claimName: `${c.metadata.name}-${name}` },
      });
    spec.volumes = volumes;
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: {
        ...(tmpl.metadata?.labels ?? {}),
        [REVISION_HASH_LABEL]: hash,
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(ordinal),
      },
      ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: set.metadata.name,
          uid: set.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  };
}

export function claimsFor(set: any, ordinal: number): any[] {
  const pod = `${set.metadata.name}-${ordinal}`;
  return (set.spec.volumeClaimTemplates ?? []).map((c: any) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: `${c.metadata.name}-${pod}`,
      namespace: set.metadata.namespace,
      labels: { ...(set.spec.selector?.matchLabels ?? {}), ...(c.metadata.labels ?? {}) },
      ...(c.metadata.annotations ? { annotations: c.metadata.annotations } : {}),
    },
    spec: structuredClone(c.spec ?? {}),
  }));
}
