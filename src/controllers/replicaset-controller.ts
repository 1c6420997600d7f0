// ReplicaSet controller: keeps spec.replicas active pods from the template (generateName
// `<rs>-`, controller owner reference), adopts matching orphans, deletes surplus pods in
// upstream's preference order, and reports status.
import type { KubeClient } from '../kube/index.js';
import { deleteIgnoringMissing, sameJson, updateStatus } from './api.js';
import { objectKey, type Caches, type ObjectCache } from './cache.js';
import type { Recorder } from './events.js';
import { Expectations } from './expectations.js';
import { selectorIsEmpty, selectorMatches } from './labels.js';
import { adopt, release } from './ownership.js';
import { controllerRef, isActive, podFromTemplate } from './pods.js';
import { planReplicas, replicaSetStatus, slowStartBatches } from './replicaset-logic.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

const podsPath = (ns: string, name = '') => `/api/v1/namespaces/${ns}/pods${name ? `/${name}` : ''}`;

export class ReplicaSetController {
  readonly queue: WorkQueue;
  readonly expectations = new Expectations();
  private readonly replicaSets: ObjectCache;
  private readonly pods: ObjectCache;

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
    private readonly recorder: Recorder,
    private readonly now: () => number = Date.now,
  ) {
    this.replicaSets = caches.replicaSets;
    this.pods = caches.pods;
    this.queue = new WorkQueue('replicaset', (k) => this.sync(k), {
      ready: Promise.all([this.replicaSets.synced, this.pods.synced]),
      onError: (k, e) => console.error(`replicaset controller: ${k}:`, (e as Error).message),
    });
    this.replicaSets.on((t, rs) => {
      if (t === 'DELETED') this.expectations.delete(objectKey(rs));
      this.queue.add(objectKey(rs));
    });
    this.pods.on((t, p, old) => this.onPod(t, p, old));
  }

  stop(): void {
    this.queue.stop();
  }

  private onPod(t: string, p: any, old: any): void {
    const ns = p.metadata.namespace;
    const ref = controllerRef(p);
    const oldRef = old && controllerRef(old);
    if (ref?.kind === 'ReplicaSet') {
      const key = `${ns}/${ref.name}`;
      if (t === 'ADDED') this.expectations.creationObserved(key);
      if (t === 'DELETED' || (p.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp))
        this.expectations.deletionObserved(key, p.metadata.uid);
      this.queue.add(key);
    }
    if (oldRef?.kind === 'ReplicaSet' && oldRef.uid !== ref?.uid) this.queue.add(`${ns}/${oldRef.name}`);
    if (!ref && t !== 'DELETED')
      for (const rs of this.replicaSets.list(ns))
        if (!selectorIsEmpty(rs.spec?.selector) && selectorMatches(rs.spec?.selector, p.metadata.labels))
          this.queue.add(objectKey(rs));
  }

  async sync(key: string): Promise<SyncResult> {
    const rs = this.replicaSets.getKey(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const ns = rs.metadata.namespace;
    const pods = await this.claimPods(rs);
    const active = pods.filter(isActive);
    if (this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp)
      await this.manage(key, rs, active);
    const { status, recheckAfterMs } = replicaSetStatus(rs, pods, this.now());
    if (!sameJson(rs.status ?? {}, status))
      await updateStatus(
        this.client,
        `/apis/apps/v1/namespaces/${ns}/replicasets/${rs.metadata.name}`,
        rs,
        status,
      );
    return recheckAfterMs !== undefined ? { requeueAfterMs: recheckAfterMs } : undefined;
  }

  private async claimPods(rs: any): Promise<any[]> {
    const out: any[] = [];
    for (const p of this.pods.list(rs.metadata.namespace)) {
      const ref = controllerRef(p);
      const matches = selectorMatches(rs.spec.selector, p.metadata.labels);
      const path = podsPath(p.metadata.namespace, p.metadata.name);
      if (ref?.uid === rs.metadata.uid) {
        if (matches) out.push(p);
        else if (!p.metadata.deletionTimestamp) await release(this.client, path, p, rs.metadata.uid);
      } else if (
        !ref &&
        matches &&
        isActive(p) &&
        !rs.metadata.deletionTimestamp &&
        !selectorIsEmpty(rs.spec.selector)
      ) {
        const adopted = await adopt(this.client, path, p, {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: rs.metadata,
        });
        if (adopted) out.push(adopted);
      }
    }
    return out;
  }

  private async manage(key: string, rs: any, active: any[]): Promise<void> {
    const ns = rs.metadata.namespace;
    const plan = planReplicas(
      rs,
      active,
      this.pods.list(ns).filter((p) => isActive(p) && controllerRef(p)?.uid === rs.metadata.uid),
    );
    if (!plan) return;
    if ('create' in plan) {
      this.expectations.expectCreations(key, plan.create);
      let left = plan.create;
      for (const batch of slowStartBatches(plan.create)) {
        const results = await Promise.allSettled(
          Array.from({ length: batch }, () =>
            this.client.request('POST', podsPath(ns), podFromTemplate(rs.spec.template, rs)),
          ),
        );
        left -= batch;
        let failed = 0;
        for (const r of results) {
          if (r.status === 'fulfilled')
            this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
          else {
            failed++;
            this.expectations.creationObserved(key);
            this.recorder.event(
              rs,
              'Warning',
              'FailedCreate',
              `Error creating: ${(r.reason as Error).message}`,
            );
          }
        }
        if (failed > 0) {
          // The rest of the batches are skipped: no informer event will ever lower them.
          for (let i = 0; i < left; i++) this.expectations.creationObserved(key);
          throw (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
        }
      }
      return;
    }
    this.expectations.expectDeletions(
      key,
      plan.delete.map((p) => p.metadata.uid),
    );
    await Promise.all(
      plan.delete.map(async (p) => {
        try {
          if (!(await deleteIgnoringMissing(this.client, podsPath(ns, p.metadata.name), p.metadata.uid))) {
            this.expectations.deletionObserved(key, p.metadata.uid);
            return;
          }
          this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, p.metadata.uid);
          this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          throw err;
        }
      }),
    );
  }
}
