// StatefulSet controller (basic): ordered pods <set>-<ordinal>, their claims, rolling updates
// through ControllerRevisions, status for `kubectl rollout status sts`.
import { KubeError, type KubeClient } from '../kube/index.js';
import { deleteIgnoringMissing, guardedPatch, sameJson, updateStatus } from './api.js';
import { objectKey, type Caches, type ObjectCache } from './cache.js';
import type { Recorder } from './events.js';
import { controllerRef } from './pods.js';
import * as R from './revisions.js';
import { claimsFor, planStatefulSet, statefulPod } from './statefulset-logic.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

const crPath = (ns: string, name = '') =>
  `/apis/apps/v1/namespaces/${ns}/controllerrevisions${name ? `/${name}` : ''}`;

export class StatefulSetController {
  readonly queue: WorkQueue;
  private readonly sets: ObjectCache;
  private readonly pods: ObjectCache;
  private readonly revisions: ObjectCache;

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
    private readonly recorder: Recorder,
    private readonly now: () => number = Date.now,
  ) {
    this.sets = caches.statefulSets;
    this.pods = caches.pods;
    this.revisions = caches.controllerRevisions;
    this.queue = new WorkQueue('statefulset', (k) => this.sync(k), {
      workers: 2,
      ready: Promise.all([this.sets.synced, this.pods.synced, this.revisions.synced]),
      onError: (k, e) => console.error(`statefulset controller: ${k}:`, (e as Error).message),
    });
    this.sets.on((_t, s) => this.queue.add(objectKey(s)));
    this.pods.on((_t, p) => {
      const ref = controllerRef(p);
      if (ref?.kind === 'StatefulSet') this.queue.add(`${p.metadata.namespace}/${ref.name}`);
    });
  }

  stop(): void {
    this.queue.stop();
  }

  async sync(key: string): Promise<SyncResult> {
    const set = this.sets.getKey(key);
    if (!set) return;
    const ns = set.metadata.namespace;
    const pods = this.pods.list(ns).filter((p) => controllerRef(p)?.uid === set.metadata.uid);
    const revs = this.revisions.list(ns).filter((r) => controllerRef(r)?.uid === set.metadata.uid);
    const update = await this.updateRevision(set, revs);
    const updateHash = R.revisionHash(update);
    const currentHash = set.status?.currentRevision
      ? revs.find((r) => r.metadata.name === set.status.currentRevision)
        ? R.revisionHash(revs.find((r) => r.metadata.name === set.status.currentRevision))
        : updateHash
      : updateHash;
    const plan = planStatefulSet(set, pods, currentHash, updateHash, this.now());
    if (!set.metadata.deletionTimestamp) {
      for (const o of plan.create) {
        for (const claim of claimsFor(set, o)) {
          try {
            await this.client.request('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, claim);
            this.recorder.event(
              set,
              'Normal',
              'SuccessfulCreate',
              `create Claim ${claim.metadata.name} Pod ${set.metadata.name}-${o} in StatefulSet ${set.metadata.name} success`,
            );
          } catch (err) {
            if (!(err instanceof KubeError && err.code === 409)) throw err;
          }
        }
        const pod = statefulPod(
          set,
          o,
          o < (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0) ? currentHash : updateHash,
        );
        try {
          await this.client.request('POST', `/api/v1/namespaces/${ns}/pods`, pod);
          this.recorder.event(
            set,
            'Normal',
            'SuccessfulCreate',
            `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
          );
        } catch (err) {
          if (!(err instanceof KubeError && err.code === 409)) {
            this.recorder.event(
              set,
              'Warning',
              'FailedCreate',
              `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`,
            );
            throw err;
          }
        }
      }
      for (const p of plan.delete) {
        if (
          await deleteIgnoringMissing(
            this.client,
            `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`,
            p.metadata.uid,
          )
        )
          this.recorder.event(
            set,
            'Normal',
            'SuccessfulDelete',
            `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} successful`,
          );
      }
    }
    const status = {
      ...plan.status,
      currentRevision: nameFor(revs, update, plan.status.currentRevision),
      updateRevision: update.metadata.name,
    };
    if (!sameJson(set.status ?? {}, status))
      await updateStatus(
        this.client,
        `/apis/apps/v1/namespaces/${ns}/statefulsets/${set.metadata.name}`,
        set,
        status,
      );
    const live = new Set(pods.map((p) => p.metadata.labels?.[R.REVISION_HASH_LABEL]).filter(Boolean));
    live.add(currentHash);
    for (const r of R.revisionsToPrune(revs, update, live, set.spec.revisionHistoryLimit ?? 10))
      await deleteIgnoringMissing(this.client, crPath(ns, r.metadata.name), r.metadata.uid);
  }

  private async updateRevision(set: any, revs: any[]): Promise<any> {
    const ns = set.metadata.namespace;
    const max = R.maxRevisionNumber(revs);
    const cur = R.currentRevision(set, revs);
    if (cur) {
      if ((cur.revision ?? 0) < max)
        return guardedPatch(this.client, crPath(ns, cur.metadata.name), cur, [
          { op: 'replace', path: '/revision', value: max + 1 },
        ]);
      return cur;
    }
    const body = R.buildRevision(set, max + 1, set.status?.collisionCount ?? 0);
    try {
      return await this.client.request('POST', crPath(ns), body);
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 409)) throw err;
      const existing = await this.client.get(crPath(ns, body.metadata.name));
      if (controllerRef(existing)?.uid === set.metadata.uid && R.sameData(existing.data, body.data))
        return existing;
      throw err;
    }
  }
}

function nameFor(revs: any[], update: any, hash: string): string {
  if (R.revisionHash(update) === hash) return update.metadata.name;
  return revs.find((r) => R.revisionHash(r) === hash)?.metadata.name ?? update.metadata.name;
}
