// The thin I/O layer of the controllers: resource paths by kind (from discovery), server-side apply
// under the operator's field manager, owner-labelled listing for pruning, status patches.
import { KubeError, resourcePath, type ApiResource, type KubeClient } from '../../kube/index.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../render/index.js';
import { objectsToPrune, type Obj } from './logic.js';

export const FIELD_MANAGER = 'sail-operator';
/** Label tying an applied object to the uid of the Sail resource that rendered it (for pruning). */
export const OWNER_UID_LABEL = 'sailoperator.io/owner-uid';

/** Kinds the charts render, listed when pruning even if the current render has none of them. */
const PRUNABLE: [string, string][] = [
  ['v1', 'ServiceAccount'],
  ['v1', 'ConfigMap'],
  ['v1', 'Service'],
  ['v1', 'Secret'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'DaemonSet'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'],
  ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['discovery.k8s.io/v1', 'EndpointSlice'],
];

const SAIL_PLURALS: Record<string, string> = {
  Istio: 'istios',
  IstioRevision: 'istiorevisions',
  IstioRevisionTag: 'istiorevisiontags',
  IstioCNI: 'istiocnis',
  ZTunnel: 'ztunnels',
};
export const sailPath = (kind: string, name?: string): string =>
  `/apis/sailoperator.io/v1/${SAIL_PLURALS[kind]}${name ? `/${encodeURIComponent(name)}` : ''}`;

export const isNotFound = (err: unknown): boolean => err instanceof KubeError && err.code === 404;

export class KubeIO {
  private resources = new Map<string, ApiResource>();
  private discovered?: Promise<void>;

  constructor(readonly client: KubeClient) {}

  private async resource(apiVersion: string, kind: string, refresh = true): Promise<ApiResource | undefined> {
    const key = `${apiVersion}|${kind}`;
    if (!this.resources.has(key) && (refresh || !this.discovered)) {
      this.discovered = this.client.discover().then((list) => {
        this.resources = new Map(list.map((r) => [`${r.groupVersion}|${r.kind}`, r]));
      });
    }
    await this.discovered;
    return this.resources.get(key);
  }

  async pathOf(o: Obj, withName = true): Promise<string> {
    const r = await this.resource(o.apiVersion ?? '', o.kind ?? '');
    if (!r) throw new Error(`the server does not serve ${o.kind} (${o.apiVersion})`);
    return resourcePath(r, o.metadata.namespace, withName ? o.metadata.name : undefined);
  }

  /** Server-side apply with force, as the operator's field manager. */
  async apply<T = any>(o: Obj, subresource = ''): Promise<T> {
    const path = (await this.pathOf(o)) + subresource;
    return await this.client.request<T>(
      'PATCH',
      `${path}?fieldManager=${FIELD_MANAGER}&force=true`,
      o,
      'application/apply-patch+yaml',
    );
  }

  mergePatch<T = any>(path: string, patch: unknown): Promise<T> {
    return this.client.request<T>('PATCH', path, patch, 'application/merge-patch+json');
  }

  async delete(path: string): Promise<void> {
    try {
      await this.client.request('DELETE', path, { propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async list(path: string, labelSelector?: string): Promise<Obj[]> {
    const qs = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const l = await this.client.get<{ items?: Obj[] }>(path + qs);
    return l.items ?? [];
  }

  /** Every object carrying the owner-uid label, across the prunable kinds (and any extra ones). */
  async listOwned(uid: string, extraKinds: [string, string][] = []): Promise<Obj[]> {
    const kinds = new Map([...PRUNABLE, ...extraKinds].map(([v, k]) => [`${v}|${k}`, [v, k] as const]));
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${OWNER_UID_LABEL}=${uid}`;
    const out: Obj[] = [];
    for (const [apiVersion, kind] of kinds.values()) {
      const r = await this.resource(apiVersion, kind, false);
      if (!r) continue;
      const items = await this.list(resourcePath(r), selector);
      out.push(...items.map((i) => ({ ...i, apiVersion, kind })));
    }
    return out;
  }

  /**
   * Applies the rendered objects (labelled with the owner's uid) and deletes those the owner applied
   * before that this render no longer contains.
   */
  async sync(ownerUid: string, desired: Obj[]): Promise<void> {
    const labelled = desired.map((o) => ({
      ...o,
      metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), [OWNER_UID_LABEL]: ownerUid } },
    }));
    for (const o of labelled) await this.apply(o);
    await this.prune(ownerUid, desired);
  }

  async prune(ownerUid: string, desired: Obj[]): Promise<number> {
    const extra = desired.map((o) => [o.apiVersion ?? '', o.kind ?? ''] as [string, string]);
    const stale = objectsToPrune(await this.listOwned(ownerUid, extra), desired);
    for (const o of stale) await this.delete(await this.pathOf(o));
    return stale.length;
  }
}
