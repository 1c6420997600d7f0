// A stand-in for node agents in the controller e2e tests: registers Nodes, renews their Leases in
// kube-node-lease, marks the pods bound to them Running and Ready with a pod IP (as a kubelet
// would through pods/status), and finishes graceful deletions. Only the Kubernetes API is used.
// It runs in a worker thread: the tests call kubectl synchronously, which would otherwise stop the
// lease renewals and make the nodes look dead.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { KubeClient, KubeError, type Informer } from '../../src/kube/index.js';

const ts = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const micro = (ms = Date.now()) => new Date(ms).toISOString().replace(/Z$/, '000Z');

interface FakeNode {
  name: string;
  index: number;
  nextIp: number;
  alive: boolean;
}

class FakeKubelet {
  private readonly client: KubeClient;
  private readonly nodes = new Map<string, FakeNode>();
  private informer?: Informer;
  private timer?: NodeJS.Timeout;
  private readonly busy = new Set<string>();
  private readonly pending = new Map<string, any>();
  /** Pods the test wants to stay not ready (by name prefix). */
  readonly holdNotReady = new Set<string>();
  readyDelayMs = 0;

  constructor(kubeconfig: string) {
    this.client = KubeClient.fromFile(kubeconfig);
  }

  async start(names: string[], zones: Record<string, string> = {}): Promise<void> {
    names.forEach((name, i) => this.nodes.set(name, { name, index: i + 1, nextIp: 2, alive: true }));
    for (const n of this.nodes.values()) {
      await this.client.request('POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: n.name,
          labels: {
            'kubernetes.io/hostname': n.name,
            'kubernetes.io/os': 'linux',
            ...(zones[n.name] ? { 'topology.kubernetes.io/zone': zones[n.name] } : {}),
          },
        },
        spec: { podCIDR: `10.244.${n.index}.0/24` },
      });
      await this.postStatus(n);
    }
    await this.renew();
    this.timer = setInterval(() => void this.renew().catch(() => undefined), 500);
    this.informer = this.client.informer('/api/v1/pods', {
      onSync: (items) => items.forEach((p) => void this.onPod(p)),
      onEvent: (t, p) => t !== 'DELETED' && void this.onPod(p),
    });
    await this.informer.synced;
  }

  stop(): void {
    clearInterval(this.timer);
    this.informer?.stop();
  }

  /** The node's agent dies: no more lease renewals, status posts or pod updates. */
  kill(name: string): void {
    this.nodes.get(name)!.alive = false;
  }

  private async postStatus(n: FakeNode): Promise<void> {
    const now = ts();
    const cond = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
      reason,
      message,
    });
    await this.client.request(
      'PATCH',
      `/api/v1/nodes/${n.name}/status`,
      {
        status: {
          capacity: { cpu: '4', memory: '8Gi', pods: '110' },
          allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
          addresses: [
            { type: 'InternalIP', address: `172.18.0.${n.index + 1}` },
            { type: 'Hostname', address: n.name },
          ],
          conditions: [
            cond(
              'MemoryPressure',
              'False',
              'KubeletHasSufficientMemory',
              'kubelet has sufficient memory available',
            ),
            cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
            cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
            cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
          ],
          nodeInfo: {
            kubeletVersion: 'v1.32.0',
            containerRuntimeVersion: 'fake://1',
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
        },
      },
      'application/merge-patch+json',
    );
  }

  private async renew(): Promise<void> {
    for (const n of this.nodes.values()) {
      if (!n.alive) continue;
      const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.name}`;
      const spec = { holderIdentity: n.name, leaseDurationSeconds: 40, renewTime: micro() };
      try {
        await this.client.request('PATCH', path, { spec }, 'application/merge-patch+json');
      } catch (err) {
        if (!(err instanceof KubeError && err.code === 404)) throw err;
        await this.client.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: n.name, namespace: 'kube-node-lease' },
          spec,
        });
      }
    }
  }

  private async onPod(p: any): Promise<void> {
    const n = this.nodes.get(p.spec?.nodeName);
    if (!n || !n.alive) return;
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    if (this.busy.has(key)) {
      this.pending.set(key, p);
      return;
    }
    const base = `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`;
    this.busy.add(key);
    try {
      if (p.metadata.deletionTimestamp) {
        await this.client.request('DELETE', `${base}?gracePeriodSeconds=0`).catch(() => undefined);
        return;
      }
      if (p.status?.phase === 'Running') return;
      if ([...this.holdNotReady].some((prefix) => p.metadata.name.startsWith(prefix))) return;
      if (this.readyDelayMs) await new Promise((r) => setTimeout(r, this.readyDelayMs));
      const now = ts();
      const ip = `10.244.${n.index}.${n.nextIp++}`;
      const c = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
      await this.client.request(
        'PATCH',
        `${base}/status`,
        {
          status: {
            phase: 'Running',
            hostIP: `172.18.0.${n.index + 1}`,
            podIP: ip,
            podIPs: [{ ip }],
            startTime: now,
            conditions: [
              c('PodReadyToStartContainers'),
              c('Initialized'),
              c('Ready'),
              c('ContainersReady'),
              c('PodScheduled'),
            ],
            containerStatuses: (p.spec.containers ?? []).map((ct: any) => ({
              name: ct.name,
              image: ct.image,
              imageID: '',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: now } },
            })),
          },
        },
        'application/merge-patch+json',
      );
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 404))
        console.error('fake kubelet:', (err as Error).message);
    } finally {
      this.busy.delete(key);
      const next = this.pending.get(key);
      if (next) {
        this.pending.delete(key);
        void this.client
          .find(base)
          .then((fresh) => fresh && this.onPod(fresh))
          .catch(() => undefined);
      }
    }
  }
}

type Command = { kill: string } | { hold: string; on: boolean } | { readyDelayMs: number };

/** The test's handle on the fake kubelet running in its worker thread. */
export class FakeKubeletHandle {
  private readonly worker: Worker;
  private readonly started: Promise<void>;

  constructor(kubeconfig: string, nodes: string[], zones: Record<string, string> = {}) {
    this.worker = new Worker(new URL(import.meta.url), {
      workerData: { role: 'fake-kubelet', kubeconfig, nodes, zones },
    });
    this.started = new Promise((resolve, reject) => {
      this.worker.once('message', (m) => (m === 'started' ? resolve() : reject(new Error(String(m)))));
      this.worker.once('error', reject);
    });
  }

  ready(): Promise<void> {
    return this.started;
  }

  private send(c: Command): void {
    this.worker.postMessage(c);
  }

  kill(node: string): void {
    this.send({ kill: node });
  }

  hold(prefix: string, on: boolean): void {
    this.send({ hold: prefix, on });
  }

  set readyDelayMs(ms: number) {
    this.send({ readyDelayMs: ms });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

if (!isMainThread && workerData?.role === 'fake-kubelet') {
  const k = new FakeKubelet(workerData.kubeconfig);
  parentPort!.on('message', (c: Command) => {
    if ('kill' in c) k.kill(c.kill);
    else if ('hold' in c) {
      if (c.on) k.holdNotReady.add(c.hold);
      else k.holdNotReady.delete(c.hold);
    } else k.readyDelayMs = c.readyDelayMs;
  });
  k.start(workerData.nodes, workerData.zones).then(
    () => parentPort!.postMessage('started'),
    (err) => parentPort!.postMessage(`fake kubelet failed: ${(err as Error).message}`),
  );
}
