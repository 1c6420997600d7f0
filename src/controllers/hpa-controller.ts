// HorizontalPodAutoscaler controller (no metrics source yet): reads the target's scale every 15 s,
// keeps it within min/max, and writes status and conditions as upstream does without metrics.
import { KubeError, resourcePath, type KubeClient } from '../kube/index.js';
import { sameJson, updateStatus } from './api.js';
import { objectKey, type Caches, type ObjectCache } from './cache.js';
import type { Recorder } from './events.js';
import { decideHpa } from './hpa-logic.js';
import type { ResourceCatalog } from './resources.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

const RESYNC_MS = 15_000;

export class HpaController {
  readonly queue: WorkQueue;
  private readonly hpas: ObjectCache;

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
    private readonly catalog: ResourceCatalog,
    private readonly recorder: Recorder,
    private readonly now: () => number = Date.now,
  ) {
    this.hpas = caches.get('/apis/autoscaling/v2/horizontalpodautoscalers');
    this.queue = new WorkQueue('hpa', (k) => this.sync(k), {
      workers: 2,
      ready: this.hpas.synced,
      onError: (k, e) => console.error(`hpa controller: ${k}:`, (e as Error).message),
    });
    this.hpas.on((t, h, old) => {
      // Our own status writes do not need another pass before the resync.
      if (t === 'MODIFIED' && old && sameJson(h.spec, old.spec)) return;
      if (t !== 'DELETED') this.queue.add(objectKey(h));
    });
  }

  stop(): void {
    this.queue.stop();
  }

  async sync(key: string): Promise<SyncResult> {
    const hpa = this.hpas.getKey(key);
    if (!hpa) return;
    const ns = hpa.metadata.namespace;
    const ref = hpa.spec?.scaleTargetRef ?? {};
    let scale: any;
    let err: string | undefined;
    const res = this.catalog.byKind(ref.apiVersion ?? '', ref.kind ?? '');
    const scalePath = res ? `${resourcePath(res, ns, ref.name)}/scale` : undefined;
    if (!scalePath)
      err = `no matches for kind "${ref.kind}" in group "${(ref.apiVersion ?? '').split('/').slice(0, -1).join('/')}"`;
    else {
      try {
        scale = await this.client.get(scalePath);
      } catch (e) {
        err = e instanceof KubeError ? e.message : String(e);
      }
    }
    const d = decideHpa(hpa, scale, err, this.now());
    if (d.rescaleTo !== undefined && scalePath) {
      await this.client.request(
        'PATCH',
        scalePath,
        { spec: { replicas: d.rescaleTo } },
        'application/merge-patch+json',
      );
      d.status.currentReplicas = scale.spec?.replicas ?? 0;
    }
    for (const e of d.events) this.recorder.event(hpa, e.type, e.reason, e.message);
    if (!sameJson(hpa.status ?? {}, d.status))
      await updateStatus(
        this.client,
        `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${hpa.metadata.name}`,
        hpa,
        d.status,
      );
    return { requeueAfterMs: RESYNC_MS };
  }
}
