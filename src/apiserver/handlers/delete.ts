// DELETE of one object and of a collection: finalizers, graceful pod deletion, propagation policy.
import { badRequest, conflict, notFound, internalError } from '../errors.js';
import { parseJson, readBody } from '../http/body.js';
import { sendJson, sendText } from '../http/respond.js';
import { storageResource } from '../resources/resource.js';
import { StoreError, cloneObject, type Entry } from '../store/index.js';
import type { KubeObject } from '../types.js';
import { dryRunOf } from './admit.js';
import {
  atVersion,
  jsonAtVersion,
  qualifiedResource,
  rfc3339,
  type ApiContext,
  type Scope,
} from './context.js';
import { parseListOptions } from './list-options.js';
import { selectEntries } from './read.js';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

async function deleteOptions(s: Scope): Promise<DeleteOptions> {
  const body = await readBody(s.req);
  let opts: any = {};
  if (body.length > 0) opts = parseJson(body);
  if (opts === null || typeof opts !== 'object') throw badRequest('DeleteOptions must be an object');
  const q = s.query;
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy');
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy))
    throw badRequest(
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  if (opts.orphanDependents !== undefined && opts.propagationPolicy)
    throw badRequest('orphanDependents and propagationPolicy cannot both be set');
  if (opts.orphanDependents === true) opts.propagationPolicy = 'Orphan';
  return opts;
}

export async function deleteObject(ctx: ApiContext, s: Scope): Promise<void> {
  const opts = await deleteOptions(s);
  const entry = ctx.store.latest(
    storageResource(s.info),
    s.info.namespaced ? (s.namespace ?? '') : '',
    s.name!,
  );
  if (!entry) throw notFound(qualifiedResource(s.info), s.name!);
  const result = await deleteEntry(ctx, s, entry, opts, dryRunOf(s.query));
  if (result.removed) {
    sendJson(s.res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: s.name,
        group: s.info.group || undefined,
        kind: s.info.plural,
        uid: entry.obj.metadata.uid,
      },
    });
  } else {
    sendText(
      s.res,
      result.code,
      jsonAtVersion(result.entry.json, result.entry.obj, s.info, s.version),
      'application/json',
    );
  }
}

/** Deletes, or marks for deletion when finalizers (or a pod's grace period) must run first. */
export async function deleteEntry(
  ctx: ApiContext,
  s: Scope,
  entry: Entry,
  opts: DeleteOptions,
  dryRun: boolean,
): Promise<{ removed: boolean; entry: Entry; code: number }> {
  const info = s.info;
  const res = storageResource(info);
  const obj = entry.obj;
  const pre = opts.preconditions ?? {};
  if (pre.uid && pre.uid !== obj.metadata.uid)
    throw conflict(
      qualifiedResource(info),
      entry.name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  if (pre.resourceVersion && pre.resourceVersion !== String(entry.rev))
    throw conflict(
      qualifiedResource(info),
      entry.name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${entry.rev}`,
    );
  const next = cloneObject(obj) as KubeObject;
  const m = next.metadata;
  const finalizers = new Set(m.finalizers ?? []);
  const policy = opts.propagationPolicy;
  if (policy === 'Foreground') {
    finalizers.delete('orphan');
    finalizers.add('foregroundDeletion');
  } else if (policy === 'Orphan') {
    finalizers.delete('foregroundDeletion');
    finalizers.add('orphan');
  } else if (policy === 'Background') {
    finalizers.delete('foregroundDeletion');
    finalizers.delete('orphan');
  }
  const graceful = gracePeriod(info.kind, next, opts);
  const namespaceFinalizing = info.kind === 'Namespace' && info.group === '';
  const mustWait = finalizers.size > 0 || graceful > 0 || namespaceFinalizing;
  if (!mustWait) {
    if (dryRun) return { removed: true, entry, code: 200 };
    try {
      const gone = await ctx.store.delete(res, entry.ns, entry.name, entry.rev);
      info.strategy.afterDelete?.(gone.obj, ctx.allocators);
      return { removed: true, entry: gone, code: 200 };
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'not-found')
        throw notFound(qualifiedResource(info), entry.name);
      if (err instanceof StoreError && err.kind === 'conflict')
        throw conflict(qualifiedResource(info), entry.name);
      throw internalError((err as Error).message);
    }
  }
  m.finalizers = [...finalizers];
  if (m.finalizers.length === 0) delete m.finalizers;
  const now = ctx.now();
  if (!m.deletionTimestamp) {
    m.deletionTimestamp = rfc3339(new Date(now.getTime() + graceful * 1000));
    m.deletionGracePeriodSeconds = graceful;
    if (m.generation !== undefined && m.generation > 0) m.generation++;
  } else if (graceful < (m.deletionGracePeriodSeconds ?? 0)) {
    // A shorter grace period shortens a pending graceful deletion (kubectl delete --grace-period=1).
    m.deletionTimestamp = rfc3339(new Date(now.getTime() + graceful * 1000));
    m.deletionGracePeriodSeconds = graceful;
  }
  if (namespaceFinalizing) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
  if (JSON.stringify(next) === JSON.stringify(obj)) return { removed: false, entry, code: 200 };
  if (dryRun)
    return { removed: false, entry: { ...entry, obj: next, json: JSON.stringify(next) }, code: 200 };
  try {
    const updated = await ctx.store.update(res, entry.ns, entry.name, next, entry.rev);
    return {
      removed: false,
      entry: updated,
      code: policy === 'Foreground' || policy === 'Orphan' ? 200 : 200,
    };
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'conflict')
      throw conflict(qualifiedResource(info), entry.name);
    throw err;
  }
}

/** Pods bound to a node stop gracefully: the node agent removes them once the containers are gone. */
function gracePeriod(kind: string, obj: KubeObject, opts: DeleteOptions): number {
  if (kind !== 'Pod') return 0;
  const phase = obj.status?.phase;
  if (!obj.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, Math.floor(g));
}

export async function deleteCollection(ctx: ApiContext, s: Scope): Promise<void> {
  const opts = await deleteOptions(s);
  const list = parseListOptions(s.query, s.info);
  const dryRun = dryRunOf(s.query);
  const entries = selectEntries(ctx, s, list.matches);
  const items: KubeObject[] = [];
  for (const e of entries) {
    try {
      const r = await deleteEntry(ctx, s, e, opts, dryRun);
      items.push(atVersion(r.entry.obj, s.info, s.version));
    } catch (err) {
      if (err instanceof Error && 'reason' in err && (err as any).reason === 'NotFound') continue;
      throw err;
    }
  }
  sendJson(s.res, 200, {
    kind: s.info.listKind,
    apiVersion: s.info.group ? `${s.info.group}/${s.version}` : s.version,
    metadata: { resourceVersion: String(ctx.store.revision) },
    items,
  });
}
