// Where DNS learns cluster state: informers on a Kubernetes API (embedded or real), or an
// in-memory source that tests and embedders feed directly. Both speak the informer protocol
// (a full set on sync, then ADDED/MODIFIED/DELETED), so the server code path is the same.
import type { InformerHandlers, KubeClient } from '../kube/index.js';
import type { DnsKind } from './cluster-state.js';

export interface DnsWatch {
  synced: Promise<void>;
  stop(): void;
}

export interface DnsSource {
  watch(kind: DnsKind, handlers: InformerHandlers): DnsWatch;
}

const PATHS: Record<DnsKind, string> = {
  services: '/api/v1/services',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
  pods: '/api/v1/pods',
};

/** Cluster-wide informers through a KubeClient. */
export function kubeDnsSource(client: KubeClient): DnsSource {
  return { watch: (kind, handlers) => client.informer(PATHS[kind], handlers) };
}

const KINDS: Record<string, DnsKind> = { Service: 'services', EndpointSlice: 'endpointslices', Pod: 'pods' };

const objKey = (o: any): string => `${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;

function kindOf(obj: any): DnsKind {
  const kind = KINDS[obj?.kind];
  if (!kind)
    throw new Error(`MemoryDnsSource holds Service, EndpointSlice and Pod objects, not ${obj?.kind}`);
  return kind;
}

/** An in-memory object store that behaves like an API server's informers. */
export class MemoryDnsSource implements DnsSource {
  private readonly objects: Record<DnsKind, Map<string, any>> = {
    services: new Map(),
    endpointslices: new Map(),
    pods: new Map(),
  };
  private readonly watchers = new Set<{ kind: DnsKind; handlers: InformerHandlers }>();

  /** Objects need `kind` ("Service", "EndpointSlice", "Pod") and metadata.namespace/name. */
  constructor(initial: any[] = []) {
    for (const o of initial) this.objects[kindOf(o)].set(objKey(o), structuredClone(o));
  }

  watch(kind: DnsKind, handlers: InformerHandlers): DnsWatch {
    const w = { kind, handlers };
    this.watchers.add(w);
    handlers.onSync?.([...this.objects[kind].values()].map((o) => structuredClone(o)));
    return { synced: Promise.resolve(), stop: () => void this.watchers.delete(w) };
  }

  /** Creates or replaces an object and tells the watchers. */
  apply(obj: any): void {
    const kind = kindOf(obj);
    const k = objKey(obj);
    const type = this.objects[kind].has(k) ? 'MODIFIED' : 'ADDED';
    this.objects[kind].set(k, structuredClone(obj));
    for (const w of this.watchers) if (w.kind === kind) w.handlers.onEvent?.(type, structuredClone(obj));
  }

  delete(obj: any): void {
    const kind = kindOf(obj);
    const old = this.objects[kind].get(objKey(obj));
    if (!old) return;
    this.objects[kind].delete(objKey(obj));
    for (const w of this.watchers) if (w.kind === kind) w.handlers.onEvent?.('DELETED', structuredClone(old));
  }
}
