// The Sail Operator's controllers as an ordinary Kubernetes client program: installs the CRDs, then
// reconciles Istio, IstioRevision, IstioRevisionTag, IstioCNI and ZTunnel from informer events.
import type { Informer, KubeClient } from '../../kube/index.js';
import { istioConfigCrds, sailCrds } from '../api/index.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, type Platform } from '../render/index.js';
import { KubeIO, sailPath } from './kube-io.js';
import type { Obj } from './logic.js';
import { WorkQueue, type SyncResult } from '../../lib/index.js';
import {
  reconcileIstio,
  reconcileIstioCNI,
  reconcileIstioRevision,
  reconcileIstioRevisionTag,
  reconcileZTunnel,
  type ReconcileContext,
} from './reconcilers.js';

export {
  basicStatus,
  daemonSetReady,
  deploymentReady,
  deriveState,
  istioStatus,
  namespaceRevision,
  objectsToPrune,
  podInjectedBy,
  podIntent,
  revisionInUse,
  revisionsToPrune,
  setConditions,
  tagInUse,
} from './logic.js';
export { FIELD_MANAGER, OWNER_UID_LABEL } from './kube-io.js';

export interface OperatorOptions {
  client: KubeClient;
  log?: (msg: string) => void;
  platform?: Platform;
  /** Re-reconciles everything this often (drift on objects without a watch); default 5 minutes. */
  resyncMs?: number;
}

export interface RunningOperator {
  stop(): void;
}

const KINDS = ['Istio', 'IstioRevision', 'IstioRevisionTag', 'IstioCNI', 'ZTunnel'] as const;
type Kind = (typeof KINDS)[number];

/** Applies every CRD (server-side, forced) and waits until each is Established. */
export async function installCrds(client: KubeClient, timeoutMs = 60_000): Promise<void> {
  const crds = [...sailCrds(), ...istioConfigCrds()] as unknown as Obj[];
  for (const crd of crds) {
    await client.request(
      'PATCH',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}?fieldManager=sail-operator&force=true`,
      crd,
      'application/apply-patch+yaml',
    );
  }
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    for (;;) {
      const got = await client.find<Obj>(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
      const established = (got?.status?.conditions ?? []).some(
        (c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True',
      );
      if (established) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not established`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Installs the CRDs, then runs the five controllers until stop(). */
export async function startOperator(opts: OperatorOptions): Promise<RunningOperator> {
  const log = opts.log ?? ((m: string) => console.error(`sail-operator: ${m}`));
  await installCrds(opts.client);
  const io = new KubeIO(opts.client);
  const ctx: ReconcileContext = { io, platform: opts.platform ?? 'kubernetes' };
  const names = new Map<Kind, Set<string>>(KINDS.map((k) => [k, new Set()]));

  const handlers: Record<Kind, (c: ReconcileContext, n: string) => Promise<SyncResult>> = {
    Istio: reconcileIstio,
    IstioRevision: reconcileIstioRevision,
    IstioRevisionTag: reconcileIstioRevisionTag,
    IstioCNI: reconcileIstioCNI,
    ZTunnel: reconcileZTunnel,
  };
  const queue = new WorkQueue(
    'sail-operator',
    async (key) => {
      const [kind, name] = key.split('/') as [Kind, string];
      return await handlers[kind](ctx, name);
    },
    {
      workers: 2,
      baseDelayMs: 100,
      maxDelayMs: 60_000,
      onError: (key, err) => log(`reconcile ${key}: ${err instanceof Error ? err.message : String(err)}`),
    },
  );
  const enqueue = (kind: Kind, name: string | undefined) => name && queue.add(`${kind}/${name}`);
  const enqueueAll = (...kinds: Kind[]) => {
    for (const k of kinds) for (const n of names.get(k)!) enqueue(k, n);
  };

  // What else depends on a change of each kind (reference §3.1–§3.8 "Watches").
  const dependents: Record<Kind, (o: Obj) => void> = {
    Istio: () => enqueueAll('IstioRevisionTag', 'ZTunnel'),
    IstioRevision: (o) => {
      for (const ref of o.metadata.ownerReferences ?? [])
        if (ref.kind === 'Istio') enqueue('Istio', ref.name);
      enqueue('IstioRevisionTag', o.metadata.name);
      enqueueAll('IstioRevisionTag', 'ZTunnel');
    },
    IstioRevisionTag: (o) => {
      enqueue('IstioRevision', o.metadata.name);
      enqueueAll('IstioRevision');
    },
    IstioCNI: () => enqueueAll('IstioRevision'),
    ZTunnel: () => enqueueAll('IstioRevision'),
  };

  // Our own no-op applies and status writes must not wake us again: react only to what we read.
  const seen = new Map<string, string>();
  const changed = (type: string, o: Obj): boolean => {
    const uid = o.metadata.uid ?? '';
    if (type === 'DELETED') {
      seen.delete(uid);
      return true;
    }
    const m = o.metadata as Obj['metadata'] & { finalizers?: string[] };
    const sig = JSON.stringify([m.generation, m.deletionTimestamp, m.finalizers, m.labels, o.status]);
    if (seen.get(uid) === sig) return false;
    seen.set(uid, sig);
    return true;
  };

  const informers: Informer[] = [];
  const onError = (what: string) => (err: unknown) =>
    log(`watch ${what}: ${err instanceof Error ? err.message : String(err)}`);
  for (const kind of KINDS) {
    const set = names.get(kind)!;
    informers.push(
      opts.client.informer(sailPath(kind), {
        onSync: (objs: Obj[]) => {
          set.clear();
          for (const o of objs) {
            changed('SYNC', o);
            set.add(o.metadata.name ?? '');
            enqueue(kind, o.metadata.name);
            dependents[kind](o);
          }
        },
        onEvent: (type, o: Obj) => {
          if (!changed(type, o)) return;
          if (type === 'DELETED') set.delete(o.metadata.name ?? '');
          else set.add(o.metadata.name ?? '');
          enqueue(kind, o.metadata.name);
          dependents[kind](o);
        },
        onError: onError(kind),
      }),
    );
  }
  // Namespaces and pods decide InUse and whether target namespaces exist.
  const everything = () => enqueueAll(...KINDS);
  const usage = () => enqueueAll('IstioRevision', 'IstioRevisionTag');
  informers.push(
    opts.client.informer('/api/v1/namespaces', {
      onSync: everything,
      onEvent: everything,
      onError: onError('namespaces'),
    }),
    opts.client.informer('/api/v1/pods', { onSync: usage, onEvent: usage, onError: onError('pods') }),
  );
  // Drift and readiness of the rendered workloads go back to the owning resource.
  const toOwner = (type: string, o: Obj) => {
    if (!changed(type, o)) return;
    for (const ref of o.metadata.ownerReferences ?? [])
      if ((KINDS as readonly string[]).includes(ref.kind)) enqueue(ref.kind as Kind, ref.name);
  };
  const managed = { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` };
  for (const path of ['/apis/apps/v1/deployments', '/apis/apps/v1/daemonsets']) {
    informers.push(
      opts.client.informer(
        path,
        {
          onSync: (objs: Obj[]) => objs.forEach((o) => toOwner('SYNC', o)),
          onEvent: toOwner,
          onError: onError(path),
        },
        managed,
      ),
    );
  }
  const resync = setInterval(everything, opts.resyncMs ?? 300_000);
  resync.unref();

  return {
    stop() {
      clearInterval(resync);
      for (const i of informers) i.stop();
      queue.stop();
    },
  };
}
