// Garbage collection by owner references, as kube-controller-manager does it: dependents whose
// owners are all gone are deleted; foreground deletion waits for dependents; orphan deletion strips
// the owner references first.
import { KubeError, resourcePath, type ApiResource, type Informer, type KubeClient } from '../kube/index.js';
import type { ResourceCatalog } from './resources.js';

interface Node {
  uid: string;
  res: ApiResource;
  ns?: string;
  name: string;
  rv: string;
  owners: { uid: string; apiVersion: string; kind: string; name: string; blockOwnerDeletion?: boolean }[];
  finalizers: string[];
  deleting: boolean;
}

const key = (r: ApiResource): string => `${r.groupVersion}/${r.plural}`;

export class GarbageCollector {
  private readonly nodes = new Map<string, Node>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly informers = new Map<string, Informer>();
  private readonly dirty = new Set<string>();
  private readonly goneDirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly catalog: ResourceCatalog,
  ) {}

  start(): void {
    this.catalog.onChange((all) => this.watchAll(all));
    this.watchAll(this.catalog.all);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const i of this.informers.values()) i.stop();
  }

  private watchAll(all: ApiResource[]): void {
    const wanted = new Map(
      all
        .filter((r) => ['list', 'watch', 'delete', 'patch'].every((v) => r.verbs.includes(v)))
        .map((r) => [key(r), r]),
    );
    for (const [k, inf] of this.informers) {
      if (wanted.has(k)) continue;
      inf.stop();
      this.informers.delete(k);
    }
    for (const [k, r] of wanted) {
      if (this.informers.has(k)) continue;
      this.informers.set(
        k,
        this.client.informer(resourcePath(r), {
          onSync: (items) => {
            for (const n of [...this.nodes.values()]) if (n.res === r || key(n.res) === k) this.remove(n.uid);
            for (const o of items) this.upsert(r, o);
          },
          onEvent: (type, o) => (type === 'DELETED' ? this.remove(o.metadata.uid) : this.upsert(r, o)),
          onError: (err) => {
            if (!(err instanceof KubeError && err.code === 404))
              console.error(`garbage collector: watching ${k}:`, (err as Error).message);
          },
        }),
      );
    }
  }

  private upsert(res: ApiResource, o: any): void {
    const m = o.metadata;
    const prev = this.nodes.get(m.uid);
    if (prev) for (const ow of prev.owners) this.dependents.get(ow.uid)?.delete(m.uid);
    const node: Node = {
      uid: m.uid,
      res,
      ns: m.namespace,
      name: m.name,
      rv: m.resourceVersion,
      owners: (m.ownerReferences ?? []).map((r: any) => ({
        uid: r.uid,
        apiVersion: r.apiVersion,
        kind: r.kind,
        name: r.name,
        blockOwnerDeletion: r.blockOwnerDeletion,
      })),
      finalizers: m.finalizers ?? [],
      deleting: !!m.deletionTimestamp,
    };
    this.nodes.set(m.uid, node);
    for (const ow of node.owners) {
      let set = this.dependents.get(ow.uid);
      if (!set) this.dependents.set(ow.uid, (set = new Set()));
      set.add(m.uid);
      this.mark(ow.uid);
    }
    this.mark(m.uid);
  }

  private remove(uid: string): void {
    const n = this.nodes.get(uid);
    if (!n) return;
    this.nodes.delete(uid);
    for (const ow of n.owners) {
      this.dependents.get(ow.uid)?.delete(uid);
      this.mark(ow.uid);
    }
    for (const d of this.dependents.get(uid) ?? []) this.mark(d);
  }

  private mark(uid: string): void {
    this.dirty.add(uid);
    if (!this.timer && !this.stopped) this.timer = setTimeout(() => void this.sweep(), 20);
  }

  private async sweep(): Promise<void> {
    this.timer = undefined;
    if (this.running) {
      this.timer = setTimeout(() => void this.sweep(), 50);
      return;
    }
    this.running = true;
    try {
      await Promise.all([...this.informers.values()].map((i) => i.synced));
      const batch = [...this.dirty];
      this.dirty.clear();
      for (const uid of batch) {
        try {
          await this.process(uid);
        } catch (err) {
          if (!(err instanceof KubeError && (err.code === 404 || err.code === 409))) {
            console.error('garbage collector:', (err as Error).message);
            this.goneDirty.add(uid);
          } else this.dirty.add(uid);
        }
      }
      for (const uid of this.goneDirty) this.dirty.add(uid);
      this.goneDirty.clear();
    } finally {
      this.running = false;
      if (this.dirty.size > 0 && !this.stopped) this.timer = setTimeout(() => void this.sweep(), 200);
    }
  }

  private async process(uid: string): Promise<void> {
    const n = this.nodes.get(uid);
    if (!n) return;
    if (n.deleting && n.finalizers.includes('orphan')) {
      for (const d of this.dependentNodes(uid)) await this.dropOwner(d, uid);
      await this.removeFinalizer(n, 'orphan');
      return;
    }
    if (n.deleting && n.finalizers.includes('foregroundDeletion')) {
      const deps = this.dependentNodes(uid);
      for (const d of deps) if (!d.deleting) await this.deleteNode(d, 'Foreground');
      if (!deps.some((d) => d.owners.some((o) => o.uid === uid && o.blockOwnerDeletion)))
        await this.removeFinalizer(n, 'foregroundDeletion');
      return;
    }
    if (n.owners.length === 0 || n.deleting) return;
    const absent: string[] = [];
    for (const ow of n.owners) {
      if (this.nodes.has(ow.uid)) continue;
      if (!(await this.ownerExists(n, ow))) absent.push(ow.uid);
    }
    if (absent.length === n.owners.length) await this.deleteNode(n, 'Background');
    else if (absent.length > 0) for (const a of absent) await this.dropOwner(n, a);
  }

  private dependentNodes(uid: string): Node[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.nodes.get(d)).filter((d): d is Node => !!d);
  }

  /** Asks the server directly: the index may lag, and deleting a live object's dependents is not undoable. */
  private async ownerExists(dependent: Node, ow: Node['owners'][number]): Promise<boolean> {
    const r = this.catalog.byKind(ow.apiVersion, ow.kind);
    if (!r) return true; // unknown kind: never delete on a guess
    const live = await this.client.find(resourcePath(r, r.namespaced ? dependent.ns : undefined, ow.name));
    return !!live && live.metadata?.uid === ow.uid;
  }

  private async deleteNode(n: Node, policy: 'Background' | 'Foreground'): Promise<void> {
    await this.client.request('DELETE', resourcePath(n.res, n.ns, n.name), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: policy,
      preconditions: { uid: n.uid },
    });
  }

  private async dropOwner(n: Node, ownerUid: string): Promise<void> {
    const live = await this.client.find(resourcePath(n.res, n.ns, n.name));
    if (!live || live.metadata.uid !== n.uid) return;
    const refs = (live.metadata.ownerReferences ?? []).filter((r: any) => r.uid !== ownerUid);
    await this.client.request(
      'PATCH',
      resourcePath(n.res, n.ns, n.name),
      [
        { op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion },
        refs.length > 0
          ? { op: 'replace', path: '/metadata/ownerReferences', value: refs }
          : { op: 'remove', path: '/metadata/ownerReferences' },
      ],
      'application/json-patch+json',
    );
  }

  private async removeFinalizer(n: Node, finalizer: string): Promise<void> {
    const live = await this.client.find(resourcePath(n.res, n.ns, n.name));
    if (!live || live.metadata.uid !== n.uid) return;
    const left = (live.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
    if (left.length === (live.metadata.finalizers ?? []).length) return;
    await this.client.request(
      'PATCH',
      resourcePath(n.res, n.ns, n.name),
      [
        { op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion },
        { op: 'replace', path: '/metadata/finalizers', value: left },
      ],
      'application/json-patch+json',
    );
  }
}
