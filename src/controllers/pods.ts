// Pod facts the controllers share: activity, readiness, availability (Ready for minReadySeconds),
// controller references, and the order in which a controller gives up surplus pods.
export const isTerminal = (p: any): boolean =>
  p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
export const isTerminating = (p: any): boolean => !!p.metadata?.deletionTimestamp;
export const isActive = (p: any): boolean => !isTerminal(p) && !isTerminating(p);

export function condition(obj: any, type: string): any {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

export const isReady = (p: any): boolean => condition(p, 'Ready')?.status === 'True';

/** Ready since at least minReadySeconds before now. */
export function isAvailable(p: any, minReadySeconds: number, now: number): boolean {
  const c = condition(p, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** Milliseconds until a Ready pod becomes available, or undefined when not applicable. */
export function msUntilAvailable(p: any, minReadySeconds: number, now: number): number | undefined {
  const c = condition(p, 'Ready');
  if (c?.status !== 'True' || !minReadySeconds) return undefined;
  const since = Date.parse(c.lastTransitionTime ?? '');
  if (!Number.isFinite(since)) return undefined;
  const left = since + minReadySeconds * 1000 - now;
  return left > 0 ? left : undefined;
}

export function controllerRef(o: any): any {
  return (o.metadata?.ownerReferences ?? []).find((r: any) => r.controller);
}

export function ownerReference(owner: any): any {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const ownedBy = (o: any, owner: any): boolean => controllerRef(o)?.uid === owner.metadata.uid;

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders pods so the ones to delete first come first, as upstream's ActivePodsWithRanks: unassigned
 * before assigned, Pending before Unknown before Running, not ready before ready, pods sharing a node
 * with more of their siblings first, more recently ready first, more restarts first, newer first.
 */
export function deletionOrder(pods: any[], related: any[] = pods): any[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n && isActive(p)) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const rank = (p: any) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  const restarts = (p: any) =>
    (p.status?.containerStatuses ?? []).reduce((m: number, c: any) => Math.max(m, c.restartCount ?? 0), 0);
  const time = (s: string | undefined) => (s ? Date.parse(s) : Number.NaN);
  return [...pods].sort((a, b) => {
    const an = !!a.spec?.nodeName;
    const bn = !!b.spec?.nodeName;
    if (an !== bn) return an ? 1 : -1;
    const ap = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
    const bp = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
    if (ap !== bp) return ap - bp;
    const ar = isReady(a);
    const br = isReady(b);
    if (ar !== br) return ar ? 1 : -1;
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (ar && br) {
      const at = time(condition(a, 'Ready')?.lastTransitionTime);
      const bt = time(condition(b, 'Ready')?.lastTransitionTime);
      if (at !== bt && Number.isFinite(at) && Number.isFinite(bt)) return bt - at;
    }
    if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
    const ac = time(a.metadata?.creationTimestamp);
    const bc = time(b.metadata?.creationTimestamp);
    if (ac !== bc) {
      if (!Number.isFinite(ac)) return -1;
      if (!Number.isFinite(bc)) return 1;
      return bc - ac;
    }
    return String(b.metadata?.name).localeCompare(String(a.metadata?.name));
  });
}

/** The pod a controller creates from its template (GetPodFromTemplate). */
export function podFromTemplate(template: any, owner: any, extraLabels: Record<string, string> = {}): any {
  const meta = template?.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...extraLabels },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ownerReference(owner)],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
}

export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
