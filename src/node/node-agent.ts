// The kubelet part of the embedded cluster: a Node with its Lease, and the pods bound to it run as
// processes in their own network namespaces.
import type net from 'node:net';
import { KubeError, type Informer, type KubeClient } from '../kube/index.js';
import type { ClusterNetwork } from '../netns/index.js';
import { PodIpAllocator } from './ipam.js';
import { PodWorker } from './pod-worker.js';

export const KUBELET_VERSION = 'v1.32.4';
const LEASE_RENEW_MS = 10_000;
const LEASE_DURATION_SECONDS = 40;
/** How long a node agent that is shut down waits before SIGKILL. */
const SHUTDOWN_GRACE_SECONDS = 2;

export interface NodeOptions {
  client: KubeClient;
  name: string;
  network: ClusterNetwork;
  podCidr: string;
  /** Where the containers' logs go (pods/<ns>_<name>_<uid>/<container>-<restart>.log). */
  stateDir: string;
  /** The node's InternalIP; default the cluster side of the network's host link. */
  hostIP?: string;
  /** A connection from the cluster namespace (readiness probes); without it probes always fail. */
  connect?(host: string, port: number, timeoutMs: number): Promise<net.Socket>;
  log?(msg: string): void;
}

export interface NodeAgent {
  readonly name: string;
  /** Stops every container (short grace), removes the pods' networks; the Node object stays. */
  stop(): Promise<void>;
}

const micro = (ms = Date.now()) => new Date(ms).toISOString().replace(/Z$/, '000Z');
const ts = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export async function startNode(opts: NodeOptions): Promise<NodeAgent> {
  const { client, name } = opts;
  const log = opts.log ?? ((m: string) => console.error(`node ${name}: ${m}`));
  const hostIP = opts.hostIP ?? opts.network.hostLink?.clusterIp ?? '127.0.0.1';
  const allocator = new PodIpAllocator(opts.podCidr);
  await registerNode(client, name, opts.podCidr, hostIP);
  await renewLease(client, name);
  const leaseTimer = setInterval(
    () => void renewLease(client, name).catch((e) => log(`lease: ${(e as Error).message}`)),
    LEASE_RENEW_MS,
  );

  const workers = new Map<string, PodWorker>();
  const deleting = new Set<string>();
  const ctx = {
    client,
    network: opts.network,
    nodeName: name,
    hostIP,
    allocator,
    stateDir: opts.stateDir,
    connect: opts.connect ?? (() => Promise.reject(new Error('no probe connection'))),
    log,
  };
  let stopped = false;

  const remove = async (uid: string, graceSeconds: number, deleteObject: boolean) => {
    const w = workers.get(uid);
    if (!w || deleting.has(uid)) return;
    deleting.add(uid);
    try {
      await w.stop(graceSeconds);
      workers.delete(uid);
      if (deleteObject && !stopped) await w.finishDeletion();
    } catch (err) {
      log(`removing pod ${uid}: ${(err as Error).message}`);
    } finally {
      deleting.delete(uid);
    }
  };

  const onPod = (pod: any) => {
    if (stopped) return;
    const uid: string = pod.metadata.uid;
    const existing = workers.get(uid);
    if (pod.metadata.deletionTimestamp) {
      if (existing) void remove(uid, pod.metadata.deletionGracePeriodSeconds ?? 30, true);
      else if (!deleting.has(uid))
        void new PodWorker(pod, ctx).finishDeletion().catch((e) => log((e as Error).message));
      return;
    }
    if (existing) return existing.update(pod);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const w = new PodWorker(pod, ctx);
    workers.set(uid, w);
    w.start().catch((err) =>
      log(`starting pod ${pod.metadata.namespace}/${pod.metadata.name}: ${(err as Error).message}`),
    );
  };

  const informer: Informer = client.informer(
    '/api/v1/pods',
    {
      onSync: (pods) => {
        const seen = new Set(pods.map((p) => p.metadata.uid));
        for (const uid of workers.keys()) if (!seen.has(uid)) void remove(uid, 0, false);
        pods.forEach(onPod);
      },
      onEvent: (type, pod) => (type === 'DELETED' ? void remove(pod.metadata.uid, 0, false) : onPod(pod)),
      onError: (err) => log(`pod watch: ${(err as Error).message}`),
    },
    { fieldSelector: `spec.nodeName=${name}` },
  );
  await informer.synced;

  return {
    name,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(leaseTimer);
      informer.stop();
      await Promise.all([...workers.keys()].map((uid) => remove(uid, SHUTDOWN_GRACE_SECONDS, false)));
    },
  };
}

async function registerNode(
  client: KubeClient,
  name: string,
  podCidr: string,
  hostIP: string,
): Promise<void> {
  try {
    await client.request('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        },
      },
      spec: { podCIDR: podCidr, podCIDRs: [podCidr] },
    });
  } catch (err) {
    if (!(err instanceof KubeError && err.code === 409)) throw err;
  }
  const now = ts();
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason,
    message,
  });
  const resources = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  await client.request(
    'PATCH',
    `/api/v1/nodes/${name}/status`,
    {
      status: {
        capacity: resources,
        allocatable: resources,
        addresses: [
          { type: 'InternalIP', address: hostIP },
          { type: 'Hostname', address: name },
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
          kubeletVersion: KUBELET_VERSION,
          kubeProxyVersion: KUBELET_VERSION,
          containerRuntimeVersion: 'mizzen://0.1.0',
          operatingSystem: 'linux',
          architecture: process.arch === 'x64' ? 'amd64' : process.arch,
          osImage: 'Mizzen embedded node',
          kernelVersion: '',
          machineID: '',
          systemUUID: '',
          bootID: '',
        },
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    },
    'application/merge-patch+json',
  );
}

async function renewLease(client: KubeClient, name: string): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
  const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: micro() };
  try {
    await client.request('PATCH', path, { spec }, 'application/merge-patch+json');
  } catch (err) {
    if (!(err instanceof KubeError && err.code === 404)) throw err;
    await client.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec,
    });
  }
}
