// Keeps ConfigMap `istio-ca-root-cert` (key root-cert.pem) in every selected namespace, as upstream's
// namespace controller does: written when a namespace appears or starts to match the discovery
// selectors, repaired when edited or deleted, rewritten when the root changes. Like upstream it never
// deletes a ConfigMap from a namespace that stops matching.
import type { Informer, KubeClient } from '../../kube/index.js';
import { KubeError } from '../../kube/index.js';
import { type LabelSelector, wantsRootCert } from './namespace-selection.js';

export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
export const ROOT_CERT_KEY = 'root-cert.pem';
const CONFIG_LABEL = 'istio.io/config';

export function rootCertConfigMap(namespace: string, rootCertPem: string): any {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ROOT_CERT_CONFIGMAP, namespace, labels: { [CONFIG_LABEL]: 'true' } },
    data: { [ROOT_CERT_KEY]: rootCertPem },
  };
}

export interface RootCertPublisherOptions {
  client: Pick<KubeClient, 'find' | 'request' | 'informer'>;
  rootCertPem: string;
  discoverySelectors?: LabelSelector[];
  log?: (msg: string) => void;
}

export class RootCertPublisher {
  private rootCertPem: string;
  private selectors: LabelSelector[] | undefined;
  private readonly namespaces = new Map<string, { labels?: Record<string, string>; terminating: boolean }>();
  private readonly pending = new Set<string>();
  private running = false;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private readonly informers: Informer[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Resolves once both informers have listed. */
  readonly synced: Promise<void>;

  constructor(private readonly opts: RootCertPublisherOptions) {
    this.rootCertPem = opts.rootCertPem;
    this.selectors = opts.discoverySelectors;
    const nsInformer = opts.client.informer('/api/v1/namespaces', {
      onSync: (items) => {
        this.namespaces.clear();
        for (const ns of items) this.remember(ns);
        this.enqueueAll();
      },
      onEvent: (type, ns) => {
        const name = ns?.metadata?.name;
        if (!name) return;
        if (type === 'DELETED') this.namespaces.delete(name);
        else {
          this.remember(ns);
          this.enqueue(name);
        }
      },
      onError: (err) => opts.log?.(`root cert publisher: namespace watch: ${String(err)}`),
    });
    const cmInformer = opts.client.informer(
      '/api/v1/configmaps',
      {
        onEvent: (_type, cm) => {
          const ns = cm?.metadata?.namespace;
          if (ns && cm?.metadata?.name === ROOT_CERT_CONFIGMAP) this.enqueue(ns);
        },
        onError: (err) => opts.log?.(`root cert publisher: configmap watch: ${String(err)}`),
      },
      { fieldSelector: `metadata.name=${ROOT_CERT_CONFIGMAP}` },
    );
    this.informers.push(nsInformer, cmInformer);
    this.synced = Promise.all([nsInformer.synced, cmInformer.synced]).then(() => undefined);
  }

  setRootCert(pem: string): void {
    if (pem === this.rootCertPem) return;
    this.rootCertPem = pem;
    this.enqueueAll();
  }

  setDiscoverySelectors(selectors: LabelSelector[] | undefined): void {
    this.selectors = selectors;
    this.enqueueAll();
  }

  /** Resolves when no namespace is waiting to be reconciled (for tests and start-up ordering). */
  idle(): Promise<void> {
    if (!this.running && this.pending.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    for (const i of this.informers) i.stop();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private remember(ns: any): void {
    this.namespaces.set(ns.metadata.name, {
      labels: ns.metadata.labels ?? {},
      terminating: !!ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating',
    });
  }

  private enqueueAll(): void {
    for (const name of this.namespaces.keys()) this.pending.add(name);
    void this.drain();
  }

  private enqueue(name: string): void {
    this.pending.add(name);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const failed: string[] = [];
    try {
      while (this.pending.size > 0 && !this.stopped) {
        const name = this.pending.values().next().value as string;
        this.pending.delete(name);
        try {
          await this.reconcile(name);
        } catch (err) {
          this.opts.log?.(`root cert publisher: namespace ${name}: ${(err as Error).message}`);
          failed.push(name);
        }
      }
    } finally {
      this.running = false;
    }
    if (failed.length && !this.stopped) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        for (const n of failed) this.pending.add(n);
        void this.drain();
      }, 1000);
    } else if (this.pending.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async reconcile(name: string): Promise<void> {
    const ns = this.namespaces.get(name);
    if (!ns || ns.terminating || !wantsRootCert({ name, labels: ns.labels }, this.selectors)) return;
    const base = `/api/v1/namespaces/${encodeURIComponent(name)}/configmaps`;
    const existing = await this.opts.client.find<any>(`${base}/${ROOT_CERT_CONFIGMAP}`);
    const want = rootCertConfigMap(name, this.rootCertPem);
    try {
      if (!existing) {
        await this.opts.client.request('POST', base, want);
        return;
      }
      if (
        existing.data?.[ROOT_CERT_KEY] === this.rootCertPem &&
        existing.metadata?.labels?.[CONFIG_LABEL] === 'true'
      )
        return;
      await this.opts.client.request('PUT', `${base}/${ROOT_CERT_CONFIGMAP}`, {
        ...existing,
        metadata: { ...existing.metadata, labels: { ...existing.metadata?.labels, [CONFIG_LABEL]: 'true' } },
        data: { ...existing.data, [ROOT_CERT_KEY]: this.rootCertPem },
      });
    } catch (err) {
      // A namespace being deleted refuses new objects; its watch event will drop it from the map.
      if (err instanceof KubeError && err.code === 403 && /terminat/i.test(err.message)) return;
      throw err;
    }
  }
}
