// The scheduler: binds pending pods of `default-scheduler` to a node through pods/binding, records
// Scheduled / FailedScheduling events, and marks unschedulable pods PodScheduled=False. Pods that do
// not fit wait for a node change, with a back-off retry as a safety net.
import { KubeError, type KubeClient } from '../kube/index.js';
import { mergePatch } from './api.js';
import { objectKey, type Caches, type ObjectCache } from './cache.js';
import type { Recorder } from './events.js';
import { isActive, rfc3339 } from './pods.js';
import { schedule, wantsScheduling } from './scheduler-logic.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

export class Scheduler {
  readonly queue: WorkQueue;
  private readonly pods: ObjectCache;
  private readonly nodes: ObjectCache;
  /** Bindings made but not yet seen by the informer, so spreading counts them. */
  private readonly assumed = new Map<string, { node: string; pod: any }>();
  private readonly unschedulable = new Set<string>();

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
    private readonly recorder: Recorder,
  ) {
    this.pods = caches.pods;
    this.nodes = caches.nodes;
    // One worker: each decision must see the previous binding.
    this.queue = new WorkQueue('scheduler', (k) => this.sync(k), {
      workers: 1,
      ready: Promise.all([this.pods.synced, this.nodes.synced]),
      onError: (k, e) => console.error(`scheduler: ${k}:`, (e as Error).message),
    });
    this.pods.on((t, p) => {
      const key = objectKey(p);
      if (t === 'DELETED' || p.spec?.nodeName) {
        this.assumed.delete(p.metadata.uid);
        this.unschedulable.delete(key);
        // A freed node may fit a waiting pod.
        if (t === 'DELETED' && this.unschedulable.size) for (const k of this.unschedulable) this.queue.add(k);
        return;
      }
      if (wantsScheduling(p)) this.queue.add(key);
    });
    this.nodes.on(() => {
      for (const k of this.unschedulable) this.queue.add(k);
    });
  }

  stop(): void {
    this.queue.stop();
  }

  private podsByNode(): Map<string, any[]> {
    const m = new Map<string, any[]>();
    for (const p of this.pods.list()) {
      const n = p.spec?.nodeName;
      if (!n || !isActive(p)) continue;
      m.set(n, [...(m.get(n) ?? []), p]);
    }
    for (const [uid, a] of this.assumed) {
      const list = m.get(a.node) ?? [];
      if (!list.some((p) => p.metadata.uid === uid)) m.set(a.node, [...list, a.pod]);
    }
    return m;
  }

  async sync(key: string): Promise<SyncResult> {
    const p = this.pods.getKey(key);
    if (!p || !wantsScheduling(p) || this.assumed.has(p.metadata.uid)) return;
    const ns = p.metadata.namespace;
    const decision = schedule(p, this.nodes.list(), this.podsByNode());
    if (decision.node) {
      this.assumed.set(p.metadata.uid, { node: decision.node, pod: p });
      try {
        await this.client.request('POST', `/api/v1/namespaces/${ns}/pods/${p.metadata.name}/binding`, {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: p.metadata.name, namespace: ns, uid: p.metadata.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: decision.node },
        });
      } catch (err) {
        this.assumed.delete(p.metadata.uid);
        if (err instanceof KubeError && (err.code === 404 || err.code === 400)) return; // gone or already bound
        throw err;
      }
      this.unschedulable.delete(key);
      this.recorder.event(
        p,
        'Normal',
        'Scheduled',
        `Successfully assigned ${ns}/${p.metadata.name} to ${decision.node}`,
      );
      return;
    }
    this.unschedulable.add(key);
    this.recorder.event(p, 'Warning', 'FailedScheduling', decision.message!);
    const cur = (p.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (cur?.status !== 'False' || cur.message !== decision.message) {
      const conditions = [
        ...(p.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled'),
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: rfc3339(Date.now()),
          reason: 'Unschedulable',
          message: decision.message,
        },
      ];
      await mergePatch(this.client, `/api/v1/namespaces/${ns}/pods/${p.metadata.name}/status`, {
        status: { conditions },
      });
    }
    // Node events requeue it; this retry covers anything else (upstream flushes after 5 minutes).
    return { requeueAfterMs: 60_000 };
  }
}
