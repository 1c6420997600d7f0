// One reconcile function per Sail kind: read the object, render, apply and prune through KubeIO,
// then compute the status with the pure functions in logic.ts and patch it only when it changed.
import {
  ConditionReason as R,
  ConditionType as T,
  DEFAULT_INACTIVE_REVISION_GRACE_SECONDS,
  SAIL_FINALIZER,
} from '../api/index.js';
import {
  DEFAULT_CNI_NAMESPACE,
  DEFAULT_ZTUNNEL_NAMESPACE,
  RenderValidationError,
  injectorWebhookName,
  isRemote,
  istioToRevision,
  renderDefaultBase,
  renderIstioCNI,
  renderIstioRevision,
  renderIstioRevisionTag,
  renderZTunnel,
  revisionDependencies,
  type IstioCNILike,
  type IstioLike,
  type IstioRevisionLike,
  type IstioRevisionTagLike,
  type Platform,
  type ZTunnelLike,
} from '../render/index.js';
import { sailPath, type KubeIO } from './kube-io.js';
import {
  basicStatus,
  daemonSetReady,
  dependenciesCondition,
  deploymentReady,
  istioStatus,
  jsonEqual,
  ownedBy,
  reconciledCondition,
  remoteReady,
  revisionInUse,
  revisionsToPrune,
  tagInUse,
  takesPrecedence,
  type CondInput,
  type Obj,
  type ReconcileFailure,
  type UsageWorld,
} from './logic.js';
import type { SyncResult } from '../../lib/index.js';

/** An input the user must fix: reported in status, not retried until something changes. */
export class ValidationError extends Error {
  constructor(
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export interface ReconcileContext {
  io: KubeIO;
  platform: Platform;
  now?: () => Date;
}

const failureOf = (err: unknown): ReconcileFailure => {
  if (err instanceof ValidationError) return { message: err.message, validation: true, reason: err.reason };
  if (err instanceof RenderValidationError) return { message: err.message, validation: true };
  return { message: err instanceof Error ? err.message : String(err), validation: false };
};

/** Writes status when it changed; rethrows transient failures so the queue backs off. */
async function finish(
  ctx: ReconcileContext,
  kind: string,
  obj: Obj,
  status: Record<string, unknown>,
  failure: ReconcileFailure | undefined,
  err: unknown,
): Promise<void> {
  if (!jsonEqual(obj.status ?? {}, status)) {
    await ctx.io.mergePatch(`${sailPath(kind, obj.metadata.name)}/status`, { status });
  }
  if (failure && !failure.validation) throw err;
}

async function requireNamespace(io: KubeIO, ns: string): Promise<void> {
  const found = await io.client.find<Obj>(`/api/v1/namespaces/${encodeURIComponent(ns)}`);
  if (!found || found.metadata.deletionTimestamp)
    throw new ValidationError(`namespace "${ns}" doesn't exist`);
}

/**
 * The finalizer dance of §3.0: on deletion prune everything the object applied and drop the finalizer;
 * without the finalizer add it first. Answers true when the reconcile should stop here.
 */
async function handleFinalizer(ctx: ReconcileContext, kind: string, obj: Obj): Promise<boolean> {
  const finalizers: string[] = (obj.metadata as { finalizers?: string[] }).finalizers ?? [];
  const path = sailPath(kind, obj.metadata.name);
  if (obj.metadata.deletionTimestamp) {
    if (!finalizers.includes(SAIL_FINALIZER)) return true;
    await ctx.io.prune(obj.metadata.uid ?? '', []);
    await ctx.io.mergePatch(path, {
      metadata: {
        resourceVersion: (obj.metadata as { resourceVersion?: string }).resourceVersion,
        finalizers: finalizers.filter((f) => f !== SAIL_FINALIZER),
      },
    });
    return true;
  }
  if (!finalizers.includes(SAIL_FINALIZER)) {
    await ctx.io.mergePatch(path, {
      metadata: {
        resourceVersion: (obj.metadata as { resourceVersion?: string }).resourceVersion,
        finalizers: [...finalizers, SAIL_FINALIZER],
      },
    });
    return true;
  }
  return false;
}

const get = (ctx: ReconcileContext, kind: string, name: string) =>
  ctx.io.client.find<Obj>(sailPath(kind, name));

async function usageWorld(io: KubeIO): Promise<UsageWorld> {
  const [namespaces, pods, tags] = await Promise.all([
    io.list('/api/v1/namespaces'),
    io.list('/api/v1/pods'),
    io.list(sailPath('IstioRevisionTag')),
  ]);
  return { namespaces, pods, tags };
}

const unknown = (type: string, reason: string, err: unknown): CondInput => ({
  type,
  status: 'Unknown',
  reason,
  message: err instanceof Error ? err.message : String(err),
});

// ---- Istio (§3.1) ----

export async function reconcileIstio(ctx: ReconcileContext, name: string): Promise<SyncResult> {
  const istio = await get(ctx, 'Istio', name);
  if (!istio || istio.metadata.deletionTimestamp) return;
  const now = ctx.now?.() ?? new Date();
  let activeName: string | undefined;
  let err: unknown;
  try {
    const desired = istioToRevision(istio as unknown as IstioLike, { platform: ctx.platform });
    activeName = desired.metadata.name;
    await ctx.io.apply(desired);
  } catch (e) {
    err = e;
  }
  const failure = err === undefined ? undefined : failureOf(err);
  let revisions: Obj[] | undefined;
  try {
    revisions = (await ctx.io.list(sailPath('IstioRevision'))).filter((r) => ownedBy(r, istio.metadata.uid));
  } catch {
    revisions = undefined;
  }
  const status = istioStatus(istio, { error: failure, activeName }, revisions, now);
  let result: SyncResult = undefined;
  const spec = istio.spec ?? {};
  if (
    !failure &&
    revisions &&
    spec.updateStrategy?.type === 'RevisionBased' &&
    String(spec.values?.pilot?.env?.EXTERNAL_ISTIOD) !== 'true'
  ) {
    const grace =
      spec.updateStrategy.inactiveRevisionDeletionGracePeriodSeconds ??
      DEFAULT_INACTIVE_REVISION_GRACE_SECONDS;
    const prune = revisionsToPrune(revisions, activeName ?? '', grace, now);
    for (const r of prune.delete) await ctx.io.delete(sailPath('IstioRevision', r));
    if (prune.requeueAfterMs !== undefined) result = { requeueAfterMs: prune.requeueAfterMs + 100 };
  }
  await finish(ctx, 'Istio', istio, status, failure, err);
  return result;
}

// ---- IstioRevision (§3.2) ----

const istiodName = (rev: Obj): string => {
  const r = rev.spec?.values?.revision;
  return typeof r === 'string' && r ? `istiod-${r}` : 'istiod';
};

export async function reconcileIstioRevision(ctx: ReconcileContext, name: string): Promise<SyncResult> {
  const rev = await get(ctx, 'IstioRevision', name);
  if (!rev || (await handleFinalizer(ctx, 'IstioRevision', rev))) return;
  const now = ctx.now?.() ?? new Date();
  const values = rev.spec?.values ?? {};
  const ns: string = rev.spec?.namespace ?? '';
  let err: unknown;
  try {
    const tag = await get(ctx, 'IstioRevisionTag', name);
    if (tag && takesPrecedence(tag, rev))
      throw new ValidationError(`there is an IstioRevisionTag with name ${name}`, R.NameAlreadyExists);
    const objects = renderIstioRevision(rev as unknown as IstioRevisionLike);
    await requireNamespace(ctx.io, ns);
    if (name === 'default') {
      objects.push(
        ...renderDefaultBase(rev as unknown as IstioRevisionLike, {
          kind: 'IstioRevision',
          name,
          uid: rev.metadata.uid,
        }),
      );
    }
    await ctx.io.sync(rev.metadata.uid ?? '', objects);
  } catch (e) {
    err = e;
  }
  const failure = err === undefined ? undefined : failureOf(err);
  const conds: CondInput[] = [reconciledCondition(failure)];
  try {
    if (isRemote(values)) {
      const mwc = injectorWebhookName(values, ns);
      const found = await ctx.io.client.find<Obj>(
        `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${mwc}`,
      );
      conds.push(remoteReady(found, mwc));
    } else {
      const deploy = await ctx.io.client.find<Obj>(
        `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments/${istiodName(rev)}`,
      );
      conds.push(deploymentReady(deploy, istiodName(rev)));
    }
  } catch (e) {
    conds.push(unknown(T.Ready, R.ReadinessCheckFailed, e));
  }
  try {
    const needs = revisionDependencies(values);
    const [cni, zt] = await Promise.all([
      needs.cni ? get(ctx, 'IstioCNI', 'default') : undefined,
      needs.ztunnel ? get(ctx, 'ZTunnel', 'default') : undefined,
    ]);
    conds.push(dependenciesCondition(needs, cni, zt));
  } catch (e) {
    conds.push(unknown(T.DependenciesHealthy, R.DependencyCheckFailed, e));
  }
  try {
    conds.push(revisionInUse(name, values, await usageWorld(ctx.io)));
  } catch (e) {
    conds.push(unknown(T.InUse, R.UsageCheckFailed, e));
  }
  const status = basicStatus(rev, conds, [T.Reconciled, T.Ready, T.DependenciesHealthy], now);
  await finish(ctx, 'IstioRevision', rev, status, failure, err);
}

// ---- IstioRevisionTag (§3.5) ----

/** Thrown while an Istio has no active revision yet: retried with back-off. */
class TransientError extends Error {}

export async function reconcileIstioRevisionTag(ctx: ReconcileContext, name: string): Promise<SyncResult> {
  const tag = await get(ctx, 'IstioRevisionTag', name);
  if (!tag || (await handleFinalizer(ctx, 'IstioRevisionTag', tag))) return;
  const now = ctx.now?.() ?? new Date();
  let err: unknown;
  let target: Obj | undefined;
  try {
    const ref = tag.spec?.targetRef as { kind?: string; name?: string } | undefined;
    if (!ref?.kind || !ref.name) throw new ValidationError('spec.targetRef is not set');
    const same = await get(ctx, 'IstioRevision', name);
    if (same && takesPrecedence(same, tag))
      throw new ValidationError(`there is an IstioRevision with name ${name}`, R.NameAlreadyExists);
    let revName = ref.name;
    if (ref.kind === 'Istio') {
      const istio = await get(ctx, 'Istio', ref.name);
      if (!istio) throw new ValidationError(`referenced Istio ${ref.name} not found`, R.RefNotFound);
      revName = istio.status?.activeRevisionName ?? '';
      if (!revName) throw new TransientError(`Istio ${ref.name} has no active revision yet`);
    }
    target = await get(ctx, 'IstioRevision', revName);
    if (!target) throw new ValidationError(`referenced IstioRevision ${revName} not found`, R.RefNotFound);
    const objects = renderIstioRevisionTag(
      tag as unknown as IstioRevisionTagLike,
      target as unknown as IstioRevisionLike,
    );
    await requireNamespace(ctx.io, target.spec?.namespace ?? '');
    if (name === 'default') {
      objects.push(
        ...renderDefaultBase(target as unknown as IstioRevisionLike, {
          kind: 'IstioRevisionTag',
          name,
          uid: tag.metadata.uid,
        }),
      );
    }
    await ctx.io.sync(tag.metadata.uid ?? '', objects);
  } catch (e) {
    err = e;
  }
  const failure = err === undefined ? undefined : failureOf(err);
  const conds: CondInput[] = [reconciledCondition(failure)];
  try {
    conds.push(tagInUse(name, target?.spec?.values, await usageWorld(ctx.io)));
  } catch (e) {
    conds.push(unknown(T.InUse, R.UsageCheckFailed, e));
  }
  const extra = target
    ? { istioRevision: target.metadata.name, istiodNamespace: target.spec?.namespace ?? '' }
    : {
        istioRevision: tag.status?.istioRevision ?? '',
        istiodNamespace: tag.status?.istiodNamespace ?? '',
      };
  const status = basicStatus(tag, conds, [T.Reconciled, T.InUse], now, extra);
  await finish(ctx, 'IstioRevisionTag', tag, status, failure, err);
}

// ---- IstioCNI and ZTunnel (§3.8) ----

export async function reconcileIstioCNI(ctx: ReconcileContext, name: string): Promise<SyncResult> {
  const cni = await get(ctx, 'IstioCNI', name);
  if (!cni || (await handleFinalizer(ctx, 'IstioCNI', cni))) return;
  const ns: string = cni.spec?.namespace || DEFAULT_CNI_NAMESPACE;
  await dataplane(ctx, 'IstioCNI', cni, ns, 'istio-cni-node', async () =>
    renderIstioCNI(cni as unknown as IstioCNILike, { platform: ctx.platform }),
  );
}

export async function reconcileZTunnel(ctx: ReconcileContext, name: string): Promise<SyncResult> {
  const zt = await get(ctx, 'ZTunnel', name);
  if (!zt || (await handleFinalizer(ctx, 'ZTunnel', zt))) return;
  const ns: string = zt.spec?.namespace || DEFAULT_ZTUNNEL_NAMESPACE;
  let istioRevision = '';
  const dsName = zt.spec?.values?.ztunnel?.resourceName || 'ztunnel';
  await dataplane(
    ctx,
    'ZTunnel',
    zt,
    ns,
    dsName,
    async () => {
      const ref = zt.spec?.targetRef as { kind?: string; name?: string } | undefined;
      let target: Obj | undefined;
      if (ref?.kind && ref.name) {
        let revName = ref.name;
        if (ref.kind === 'Istio') {
          const istio = await get(ctx, 'Istio', ref.name);
          if (!istio) throw new ValidationError(`referenced Istio ${ref.name} not found`, R.RefNotFound);
          revName = istio.status?.activeRevisionName ?? '';
          if (!revName) throw new TransientError(`Istio ${ref.name} has no active revision yet`);
        }
        target = await get(ctx, 'IstioRevision', revName);
        if (!target)
          throw new ValidationError(`referenced IstioRevision ${revName} not found`, R.RefNotFound);
        istioRevision = revName;
      }
      return renderZTunnel(zt as unknown as ZTunnelLike, {
        platform: ctx.platform,
        ...(target ? { targetRevision: target as unknown as IstioRevisionLike } : {}),
      });
    },
    () => ({ istioRevision }),
  );
}

async function dataplane(
  ctx: ReconcileContext,
  kind: string,
  obj: Obj,
  ns: string,
  dsName: string,
  render: () => Promise<Obj[]>,
  extra: () => Record<string, unknown> = () => ({}),
): Promise<void> {
  const now = ctx.now?.() ?? new Date();
  let err: unknown;
  try {
    const objects = await render();
    await requireNamespace(ctx.io, ns);
    await ctx.io.sync(obj.metadata.uid ?? '', objects);
  } catch (e) {
    err = e;
  }
  const failure = err === undefined ? undefined : failureOf(err);
  const conds: CondInput[] = [reconciledCondition(failure)];
  try {
    const ds = await ctx.io.client.find<Obj>(
      `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/daemonsets/${encodeURIComponent(dsName)}`,
    );
    conds.push(daemonSetReady(ds, dsName));
  } catch (e) {
    conds.push(unknown(T.Ready, R.ReadinessCheckFailed, e));
  }
  const status = basicStatus(obj, conds, [T.Reconciled, T.Ready], now, extra());
  await finish(ctx, kind, obj, status, failure, err);
}
