// Node lifecycle controller: watches Nodes and their Leases in kube-node-lease; a node whose
// heartbeat is older than the grace period (40 s upstream) goes Unknown with the unreachable
// taints and its pods are marked not ready, as kube-controller-manager's node lifecycle controller.
import type { KubeClient } from '../kube/index.js';
import { mergePatch, sameJson } from './api.js';
import type { Caches, ObjectCache } from './cache.js';
import type { Recorder } from './events.js';
import { evaluateNode, notReadyConditions } from './node-lifecycle-logic.js';
import { WorkQueue, type SyncResult } from '../lib/index.js';

export class NodeLifecycleController {
  readonly queue: WorkQueue;
  private readonly nodes: ObjectCache;
  private readonly leases: ObjectCache;
  private readonly pods: ObjectCache;
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    caches: Caches,
    private readonly recorder: Recorder,
    private readonly graceMs = 40_000,
    private readonly now: () => number = Date.now,
  ) {
    this.nodes = caches.nodes;
    this.pods = caches.pods;
    this.leases = caches.get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
    this.queue = new WorkQueue('node-lifecycle', (k) => this.sync(k), {
      workers: 2,
      ready: Promise.all([this.nodes.synced, this.leases.synced, this.pods.synced]),
      onError: (k, e) => console.error(`node lifecycle controller: ${k}:`, (e as Error).message),
    });
    this.nodes.on((t, n) => {
      if (t === 'DELETED') this.firstSeen.delete(n.metadata.name);
      else this.queue.add(n.metadata.name);
    });
    this.leases.on((_t, l) => this.queue.add(l.metadata.name));
  }

  stop(): void {
    this.queue.stop();
  }

  async sync(name: string): Promise<SyncResult> {
    const node = this.nodes.get(undefined, name);
    if (!node) return;
    const now = this.now();
    if (!this.firstSeen.has(name)) this.firstSeen.set(name, now);
    const v = evaluateNode(
      node,
      this.leases.get('kube-node-lease', name),
      now,
      this.graceMs,
      this.firstSeen.get(name)!,
    );
    if (v.conditions) {
      await mergePatch(this.client, `/api/v1/nodes/${name}/status`, { status: { conditions: v.conditions } });
      this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    }
    if (v.taints && !sameJson(v.taints, node.spec?.taints ?? []))
      await mergePatch(this.client, `/api/v1/nodes/${name}`, {
        spec: { taints: v.taints.length ? v.taints : null },
      });
    if (v.readyStatus !== 'True') {
      for (const p of this.pods.list()) {
        if (p.spec?.nodeName !== name) continue;
        const conditions = notReadyConditions(p, now);
        if (!conditions) continue;
        await mergePatch(
          this.client,
          `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`,
          { status: { conditions } },
        ).catch((err) => {
          if (err?.code !== 404) throw err;
        });
        this.recorder.event(p, 'Warning', 'NodeNotReady', 'Node is not ready');
      }
    }
    return { requeueAfterMs: v.recheckAfterMs };
  }
}
