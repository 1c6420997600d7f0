// The embedded cluster's controllers. They use only the Kubernetes API, through a kubeconfig.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { KubeClient } from '../kube/index.js';
import { GarbageCollector } from './garbage-collector.js';
import { NamespaceController } from './namespace-controller.js';
import { ResourceCatalog } from './resources.js';

export interface RunningControllers {
  stop(): Promise<void>;
}

export async function startControllers(opts: { kubeconfigPath: string }): Promise<RunningControllers> {
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
  return {
    async stop() {
      crdWatch.stop();
      gc.stop();
      namespaces.stop();
    },
  };
}
