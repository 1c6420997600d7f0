// The embedded cluster's controllers. They use only the Kubernetes API, through a kubeconfig.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { KubeClient } from '../kube/index.js';
import { Caches } from './cache.js';
import { DaemonSetController } from './daemonset-controller.js';
import { DeploymentController } from './deployment-controller.js';
import { EndpointSliceController, EndpointsController } from './endpointslice-controller.js';
import { EventRecorder } from './events.js';
import { GarbageCollector } from './garbage-collector.js';
import { HpaController } from './hpa-controller.js';
import { LoadBalancerController } from './loadbalancer-controller.js';
import { NamespaceController } from './namespace-controller.js';
import { NodeLifecycleController } from './node-lifecycle-controller.js';
import { PdbController } from './pdb-controller.js';
import { ReplicaSetController } from './replicaset-controller.js';
import { ResourceCatalog } from './resources.js';
import { Scheduler } from './scheduler.js';
import { StatefulSetController } from './statefulset-controller.js';

/** The ConfigMap (and its key) the LoadBalancer pool is read from when none is given. */
export { POOL_CONFIGMAP as LOADBALANCER_POOL_CONFIGMAP } from './loadbalancer-logic.js';

export interface RunningControllers {
  stop(): Promise<void>;
}

export interface ControllerOptions {
  kubeconfigPath: string;
  /**
   * How long a node may go without renewing its Lease before it is marked Unknown (upstream's
   * --node-monitor-grace-period, 40 s). MIZZEN_NODE_MONITOR_GRACE_PERIOD (seconds) overrides it.
   */
  nodeMonitorGracePeriodMs?: number;
  /**
   * The CIDR (a /16 to a /30) LoadBalancer Services get their addresses from; the network address,
   * the first host and broadcast are never given. Absent: key `range` of the ConfigMap
   * kube-system/mizzen-loadbalancer, followed as it changes.
   */
  loadBalancerPool?: string;
}

function graceFromEnv(): number | undefined {
  const v = process.env.MIZZEN_NODE_MONITOR_GRACE_PERIOD;
  if (!v) return undefined;
  const n = Number(v.replace(/s$/, ''));
  return Number.isFinite(n) && n > 0 ? n * 1000 : undefined;
}

export async function startControllers(opts: ControllerOptions): Promise<RunningControllers> {
  const client = KubeClient.fromFile(opts.kubeconfigPath);
  const kubeconfig = parse(readFileSync(opts.kubeconfigPath, 'utf8'));
  const caPem = Buffer.from(kubeconfig.clusters[0].cluster['certificate-authority-data'], 'base64').toString(
    'utf8',
  );
  const catalog = new ResourceCatalog(client);
  await catalog.refresh();
  const crdWatch = client.informer('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    onSync: () => void catalog.refresh().catch((e) => console.error('discovery failed:', e.message)),
    onEvent: () => void catalog.refresh().catch((e) => console.error('discovery failed:', e.message)),
  });
  const gc = new GarbageCollector(client, catalog);
  const namespaces = new NamespaceController(client, catalog, caPem);
  gc.start();
  namespaces.start();
  const caches = new Caches(client);
  const rec = (component: string) => new EventRecorder(client, component);
  const controllers: { stop(): void }[] = [
    new DeploymentController(client, caches, rec('deployment-controller')),
    new ReplicaSetController(client, caches, rec('replicaset-controller')),
    new DaemonSetController(client, caches, rec('daemonset-controller')),
    new StatefulSetController(client, caches, rec('statefulset-controller')),
    new EndpointSliceController(client, caches),
    new EndpointsController(client, caches),
    new Scheduler(client, caches, rec('default-scheduler')),
    new NodeLifecycleController(
      client,
      caches,
      rec('node-controller'),
      opts.nodeMonitorGracePeriodMs ?? graceFromEnv() ?? 40_000,
    ),
    new HpaController(client, caches, catalog, rec('horizontal-pod-autoscaler')),
    new PdbController(client, caches),
    new LoadBalancerController(client, caches, rec('service-lb-controller'), opts.loadBalancerPool),
  ];
  return {
    async stop() {
      crdWatch.stop();
      gc.stop();
      namespaces.stop();
      for (const c of controllers) c.stop();
      caches.stop();
    },
  };
}
