// Pure reconcile decisions of the Sail controllers (reference §3.0–§3.9): conditions and state, in-use
// detection, readiness of the rendered workloads, which revisions and objects to prune. No I/O here.
import { ConditionReason as R, ConditionType as T, HEALTHY_STATE, type Condition } from '../api/index.js';

export interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { uid: string; kind: string; name: string }[];
}
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: any;
  status?: any;
}

export type CondStatus = 'True' | 'False' | 'Unknown';
export interface CondInput {
  type: string;
  status: CondStatus;
  reason?: string;
  message?: string;
}

/** Seconds-truncated RFC 3339, as metav1.Time serialises. */
export const timestamp = (now: Date): string => now.toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The new condition list: a True condition's reason is its type, and lastTransitionTime moves only when
 * the status flips.
 */
export function setConditions(prev: Condition[] | undefined, next: CondInput[], now: Date): Condition[] {
  return next.map((c) => {
    const old = prev?.find((p) => p.type === c.type);
    const reason = c.status === 'True' ? c.type : (c.reason ?? c.type);
    return {
      type: c.type,
      status: c.status,
      reason,
      message: c.message ?? '',
      lastTransitionTime:
        old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : timestamp(now),
    };
  });
}

/** DeriveState: the reason of the first non-True condition in `order`, else Healthy. */
export function deriveState(conds: CondInput[], order: string[]): string {
  for (const t of order) {
    const c = conds.find((x) => x.type === t);
    if (c && c.status !== 'True') return c.reason ?? t;
  }
  return HEALTHY_STATE;
}

/** A failed reconcile's message, classified: validation errors are not retried (reference §3.0). */
export interface ReconcileFailure {
  message: string;
  validation: boolean;
  reason?: string;
}

export const reconciledCondition = (err: ReconcileFailure | undefined): CondInput =>
  err
    ? { type: T.Reconciled, status: 'False', reason: err.reason ?? R.ReconcileError, message: err.message }
    : { type: T.Reconciled, status: 'True' };

// ---- readiness ----

/** istiod's readiness (reference §3.2): replicas > 0 and all ready. */
export function deploymentReady(deploy: Obj | undefined, name: string): CondInput {
  if (!deploy)
    return {
      type: T.Ready,
      status: 'False',
      reason: R.IstiodNotReady,
      message: `deployment ${name} not found`,
    };
  const replicas = deploy.spec?.replicas ?? 1;
  const ready = deploy.status?.readyReplicas ?? 0;
  if (replicas === 0)
    return {
      type: T.Ready,
      status: 'False',
      reason: R.IstiodNotReady,
      message: `deployment ${name} is scaled to 0 replicas`,
    };
  if (ready < replicas)
    return {
      type: T.Ready,
      status: 'False',
      reason: R.IstiodNotReady,
      message: `not all istiod pods are ready (${ready}/${replicas})`,
    };
  return { type: T.Ready, status: 'True' };
}

/** A remote control plane's readiness: the injector webhook's readiness-probe annotation (§3.2). */
export function remoteReady(mwc: Obj | undefined, name: string): CondInput {
  if (mwc?.metadata.annotations?.['sailoperator.io/readinessProbe.status'] === 'true')
    return { type: T.Ready, status: 'True' };
  return {
    type: T.Ready,
    status: 'False',
    reason: R.RemoteIstiodNotReady,
    message: mwc
      ? `remote istiod is not ready (webhook ${name})`
      : `mutatingwebhookconfiguration ${name} not found`,
  };
}

/** A DaemonSet's readiness (reference §3.8): scheduled somewhere and every scheduled pod ready. */
export function daemonSetReady(ds: Obj | undefined, name: string): CondInput {
  const notReady = (message: string): CondInput => ({
    type: T.Ready,
    status: 'False',
    reason: R.DaemonSetNotReady,
    message,
  });
  if (!ds) return notReady(`daemonset ${name} not found`);
  const scheduled = ds.status?.currentNumberScheduled ?? ds.status?.desiredNumberScheduled ?? 0;
  const ready = ds.status?.numberReady ?? 0;
  if (scheduled === 0) return notReady(`no ${name} pods scheduled`);
  if (ready < scheduled) return notReady(`not all ${name} pods are ready (${ready}/${scheduled})`);
  return { type: T.Ready, status: 'True' };
}

/** DependenciesHealthy of a revision: IstioCNI/ZTunnel `default` must be Healthy when needed. */
export function dependenciesCondition(
  needs: { cni: boolean; ztunnel: boolean },
  cni: Obj | undefined,
  ztunnel: Obj | undefined,
): CondInput {
  const bad = (reason: string, message: string): CondInput => ({
    type: T.DependenciesHealthy,
    status: 'False',
    reason,
    message,
  });
  if (needs.cni) {
    if (!cni) return bad(R.IstioCNINotFound, 'IstioCNI resource does not exist');
    if (cni.status?.state !== HEALTHY_STATE)
      return bad(R.IstioCNINotHealthy, `IstioCNI is not healthy (state ${cni.status?.state ?? 'unknown'})`);
  }
  if (needs.ztunnel) {
    if (!ztunnel) return bad(R.ZTunnelNotFound, 'ZTunnel resource does not exist');
    if (ztunnel.status?.state !== HEALTHY_STATE)
      return bad(R.ZTunnelNotHealthy, `ZTunnel is not healthy (state ${ztunnel.status?.state ?? 'unknown'})`);
  }
  return { type: T.DependenciesHealthy, status: 'True' };
}

// ---- in use (reference §3.3) ----

/** The revision a namespace asks for: istio-injection=enabled means `default`; else istio.io/rev. */
export function namespaceRevision(ns: Obj): string {
  const l = ns.metadata.labels ?? {};
  if (l['istio-injection'] === 'enabled') return 'default';
  return l['istio.io/rev'] ?? '';
}

/** The revision a pod's labels ask for, unless it opts out. */
export function podIntent(pod: Obj): string {
  const l = pod.metadata.labels ?? {};
  if (l['sidecar.istio.io/inject'] === 'false') return '';
  if (l['istio.io/rev']) return l['istio.io/rev'];
  return l['sidecar.istio.io/inject'] === 'true' ? 'default' : '';
}

/** The revision that injected a pod (istiod sets the annotation; never a tag name). */
export function podInjectedBy(pod: Obj): string {
  const a = pod.metadata.annotations?.['istio.io/rev'];
  if (a) return a;
  const st = pod.metadata.annotations?.['sidecar.istio.io/status'];
  if (!st) return '';
  try {
    const r = (JSON.parse(st) as { revision?: unknown }).revision;
    return typeof r === 'string' ? r : '';
  } catch {
    return '';
  }
}

export interface UsageWorld {
  namespaces: Obj[];
  pods: Obj[];
  tags: Obj[];
}

function referencedByNamespacesOrPods(name: string, world: UsageWorld, withAnnotations: boolean): boolean {
  const nsRev = new Map(world.namespaces.map((n) => [n.metadata.name ?? '', namespaceRevision(n)]));
  if ([...nsRev.values()].includes(name)) return true;
  return world.pods.some((p) => {
    if (p.status?.phase === 'Succeeded') return false;
    if (withAnnotations && podInjectedBy(p) === name) return true;
    return !nsRev.get(p.metadata.namespace ?? '') && podIntent(p) === name;
  });
}

const enabledByDefault = (values: any): boolean =>
  values?.sidecarInjectorWebhook?.enableNamespacesByDefault === true;

export function revisionInUse(name: string, values: any, world: UsageWorld): CondInput {
  const used =
    world.tags.some((t) => t.status?.istioRevision === name) ||
    referencedByNamespacesOrPods(name, world, true) ||
    (name === 'default' && enabledByDefault(values));
  return used
    ? { type: T.InUse, status: 'True' }
    : {
        type: T.InUse,
        status: 'False',
        reason: R.NotReferencedByAnything,
        message: 'Not referenced by any pod or namespace',
      };
}

export function tagInUse(name: string, targetValues: any, world: UsageWorld): CondInput {
  const used =
    referencedByNamespacesOrPods(name, world, false) ||
    (name === 'default' && enabledByDefault(targetValues));
  return used
    ? { type: T.InUse, status: 'True' }
    : {
        type: T.InUse,
        status: 'False',
        reason: R.NotReferencedByAnything,
        message: 'Not referenced by any pod or namespace',
      };
}

/** Between an IstioRevision and an IstioRevisionTag of one name, the older (then smaller uid) wins. */
export function takesPrecedence(a: Obj, b: Obj): boolean {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb;
  return (a.metadata.uid ?? '') < (b.metadata.uid ?? '');
}

// ---- Istio ----

export const ownedBy = (o: Obj, uid: string | undefined): boolean =>
  !!uid && (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid);

const cond = (o: Obj | undefined, type: string): Condition | undefined =>
  (o?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

/**
 * RevisionBased pruning (reference §3.1 step 5): inactive revisions whose InUse has been False for the
 * grace period are deleted; the earliest pending expiry is when to look again.
 */
export function revisionsToPrune(
  revisions: Obj[],
  activeName: string,
  graceSeconds: number,
  now: Date,
): { delete: string[]; requeueAfterMs?: number } {
  const out: string[] = [];
  let next: number | undefined;
  for (const r of revisions) {
    if (r.metadata.name === activeName || r.metadata.deletionTimestamp) continue;
    const inUse = cond(r, T.InUse);
    if (!inUse || inUse.status !== 'False') continue;
    const since = Date.parse(inUse.lastTransitionTime ?? '');
    const expiry = (Number.isNaN(since) ? now.getTime() : since) + graceSeconds * 1000;
    const remaining = expiry - now.getTime();
    if (remaining <= 0) out.push(r.metadata.name ?? '');
    else next = next === undefined ? remaining : Math.min(next, remaining);
  }
  return { delete: out, ...(next !== undefined ? { requeueAfterMs: next } : {}) };
}

/** Istio status (reference §3.1 step 6) from the reconcile outcome and the owned revisions. */
export function istioStatus(
  istio: Obj,
  outcome: { error?: ReconcileFailure; activeName?: string },
  revisions: Obj[] | undefined,
  now: Date,
): Record<string, unknown> {
  const prev = istio.status ?? {};
  const counters = revisions
    ? {
        total: revisions.length,
        ready: revisions.filter((r) => cond(r, T.Ready)?.status === 'True').length,
        inUse: revisions.filter((r) => cond(r, T.InUse)?.status === 'True').length,
      }
    : { total: -1, ready: -1, inUse: -1 };
  let conds: CondInput[];
  let activeRevisionName: string | undefined = prev.activeRevisionName;
  let state: string;
  if (outcome.error) {
    conds = [
      reconciledCondition(outcome.error),
      {
        type: T.Ready,
        status: 'Unknown',
        reason: outcome.error.reason ?? R.ReconcileError,
        message: outcome.error.message,
      },
    ];
    state = conds[0].reason!;
  } else {
    activeRevisionName = outcome.activeName;
    const active = revisions?.find((r) => r.metadata.name === outcome.activeName);
    if (!active) {
      const missing = {
        status: 'False' as const,
        reason: R.ActiveRevisionNotFound,
        message: `active IstioRevision ${outcome.activeName} not found`,
      };
      conds = [
        { type: T.Reconciled, ...missing },
        { type: T.Ready, ...missing },
      ];
      state = R.ActiveRevisionNotFound;
    } else {
      conds = [T.Reconciled, T.Ready, T.DependenciesHealthy].flatMap((t) => {
        const c = cond(active, t);
        return c ? [{ type: t, status: c.status as CondStatus, reason: c.reason, message: c.message }] : [];
      });
      if (!conds.length) conds = [{ type: T.Reconciled, status: 'Unknown', reason: 'Pending' }];
      state = active.status?.state ?? deriveState(conds, [T.Reconciled, T.Ready, T.DependenciesHealthy]);
    }
  }
  return {
    observedGeneration: istio.metadata.generation,
    conditions: setConditions(prev.conditions, conds, now),
    state,
    ...(activeRevisionName ? { activeRevisionName } : {}),
    revisions: counters,
  };
}

/** A status built from condition inputs in state order (+ extra fields). */
export function basicStatus(
  obj: Obj,
  conds: CondInput[],
  order: string[],
  now: Date,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    observedGeneration: obj.metadata.generation,
    conditions: setConditions(obj.status?.conditions, conds, now),
    state: deriveState(conds, order),
    ...extra,
  };
}

// ---- applied objects ----

/** Identity of an applied object for prune bookkeeping. */
export const objectKey = (o: { apiVersion?: string; kind?: string; metadata: Meta }): string =>
  `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;

/** Objects the owner applied earlier that the current render no longer contains. */
export function objectsToPrune<O extends Obj>(existing: O[], desired: Obj[]): O[] {
  const want = new Set(desired.map(objectKey));
  return existing.filter((o) => !o.metadata.deletionTimestamp && !want.has(objectKey(o)));
}

/** Deep equality on JSON values, for "patch status only if it changed". */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .filter((k) => (v as any)[k] !== undefined)
        .sort()
        .map((k) => [k, canon((v as any)[k])]),
    );
  return v;
}
