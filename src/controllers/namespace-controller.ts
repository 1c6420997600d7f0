// Namespace lifecycle: a terminating namespace is emptied of every namespaced resource, then its
// `kubernetes` finalizer is removed through /finalize and the server deletes it. Active namespaces
// get their `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap.
import { KubeError, resourcePath, type Informer, type KubeClient } from '../kube/index.js';
import type { ResourceCatalog } from './resources.js';

const RETRY_MS = 500;

export class NamespaceController {
  private informers: Informer[] = [];
  private readonly busy = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly catalog: ResourceCatalog,
    private readonly caPem: string,
  ) {}

  start(): void {
    const onNs = (ns: any) => this.schedule(ns.metadata.name, 0);
    this.informers.push(
      this.client.informer('/api/v1/namespaces', {
        onSync: (items) => items.forEach(onNs),
        onEvent: (t, ns) => t !== 'DELETED' && onNs(ns),
      }),
      this.client.informer(
        '/api/v1/serviceaccounts',
        { onEvent: (t, o) => t === 'DELETED' && this.schedule(o.metadata.namespace, 0) },
        { fieldSelector: 'metadata.name=default' },
      ),
      this.client.informer(
        '/api/v1/configmaps',
        { onEvent: (t, o) => t !== 'ADDED' && this.schedule(o.metadata.namespace, 0) },
        { fieldSelector: 'metadata.name=kube-root-ca.crt' },
      ),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const i of this.informers) i.stop();
    for (const t of this.timers.values()) clearTimeout(t);
  }

  private schedule(name: string, delay: number): void {
    if (this.stopped || this.timers.has(name)) return;
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        void this.sync(name);
      }, delay),
    );
  }

  private async sync(name: string): Promise<void> {
    if (this.busy.has(name)) return this.schedule(name, RETRY_MS);
    this.busy.add(name);
    try {
      const ns = await this.client.find(`/api/v1/namespaces/${name}`);
      if (!ns) return;
      if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
        if (!(await this.finalize(ns))) this.schedule(name, RETRY_MS);
      } else {
        await this.ensureDefaults(name);
      }
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 404))
        console.error(`namespace controller: ${name}:`, (err as Error).message);
      this.schedule(name, RETRY_MS * 2);
    } finally {
      this.busy.delete(name);
    }
  }

  /** Deletes the namespace's content; true once it is empty and the finalizer is gone. */
  private async finalize(ns: any): Promise<boolean> {
    const name = ns.metadata.name;
    const resources = this.catalog.all.filter(
      (r) => r.namespaced && r.verbs.includes('deletecollection') && r.verbs.includes('list'),
    );
    let remaining = 0;
    await Promise.all(
      resources.map(async (r) => {
        const path = resourcePath(r, name);
        try {
          const list = await this.client.get<any>(path);
          if ((list.items ?? []).length === 0) return;
          remaining += list.items.length;
          await this.client.request('DELETE', `${path}?propagationPolicy=Background`);
        } catch (err) {
          if (!(err instanceof KubeError && (err.code === 404 || err.code === 405))) throw err;
        }
      }),
    );
    if (remaining > 0) return false;
    const finalizers = (ns.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes');
    if ((ns.spec?.finalizers ?? []).length !== finalizers.length) {
      await this.client.request('PUT', `/api/v1/namespaces/${name}/finalize`, {
        ...ns,
        spec: { ...ns.spec, finalizers },
      });
    }
    return true;
  }

  private async ensureDefaults(ns: string): Promise<void> {
    const create = async (path: string, obj: unknown) => {
      try {
        await this.client.request('POST', path, obj);
      } catch (err) {
        if (!(err instanceof KubeError && (err.code === 409 || err.code === 403))) throw err;
      }
    };
    if (!(await this.client.find(`/api/v1/namespaces/${ns}/serviceaccounts/default`)))
      await create(`/api/v1/namespaces/${ns}/serviceaccounts`, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default' },
      });
    const cm = await this.client.find(`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`);
    if (!cm) {
      await create(`/api/v1/namespaces/${ns}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'kube-root-ca.crt',
          annotations: {
            'kubernetes.io/description':
              'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
          },
        },
        data: { 'ca.crt': this.caPem },
      });
    } else if (cm.data?.['ca.crt'] !== this.caPem) {
      await this.client.request(
        'PATCH',
        `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`,
        { data: { 'ca.crt': this.caPem } },
        'application/merge-patch+json',
      );
    }
  }
}
