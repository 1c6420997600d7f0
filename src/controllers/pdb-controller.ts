// PodDisruptionBudget status controller: healthy and expected pods, disruptions allowed.
import type { KubeClient } from '../kube/index.js';
import { sameJson, updateStatus } from './api.js';
import { objectKey, type Caches, type ObjectCache } from './cache.js';
import { selectorMatches } from './labels.js';
import { pdbStatus } from './pdb-logic.js';
import { controllerRef, isTerminal } from './pods.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

export class PdbController {
  readonly queue: WorkQueue;
  private readonly pdbs: ObjectCache;
  private readonly pods: ObjectCache;

  constructor(
    private readonly client: KubeClient,
    private readonly caches: Caches,
    private readonly now: () => number = Date.now,
  ) {
    this.pdbs = caches.get('/apis/policy/v1/poddisruptionbudgets');
    this.pods = caches.pods;
    this.queue = new WorkQueue('disruption', (k) => this.sync(k), {
      workers: 2,
      ready: Promise.all([
        this.pdbs.synced,
        this.pods.synced,
        caches.replicaSets.synced,
        caches.deployments.synced,
        caches.statefulSets.synced,
      ]),
      onError: (k, e) => console.error(`disruption controller: ${k}:`, (e as Error).message),
    });
    this.pdbs.on((t, p) => t !== 'DELETED' && this.queue.add(objectKey(p)));
    this.pods.on((_t, p, old) => {
      for (const b of this.pdbs.list(p.metadata.namespace))
        if (
          selectorMatches(b.spec?.selector, p.metadata.labels) ||
          (old && selectorMatches(b.spec?.selector, old.metadata.labels))
        )
          this.queue.add(objectKey(b));
    });
  }

  stop(): void {
    this.queue.stop();
  }

  /** Replicas of each controller behind the pods (Deployment via its ReplicaSet, StatefulSet, ReplicaSet). */
  private controllerScale(pods: any[]): Map<string, number> | undefined {
    const out = new Map<string, number>();
    for (const p of pods) {
      const ref = controllerRef(p);
      if (!ref) return undefined;
      const ns = p.metadata.namespace;
      if (ref.kind === 'ReplicaSet') {
        const rs = this.caches.replicaSets.get(ns, ref.name);
        if (!rs) return undefined;
        const dref = controllerRef(rs);
        const d = dref?.kind === 'Deployment' ? this.caches.deployments.get(ns, dref.name) : undefined;
        if (d) out.set(d.metadata.uid, d.spec?.replicas ?? 1);
        else out.set(rs.metadata.uid, rs.spec?.replicas ?? 1);
      } else if (ref.kind === 'StatefulSet') {
        const s = this.caches.statefulSets.get(ns, ref.name);
        if (!s) return undefined;
        out.set(s.metadata.uid, s.spec?.replicas ?? 1);
      } else return undefined;
    }
    return out;
  }

  async sync(key: string): Promise<SyncResult> {
    const pdb = this.pdbs.getKey(key);
    if (!pdb) return;
    const pods = this.pods
      .list(pdb.metadata.namespace)
      .filter((p) => !isTerminal(p) && selectorMatches(pdb.spec?.selector, p.metadata.labels));
    const status = pdbStatus(pdb, pods, this.controllerScale(pods), this.now());
    if (!sameJson(pdb.status ?? {}, status))
      await updateStatus(
        this.client,
        `/apis/policy/v1/namespaces/${pdb.metadata.namespace}/poddisruptionbudgets/${pdb.metadata.name}`,
        pdb,
        status,
      );
  }
}
