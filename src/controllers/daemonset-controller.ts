// DaemonSet controller: one pod per eligible node (pinned by node affinity, bound by the
// scheduler), rolling updates, ControllerRevision history and status.
import { KubeError, type KubeClient } from '../kube/index.js';
import { deleteIgnoringMissing, guardedPatch, sameJson, updateStatus } from './api.js';
import { objectKey, type Caches, type ObjectCache } from './cache.js';
import { daemonPodSpec, planDaemonSet } from './daemonset-logic.js';
import type { Recorder } from './events.js';
import { Expectations } from './expectations.js';
import { selectorMatches } from './labels.js';
import { controllerRef, podFromTemplate } from './pods.js';
import * as R from './revisions.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

const dsPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/daemonsets/${name}`;
const crPath = (ns: string, name = '') =>
  `/apis/apps/v1/namespaces/${ns}/controllerrevisions${name ? `/${name}` : ''}`;

export class DaemonSetController {
  readonly queue: WorkQueue;
  private readonly expectations = new Expectations();
  private readonly daemonSets: ObjectCache;
  private readonly pods: ObjectCache;
  private readonly nodes: ObjectCache;
  private readonly revisions: ObjectCache;

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
    private readonly recorder: Recorder,
    private readonly now: () => number = Date.now,
  ) {
    this.daemonSets = caches.daemonSets;
    this.pods = caches.pods;
    this.nodes = caches.nodes;
    this.revisions = caches.controllerRevisions;
    this.queue = new WorkQueue('daemonset', (k) => this.sync(k), {
      ready: Promise.all([
        this.daemonSets.synced,
        this.pods.synced,
        this.nodes.synced,
        this.revisions.synced,
      ]),
      onError: (k, e) => console.error(`daemonset controller: ${k}:`, (e as Error).message),
    });
    this.daemonSets.on((t, ds) => {
      if (t === 'DELETED') this.expectations.delete(objectKey(ds));
      this.queue.add(objectKey(ds));
    });
    this.pods.on((t, p, old) => {
      const ref = controllerRef(p);
      if (ref?.kind !== 'DaemonSet') return;
      const key = `${p.metadata.namespace}/${ref.name}`;
      if (t === 'ADDED') this.expectations.creationObserved(key);
      if (t === 'DELETED' || (p.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp))
        this.expectations.deletionObserved(key, p.metadata.uid);
      this.queue.add(key);
    });
    this.nodes.on((t, n, old) => {
      if (
        t === 'MODIFIED' &&
        sameJson([n.metadata.labels, n.spec, readyOf(n)], [old?.metadata.labels, old?.spec, readyOf(old)])
      )
        return;
      for (const ds of this.daemonSets.list()) this.queue.add(objectKey(ds));
    });
  }

  stop(): void {
    this.queue.stop();
  }

  async sync(key: string): Promise<SyncResult> {
    const ds = this.daemonSets.getKey(key);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const ns = ds.metadata.namespace;
    const pods = this.pods
      .list(ns)
      .filter(
        (p) =>
          controllerRef(p)?.uid === ds.metadata.uid && selectorMatches(ds.spec.selector, p.metadata.labels),
      );
    const { current, all } = await this.syncHistory(ds);
    const hash = R.revisionHash(current);
    const manage = this.expectations.satisfied(key) && !ds.metadata.deletionTimestamp;
    const plan = planDaemonSet(ds, this.nodes.list(), pods, hash, this.now(), manage);
    if (manage) {
      if (plan.createOn.length) {
        this.expectations.expectCreations(key, plan.createOn.length);
        await Promise.all(
          plan.createOn.map(async (node) => {
            const pod = podFromTemplate(ds.spec.template, ds, {
              [R.REVISION_HASH_LABEL]: hash,
              'pod-template-generation': String(ds.metadata.generation ?? 1),
            });
            pod.spec = daemonPodSpec(ds, node);
            try {
              const made = await this.client.request('POST', `/api/v1/namespaces/${ns}/pods`, pod);
              this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata.name}`);
            } catch (err) {
              this.expectations.creationObserved(key);
              this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
              throw err;
            }
          }),
        );
      }
      if (plan.delete.length) {
        this.expectations.expectDeletions(
          key,
          plan.delete.map((p) => p.metadata.uid),
        );
        await Promise.all(
          plan.delete.map(async (p) => {
            const gone = await deleteIgnoringMissing(
              this.client,
              `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`,
              p.metadata.uid,
            );
            if (!gone) this.expectations.deletionObserved(key, p.metadata.uid);
            else this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
          }),
        );
      }
    }
    const live = new Set(pods.map((p) => p.metadata.labels?.[R.REVISION_HASH_LABEL]).filter(Boolean));
    for (const r of R.revisionsToPrune(all, current, live, ds.spec.revisionHistoryLimit ?? 10))
      await deleteIgnoringMissing(this.client, crPath(ns, r.metadata.name), r.metadata.uid);
    if (!sameJson(ds.status ?? {}, plan.status))
      await updateStatus(this.client, dsPath(ns, ds.metadata.name), ds, plan.status);
    return plan.recheckAfterMs !== undefined ? { requeueAfterMs: plan.recheckAfterMs } : undefined;
  }

  /** constructHistory: the revision for the current template, created or renumbered as the newest. */
  private async syncHistory(ds: any): Promise<{ current: any; all: any[] }> {
    const ns = ds.metadata.namespace;
    const all = this.revisions.list(ns).filter((r) => controllerRef(r)?.uid === ds.metadata.uid);
    const max = R.maxRevisionNumber(all);
    let current = R.currentRevision(ds, all);
    if (current) {
      if ((current.revision ?? 0) < max)
        current = await guardedPatch(this.client, crPath(ns, current.metadata.name), current, [
          { op: 'replace', path: '/revision', value: max + 1 },
        ]);
      return { current, all };
    }
    const collisions = ds.status?.collisionCount ?? 0;
    const body = R.buildRevision(ds, max + 1, collisions);
    try {
      current = await this.client.request('POST', crPath(ns), body);
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 409)) throw err;
      const existing = await this.client.get(crPath(ns, body.metadata.name));
      if (controllerRef(existing)?.uid !== ds.metadata.uid || !R.sameData(existing.data, body.data)) {
        await updateStatus(this.client, dsPath(ns, ds.metadata.name), ds, {
          ...(ds.status ?? {}),
          collisionCount: collisions + 1,
        });
        throw err;
      }
      current = existing;
    }
    return { current, all: [...all, current] };
  }
}

function readyOf(n: any): string | undefined {
  return (n?.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
}
