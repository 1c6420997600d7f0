// Informer-backed object caches shared by the controllers: one list+watch per resource, an index by
// namespace, and change notifications with the previous object (as client-go's shared informers).
import type { Informer, KubeClient } from '../kube/index.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type ChangeHandler = (type: ChangeType, obj: any, old?: any) => void;

export const objectKey = (o: any): string =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;

export const splitKey = (key: string): { namespace?: string; name: string } => {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
};

export class ObjectCache {
  private readonly byNs = new Map<string, Map<string, any>>();
  private readonly handlers: ChangeHandler[] = [];
  private informer?: Informer;
  readonly synced: Promise<void>;
  private markSynced!: () => void;

  constructor(
    private readonly client: KubeClient,
    readonly path: string,
    private readonly query: Record<string, string> = {},
  ) {
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  start(): this {
    this.informer = this.client.informer(
      this.path,
      {
        onSync: (items) => this.replace(items),
        onEvent: (type, o) => this.apply(type, o),
        onError: (err) => console.error(`cache ${this.path}:`, (err as Error).message),
      },
      this.query,
    );
    return this;
  }

  stop(): void {
    this.informer?.stop();
  }

  on(h: ChangeHandler): void {
    this.handlers.push(h);
  }

  get(namespace: string | undefined, name: string): any {
    return this.byNs.get(namespace ?? '')?.get(name);
  }

  getKey(key: string): any {
    const { namespace, name } = splitKey(key);
    return this.get(namespace, name);
  }

  list(namespace?: string): any[] {
    if (namespace !== undefined) return [...(this.byNs.get(namespace)?.values() ?? [])];
    const out: any[] = [];
    for (const m of this.byNs.values()) out.push(...m.values());
    return out;
  }

  /** Feeds objects directly; lets unit tests drive controllers without a server. */
  apply(type: ChangeType, o: any): void {
    const ns = o.metadata.namespace ?? '';
    let m = this.byNs.get(ns);
    const old = m?.get(o.metadata.name);
    if (type === 'DELETED') {
      if (!m?.delete(o.metadata.name)) return;
      if (m.size === 0) this.byNs.delete(ns);
      this.emit('DELETED', o, old);
      return;
    }
    // A write the controller already recorded may be newer than a lagging watch event.
    if (old && old.metadata.uid === o.metadata.uid && olderThan(o, old)) return;
    if (!m) this.byNs.set(ns, (m = new Map()));
    m.set(o.metadata.name, o);
    this.emit(old ? 'MODIFIED' : 'ADDED', o, old);
  }

  replace(items: any[]): void {
    const seen = new Set<string>();
    for (const o of items) {
      seen.add(objectKey(o));
      const old = this.get(o.metadata.namespace, o.metadata.name);
      if (!old || old.metadata.resourceVersion !== o.metadata.resourceVersion) this.apply('MODIFIED', o);
    }
    for (const o of this.list()) if (!seen.has(objectKey(o))) this.apply('DELETED', o);
    this.markSynced();
  }

  private emit(type: ChangeType, o: any, old?: any): void {
    for (const h of this.handlers) {
      try {
        h(type, o, old);
      } catch (err) {
        console.error(`cache ${this.path} handler:`, (err as Error).message);
      }
    }
  }
}

function olderThan(a: any, b: any): boolean {
  const x = a.metadata.resourceVersion;
  const y = b.metadata.resourceVersion;
  return /^\d+$/.test(x ?? '') && /^\d+$/.test(y ?? '') && BigInt(x) < BigInt(y);
}

/** The caches the controllers share, created lazily so only what is used is watched. */
export class Caches {
  private readonly caches = new Map<string, ObjectCache>();
  constructor(private readonly client: KubeClient) {}

  get(path: string, query: Record<string, string> = {}): ObjectCache {
    const k = `${path}?${new URLSearchParams(query).toString()}`;
    let c = this.caches.get(k);
    if (!c) this.caches.set(k, (c = new ObjectCache(this.client, path, query).start()));
    return c;
  }

  get pods(): ObjectCache {
    return this.get('/api/v1/pods');
  }
  get nodes(): ObjectCache {
    return this.get('/api/v1/nodes');
  }
  get services(): ObjectCache {
    return this.get('/api/v1/services');
  }
  get replicaSets(): ObjectCache {
    return this.get('/apis/apps/v1/replicasets');
  }
  get deployments(): ObjectCache {
    return this.get('/apis/apps/v1/deployments');
  }
  get daemonSets(): ObjectCache {
    return this.get('/apis/apps/v1/daemonsets');
  }
  get statefulSets(): ObjectCache {
    return this.get('/apis/apps/v1/statefulsets');
  }
  get controllerRevisions(): ObjectCache {
    return this.get('/apis/apps/v1/controllerrevisions');
  }

  stop(): void {
    for (const c of this.caches.values()) c.stop();
  }
}
