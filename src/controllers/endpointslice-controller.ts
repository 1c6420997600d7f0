// EndpointSlice controller: for each Service with a selector, the slices of its pods (named
// `<service>-<random5>`, labelled with the service name and this controller as manager, owned by
// the Service). Endpoints controller: the legacy Endpoints object named after the Service.
import type { KubeClient } from '../kube/index.js';
import { deleteIgnoringMissing, sameJson } from './api.js';
import { objectKey, type Caches, type ObjectCache } from './cache.js';
import * as E from './endpoints-logic.js';
import { mapMatches } from './labels.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

/** Queues the Services a pod change concerns (old and new labels both count). */
function watchServicePods(
  services: ObjectCache,
  pods: ObjectCache,
  queue: WorkQueue,
  relevant: (p: any, old: any) => boolean,
): void {
  services.on((_t, s) => queue.add(objectKey(s)));
  pods.on((_t, p, old) => {
    if (old && !relevant(p, old)) return;
    for (const s of services.list(p.metadata.namespace)) {
      if (!E.hasSelector(s)) continue;
      if (
        mapMatches(s.spec.selector, p.metadata.labels) ||
        (old && mapMatches(s.spec.selector, old.metadata.labels))
      )
        queue.add(objectKey(s));
    }
  });
}

/** Only what ends up in an endpoint matters; status churn from probes and restarts does not. */
function endpointFacts(p: any): string {
  return JSON.stringify([
    p.metadata.labels,
    p.metadata.deletionTimestamp ? 1 : 0,
    p.status?.podIP,
    p.status?.podIPs,
    p.status?.phase,
    (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status,
    p.spec?.nodeName,
    p.spec?.hostname,
    p.spec?.subdomain,
  ]);
}

export class EndpointSliceController {
  readonly queue: WorkQueue;
  private readonly services: ObjectCache;
  private readonly pods: ObjectCache;
  private readonly nodes: ObjectCache;
  private readonly slices: ObjectCache;

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
  ) {
    this.services = caches.services;
    this.pods = caches.pods;
    this.nodes = caches.nodes;
    this.slices = caches.get('/apis/discovery.k8s.io/v1/endpointslices', {
      labelSelector: `${E.MANAGED_BY_LABEL}=${E.SLICE_CONTROLLER}`,
    });
    this.queue = new WorkQueue('endpointslice', (k) => this.sync(k), {
      ready: Promise.all([this.services.synced, this.pods.synced, this.nodes.synced, this.slices.synced]),
      onError: (k, e) => console.error(`endpointslice controller: ${k}:`, (e as Error).message),
    });
    watchServicePods(
      this.services,
      this.pods,
      this.queue,
      (p, old) => endpointFacts(p) !== endpointFacts(old),
    );
    this.slices.on((_t, s) => {
      const svc = s.metadata.labels?.[E.SERVICE_NAME_LABEL];
      if (svc) this.queue.add(`${s.metadata.namespace}/${svc}`);
    });
    this.nodes.on((t, n, old) => {
      if (
        t === 'MODIFIED' &&
        old?.metadata.labels?.['topology.kubernetes.io/zone'] ===
          n.metadata.labels?.['topology.kubernetes.io/zone']
      )
        return;
      for (const s of this.services.list()) if (E.hasSelector(s)) this.queue.add(objectKey(s));
    });
  }

  stop(): void {
    this.queue.stop();
  }

  async sync(key: string): Promise<SyncResult> {
    const [ns, name] = key.split('/');
    const svc = this.services.get(ns, name);
    const existing = this.slices.list(ns).filter((s) => s.metadata.labels?.[E.SERVICE_NAME_LABEL] === name);
    if (!svc || !E.hasSelector(svc) || svc.metadata.deletionTimestamp) {
      // Without a selector the user manages the slices; ours go (the garbage collector would too).
      for (const s of existing)
        await deleteIgnoringMissing(this.client, slicePath(ns, s.metadata.name), s.metadata.uid);
      return;
    }
    const nodes = new Map(this.nodes.list().map((n) => [n.metadata.name, n]));
    const desired = E.desiredSlices(svc, this.pods.list(ns), nodes);
    const owned = existing.filter((s) =>
      (s.metadata.ownerReferences ?? []).some((r: any) => r.uid === svc.metadata.uid),
    );
    for (const s of existing)
      if (!owned.includes(s))
        await deleteIgnoringMissing(this.client, slicePath(ns, s.metadata.name), s.metadata.uid);
    const changes = E.reconcileSlices(svc, owned, desired);
    // Writes go into the cache at once so a sync before the watch catches up never duplicates a slice.
    for (const u of changes.update)
      this.slices.apply(
        'MODIFIED',
        await this.client.request(
          'PUT',
          slicePath(ns, u.slice.metadata.name),
          E.buildSlice(svc, u.desired, u.slice),
        ),
      );
    for (const d of changes.create)
      this.slices.apply('ADDED', await this.client.request('POST', slicePath(ns), E.buildSlice(svc, d)));
    for (const s of changes.delete) {
      await deleteIgnoringMissing(this.client, slicePath(ns, s.metadata.name), s.metadata.uid);
      this.slices.apply('DELETED', s);
    }
  }
}

const slicePath = (ns: string, name = '') =>
  `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices${name ? `/${name}` : ''}`;
const epPath = (ns: string, name = '') => `/api/v1/namespaces/${ns}/endpoints${name ? `/${name}` : ''}`;

export class EndpointsController {
  readonly queue: WorkQueue;
  private readonly services: ObjectCache;
  private readonly pods: ObjectCache;
  private readonly endpoints: ObjectCache;

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
  ) {
    this.services = caches.services;
    this.pods = caches.pods;
    this.endpoints = caches.get('/api/v1/endpoints');
    this.queue = new WorkQueue('endpoints', (k) => this.sync(k), {
      ready: Promise.all([this.services.synced, this.pods.synced, this.endpoints.synced]),
      onError: (k, e) => console.error(`endpoints controller: ${k}:`, (e as Error).message),
    });
    watchServicePods(
      this.services,
      this.pods,
      this.queue,
      (p, old) => endpointFacts(p) !== endpointFacts(old),
    );
    this.services.on((t, s) => t === 'DELETED' && this.queue.add(objectKey(s)));
    this.endpoints.on((t, e) => t !== 'ADDED' && this.queue.add(objectKey(e)));
  }

  stop(): void {
    this.queue.stop();
  }

  async sync(key: string): Promise<SyncResult> {
    const [ns, name] = key.split('/');
    const svc = this.services.get(ns, name);
    const cur = this.endpoints.get(ns, name);
    if (!svc) {
      // Only the endpoints this controller made (skip-mirror) are removed with their Service.
      if (cur && cur.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'] === 'true')
        await deleteIgnoringMissing(this.client, epPath(ns, name), cur.metadata.uid);
      return;
    }
    if (!E.hasSelector(svc)) return;
    const subsets = E.endpointSubsets(svc, this.pods.list(ns));
    const labels = E.endpointsLabels(svc);
    if (cur && sameJson(cur.subsets ?? [], subsets) && sameJson(cur.metadata.labels ?? {}, labels)) return;
    const body: any = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name,
        namespace: ns,
        labels,
        annotations: {
          ...(cur?.metadata.annotations ?? {}),
          'endpoints.kubernetes.io/last-change-trigger-time': new Date()
            .toISOString()
            .replace(/\.\d+Z$/, 'Z'),
        },
        ...(cur ? { resourceVersion: cur.metadata.resourceVersion } : {}),
      },
      subsets,
    };
    // A 409 means the cache is behind: the queue retries once it has caught up.
    const written = cur
      ? await this.client.request('PUT', epPath(ns, name), body)
      : await this.client.request('POST', epPath(ns), body);
    this.endpoints.apply(cur ? 'MODIFIED' : 'ADDED', written);
  }
}
