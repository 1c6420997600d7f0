// LoadBalancer IP controller: gives each Service of type LoadBalancer an address from the pool in
// status.loadBalancer.ingress (the service rules then DNAT it), takes it back when the Service goes or
// changes type. The pool is the one the controllers were started with, else the `range` key of the
// ConfigMap kube-system/mizzen-loadbalancer, followed as it changes.
import { KubeError, type KubeClient } from '../kube/index.js';
import { updateStatus } from './api.js';
import { objectKey, type Caches, type ObjectCache } from './cache.js';
import type { Recorder } from './events.js';
import {
  AddressAllocator,
  POOL_CONFIGMAP,
  loadBalancerStatus,
  parsePool,
  statusMatches,
  wantsAddress,
} from './loadbalancer-logic.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

/** The queue key that (re)reads the pool; Service keys always hold a '/'. */
const POOL_KEY = 'pool';

export class LoadBalancerController {
  readonly queue: WorkQueue;
  private readonly services: ObjectCache;
  private readonly configMaps?: ObjectCache;
  private allocator?: AddressAllocator;
  /** The pool text last acted on; null before the first read. */
  private poolText: string | undefined | null = null;

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
    private readonly recorder: Recorder,
    private readonly fixedPool?: string,
  ) {
    this.services = caches.services;
    if (fixedPool === undefined)
      this.configMaps = caches.get(`/api/v1/namespaces/${POOL_CONFIGMAP.namespace}/configmaps`, {
        fieldSelector: `metadata.name=${POOL_CONFIGMAP.name}`,
      });
    // One worker: allocation decisions and pool changes then never interleave with a write.
    this.queue = new WorkQueue('service-lb-controller', (k) => this.sync(k), {
      workers: 1,
      ready: Promise.all([this.services.synced, this.configMaps?.synced]),
      onError: (k, e) => console.error(`loadbalancer controller: ${k}:`, (e as Error).message),
    });
    this.queue.add(POOL_KEY);
    this.services.on((t, s, old) => {
      if (t === 'MODIFIED' && !relevantChange(s, old)) return;
      this.queue.add(objectKey(s));
    });
    this.configMaps?.on(() => this.queue.add(POOL_KEY));
  }

  stop(): void {
    this.queue.stop();
  }

  private currentPoolText(): string | undefined {
    if (this.fixedPool !== undefined) return this.fixedPool;
    const cm = this.configMaps?.get(POOL_CONFIGMAP.namespace, POOL_CONFIGMAP.name);
    const range = cm?.data?.[POOL_CONFIGMAP.key];
    return typeof range === 'string' && range.trim() ? range.trim() : undefined;
  }

  async sync(key: string): Promise<SyncResult> {
    if (key === POOL_KEY) return this.syncPool();
    const svc = this.services.getKey(key);
    if (!this.allocator) {
      // Without a pool no address is given, but a Service that stopped being a LoadBalancer still
      // loses the one it shows.
      if (svc && svc.spec?.type !== 'LoadBalancer' && !statusMatches(svc, undefined))
        await this.writeStatus(svc, undefined);
      return;
    }
    const had = this.allocator.ipOf(key);
    const d = this.allocator.sync(key, svc);
    if (had && had !== this.allocator.ipOf(key)) this.retryWaiting();
    if (!svc || d.kind === 'ignore') return;
    if (d.kind === 'clear' || d.kind === 'fail') {
      if (d.kind === 'fail') this.recorder.event(svc, 'Warning', 'AllocationFailed', d.message);
      if (!statusMatches(svc, undefined)) await this.writeStatus(svc, undefined);
      return;
    }
    if (statusMatches(svc, d.ip)) return;
    await this.writeStatus(svc, d.ip);
    this.recorder.event(svc, 'Normal', 'IPAllocated', `Assigned IP ["${d.ip}"]`);
  }

  /** Starts over from the Services' statuses whenever the pool is set or changes. */
  private syncPool(): SyncResult {
    const text = this.currentPoolText();
    if (text === this.poolText) return;
    this.poolText = text;
    this.allocator = undefined;
    if (text === undefined) {
      console.error(
        `loadbalancer controller: no pool (set key ${POOL_CONFIGMAP.key} of ConfigMap ` +
          `${POOL_CONFIGMAP.namespace}/${POOL_CONFIGMAP.name}); LoadBalancer services get no address`,
      );
      return;
    }
    try {
      this.allocator = AddressAllocator.rebuild(parsePool(text), this.services.list());
    } catch (err) {
      console.error(`loadbalancer controller: ${(err as Error).message}`);
      return;
    }
    for (const s of this.services.list()) this.queue.add(objectKey(s));
  }

  /** Services still waiting for an address try again once one was freed. */
  private retryWaiting(): void {
    for (const s of this.services.list())
      if (wantsAddress(s) && !this.allocator?.ipOf(objectKey(s))) this.queue.add(objectKey(s));
  }

  private async writeStatus(svc: any, ip: string | undefined): Promise<void> {
    const path = `/api/v1/namespaces/${svc.metadata.namespace}/services/${svc.metadata.name}`;
    try {
      const written = await updateStatus(this.client, path, svc, {
        ...(svc.status ?? {}),
        loadBalancer: loadBalancerStatus(ip),
      });
      this.services.apply('MODIFIED', written);
    } catch (err) {
      // Deleted meanwhile: its watch event releases the address.
      if (!(err instanceof KubeError && err.code === 404)) throw err;
    }
  }
}

/** Only what decides the address matters; endpoint churn does not touch Services anyway. */
function relevantChange(s: any, old: any): boolean {
  const facts = (o: any) =>
    JSON.stringify([
      o?.metadata?.uid,
      o?.spec?.type,
      o?.spec?.loadBalancerClass,
      o?.spec?.loadBalancerIP,
      o?.status?.loadBalancer,
    ]);
  return facts(s) !== facts(old);
}
