// Deployment controller: owns ReplicaSets named <deployment>-<pod-template-hash>, rolls them with
// the RollingUpdate or Recreate strategy, keeps revision history, and reports status that
// `kubectl rollout status|history|undo` and `kubectl get deploy` read.
import { KubeError, type KubeClient } from '../kube/index.js';
import {
  deleteIgnoringMissing,
  guardedPatch,
  jsonPointer,
  mergePatch,
  sameJson,
  updateStatus,
} from './api.js';
import { objectKey, splitKey, type Caches, type ObjectCache } from './cache.js';
import { getCondition } from './conditions.js';
import * as L from './deployment-logic.js';
import type { Recorder } from './events.js';
import { templateHash } from './hash.js';
import { selectorIsEmpty, selectorMatches } from './labels.js';
import { adopt, release } from './ownership.js';
import { controllerRef } from './pods.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

const dPath = (ns: string, name = '') =>
  `/apis/apps/v1/namespaces/${ns}/deployments${name ? `/${name}` : ''}`;
const rsPath = (ns: string, name = '') =>
  `/apis/apps/v1/namespaces/${ns}/replicasets${name ? `/${name}` : ''}`;

export class DeploymentController {
  readonly queue: WorkQueue;
  private readonly deployments: ObjectCache;
  private readonly replicaSets: ObjectCache;
  private readonly pods: ObjectCache;

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
    private readonly recorder: Recorder,
    private readonly now: () => number = Date.now,
  ) {
    this.deployments = caches.deployments;
    this.replicaSets = caches.replicaSets;
    this.pods = caches.pods;
    this.queue = new WorkQueue('deployment', (k) => this.sync(k), {
      ready: Promise.all([this.deployments.synced, this.replicaSets.synced, this.pods.synced]),
      onError: (k, e) => console.error(`deployment controller: ${k}:`, (e as Error).message),
    });
    this.deployments.on((_t, d) => this.queue.add(objectKey(d)));
    this.replicaSets.on((_t, rs, old) => {
      for (const r of [rs, old]) {
        const ref = r && controllerRef(r);
        if (ref?.kind === 'Deployment') this.queue.add(`${r.metadata.namespace}/${ref.name}`);
        else if (r && !ref) for (const d of this.deploymentsFor(r)) this.queue.add(objectKey(d));
      }
    });
    // Recreate waits for old pods to be gone.
    this.pods.on((t, p) => {
      if (t !== 'DELETED') return;
      const ref = controllerRef(p);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = this.replicaSets.get(p.metadata.namespace, ref.name);
      const dref = rs && controllerRef(rs);
      if (dref?.kind === 'Deployment') {
        const d = this.deployments.get(p.metadata.namespace, dref.name);
        if (d && d.spec?.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
      }
    });
  }

  stop(): void {
    this.queue.stop();
  }

  private deploymentsFor(rs: any): any[] {
    return this.deployments
      .list(rs.metadata.namespace)
      .filter(
        (d) => !selectorIsEmpty(d.spec?.selector) && selectorMatches(d.spec?.selector, rs.metadata.labels),
      );
  }

  async sync(key: string): Promise<SyncResult> {
    const cached = this.deployments.getKey(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const ns = d.metadata.namespace;
    const now = this.now();
    if (selectorIsEmpty(d.spec?.selector)) {
      this.recorder.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if (d.status?.observedGeneration !== d.metadata.generation)
        await updateStatus(this.client, dPath(ns, d.metadata.name), cached, {
          ...(d.status ?? {}),
          observedGeneration: d.metadata.generation,
        });
      return;
    }
    const rss = await this.claimReplicaSets(d);
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = this.split(d, rss);
      return this.writeStatus(cached, L.calculateStatus(d, [...oldRSs, newRS], newRS, now));
    }
    const paused = L.pausedConditions(d, now);
    if (paused) d.status = { ...(d.status ?? {}), conditions: paused };
    if (d.spec?.paused || L.isScalingEvent(d, rss)) return this.syncScale(cached, d, rss);
    if (d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(cached, d, rss);
    return this.rolloutRolling(cached, d, rss);
  }

  /** Owned ReplicaSets, adopting orphans the selector matches and releasing owned ones it no longer does. */
  private async claimReplicaSets(d: any): Promise<any[]> {
    const out: any[] = [];
    for (const rs of this.replicaSets.list(d.metadata.namespace)) {
      const ref = controllerRef(rs);
      const matches = selectorMatches(d.spec.selector, rs.metadata.labels);
      const path = rsPath(rs.metadata.namespace, rs.metadata.name);
      if (ref?.uid === d.metadata.uid) {
        if (matches || d.metadata.deletionTimestamp) out.push(rs);
        else await release(this.client, path, rs, d.metadata.uid);
      } else if (!ref && matches && !rs.metadata.deletionTimestamp && !d.metadata.deletionTimestamp) {
        const adopted = await adopt(this.client, path, rs, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: d.metadata,
        });
        if (adopted) out.push(adopted);
      }
    }
    return out;
  }

  private split(d: any, rss: any[]): { newRS: any; oldRSs: any[] } {
    const newRS = L.findNewReplicaSet(d, rss);
    return { newRS, oldRSs: rss.filter((rs) => rs !== newRS) };
  }

  /** getAllReplicaSetsAndSyncRevision: syncs the new ReplicaSet's revision, creating it if asked. */
  private async newAndOld(d: any, rss: any[], create: boolean): Promise<{ newRS: any; oldRSs: any[] }> {
    const found = this.split(d, rss);
    let newRS = found.newRS;
    const oldRSs = found.oldRSs;
    const ns = d.metadata.namespace;
    const newRevision = L.maxRevision(oldRSs) + 1;
    const now = this.now();
    if (newRS) {
      const annotations = L.newRSAnnotations(d, newRS, newRevision, true);
      const minReady = d.spec.minReadySeconds ?? 0;
      if (
        !sameJson(annotations, newRS.metadata.annotations ?? {}) ||
        (newRS.spec.minReadySeconds ?? 0) !== minReady
      ) {
        newRS = await guardedPatch(this.client, rsPath(ns, newRS.metadata.name), newRS, [
          {
            op: newRS.metadata.annotations ? 'replace' : 'add',
            path: '/metadata/annotations',
            value: annotations,
          },
          { op: 'replace', path: '/spec/minReadySeconds', value: minReady },
        ]);
      }
      await this.setDeploymentRevision(d, newRS.metadata.annotations[L.REVISION]);
      if (!getCondition(d.status?.conditions, 'Progressing'))
        d.status = {
          ...(d.status ?? {}),
          conditions: [
            ...(d.status?.conditions ?? []),
            L.progressingCondition(
              'FoundNewReplicaSet',
              `Found new replica set "${newRS.metadata.name}"`,
              now,
            ),
          ],
        };
      return { newRS, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };
    const hash = templateHash(d.spec.template, d.status?.collisionCount);
    const draft = L.buildReplicaSet(d, hash, 0, {});
    const replicas = L.newRSNewReplicas(d, [...oldRSs, draft], draft);
    const body = L.buildReplicaSet(d, hash, replicas, L.newRSAnnotations(d, undefined, newRevision, false));
    let createdRS: any;
    try {
      createdRS = await this.client.request('POST', rsPath(ns), body);
    } catch (err) {
      if (err instanceof KubeError && err.code === 409) {
        const existing = await this.client.find(rsPath(ns, body.metadata.name));
        if (
          existing &&
          controllerRef(existing)?.uid === d.metadata.uid &&
          L.templatesEqual(existing.spec.template, d.spec.template)
        )
          return { newRS: existing, oldRSs };
        // A hash collision: a different template owns the name, so the next hash comes from a bumped count.
        await updateStatus(this.client, dPath(ns, d.metadata.name), d, {
          ...(d.status ?? {}),
          collisionCount: (d.status?.collisionCount ?? 0) + 1,
        });
        throw err;
      }
      if (err instanceof KubeError && err.code !== 404) {
        const msg = `Failed to create new replica set "${body.metadata.name}": ${err.message}`;
        this.recorder.event(d, 'Warning', 'FailedCreate', msg);
      }
      throw err;
    }
    if (replicas > 0)
      this.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${createdRS.metadata.name} from 0 to ${replicas}`,
      );
    await this.setDeploymentRevision(d, String(newRevision));
    d.status = {
      ...(d.status ?? {}),
      conditions: [
        ...(d.status?.conditions ?? []).filter((c: any) => c.type !== 'Progressing'),
        L.progressingCondition(
          'NewReplicaSetCreated',
          `Created new replica set "${createdRS.metadata.name}"`,
          now,
        ),
      ],
    };
    return { newRS: createdRS, oldRSs };
  }

  private async setDeploymentRevision(d: any, revision: string | undefined): Promise<void> {
    if (!revision || d.metadata.annotations?.[L.REVISION] === revision) return;
    await mergePatch(this.client, dPath(d.metadata.namespace, d.metadata.name), {
      metadata: { annotations: { [L.REVISION]: revision } },
    });
  }

  /** Scales a ReplicaSet (and refreshes its replica annotations), emitting ScalingReplicaSet. */
  private async scale(d: any, rs: any, n: number): Promise<any> {
    const sizeChanged = (rs.spec.replicas ?? 0) !== n;
    if (!sizeChanged && !L.replicaAnnotationsStale(d, rs)) return rs;
    const a = (k: string) => `/metadata/annotations/${jsonPointer(k)}`;
    const ops: any[] = [{ op: 'replace', path: '/spec/replicas', value: n }];
    if (!rs.metadata.annotations) ops.push({ op: 'add', path: '/metadata/annotations', value: {} });
    ops.push(
      { op: 'add', path: a(L.DESIRED_REPLICAS), value: String(d.spec.replicas ?? 1) },
      { op: 'add', path: a(L.MAX_REPLICAS), value: String((d.spec.replicas ?? 1) + L.maxSurge(d)) },
    );
    const out = await guardedPatch(this.client, rsPath(rs.metadata.namespace, rs.metadata.name), rs, ops);
    if (sizeChanged) {
      const op = n > (rs.spec.replicas ?? 0) ? 'up' : 'down';
      this.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${op} replica set ${rs.metadata.name} from ${rs.spec.replicas ?? 0} to ${n}`,
      );
    }
    return out;
  }

  private async applySizes(d: any, rss: any[], sizes: Map<string, number>): Promise<boolean> {
    let changed = false;
    for (const rs of rss) {
      const n = sizes.get(rs.metadata.name);
      if (n === undefined || n === rs.spec.replicas) continue;
      await this.scale(d, rs, n);
      changed = true;
    }
    return changed;
  }

  private async rolloutRolling(cached: any, d: any, rss: any[]): Promise<SyncResult> {
    const { newRS, oldRSs } = await this.newAndOld(d, rss, true);
    const all = [...oldRSs, newRS];
    const want = L.newRSNewReplicas(d, all, newRS);
    if (want !== newRS.spec.replicas) {
      await this.scale(d, newRS, want);
      return this.syncRolloutStatus(cached, d, all, newRS);
    }
    if (await this.applySizes(d, oldRSs, L.scaleDownOld(d, oldRSs, newRS)))
      return this.syncRolloutStatus(cached, d, all, newRS);
    const s = L.calculateStatus(d, all, newRS, this.now());
    if (L.deploymentComplete(d, s)) await this.cleanup(d, oldRSs);
    return this.syncRolloutStatus(cached, d, all, newRS);
  }

  private async rolloutRecreate(cached: any, d: any, rss: any[]): Promise<SyncResult> {
    let { newRS, oldRSs } = await this.newAndOld(d, rss, false);
    const sizes = new Map(L.activeReplicaSets(oldRSs).map((rs) => [rs.metadata.name, 0]));
    if (await this.applySizes(d, oldRSs, sizes))
      return this.syncRolloutStatus(cached, d, [...oldRSs, newRS], newRS);
    const byRS = new Map<string, any[]>();
    for (const p of this.pods.list(d.metadata.namespace)) {
      const ref = controllerRef(p);
      if (ref?.kind !== 'ReplicaSet' || !rss.some((rs) => rs.metadata.uid === ref.uid)) continue;
      byRS.set(ref.uid, [...(byRS.get(ref.uid) ?? []), p]);
    }
    if (L.oldPodsRunning(newRS, oldRSs, byRS))
      return this.syncRolloutStatus(cached, d, [...oldRSs, newRS], newRS);
    if (!newRS) ({ newRS, oldRSs } = await this.newAndOld(d, rss, true));
    if ((newRS.spec.replicas ?? 0) !== (d.spec.replicas ?? 1))
      newRS = await this.scale(d, newRS, d.spec.replicas ?? 1);
    const all = [...oldRSs, newRS];
    if (L.deploymentComplete(d, L.calculateStatus(d, all, newRS, this.now()))) await this.cleanup(d, oldRSs);
    return this.syncRolloutStatus(cached, d, all, newRS);
  }

  private async syncScale(cached: any, d: any, rss: any[]): Promise<SyncResult> {
    const { newRS, oldRSs } = await this.newAndOld(d, rss, false);
    await this.applySizes(d, [...oldRSs, newRS].filter(Boolean), L.proportionalScale(d, newRS, oldRSs));
    if (d.spec?.paused) await this.cleanup(d, oldRSs);
    return this.writeStatus(cached, L.calculateStatus(d, [...oldRSs, newRS], newRS, this.now()));
  }

  private async cleanup(d: any, oldRSs: any[]): Promise<void> {
    for (const rs of L.historyToDelete(d, oldRSs))
      await deleteIgnoringMissing(
        this.client,
        rsPath(rs.metadata.namespace, rs.metadata.name),
        rs.metadata.uid,
      );
  }

  private async syncRolloutStatus(cached: any, d: any, all: any[], newRS: any): Promise<SyncResult> {
    const { status, recheckAfterMs } = L.rolloutStatus(d, all, newRS, this.now());
    await this.writeStatus(cached, status);
    return recheckAfterMs !== undefined ? { requeueAfterMs: recheckAfterMs } : undefined;
  }

  private async writeStatus(cached: any, status: any): Promise<void> {
    if (sameJson(cached.status ?? {}, status)) return;
    const { namespace, name } = splitKey(objectKey(cached));
    await updateStatus(this.client, dPath(namespace!, name), cached, status);
  }
}
