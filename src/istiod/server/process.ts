// `mizzen istiod`: istiod as a process, in a pod (in-cluster config) or beside a kubeconfig.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../kube/index.js';
import { startIstiod, type IstiodPorts } from './start.js';

export interface IstiodProcessOptions {
  namespace?: string;
  revision?: string;
  kubeconfig?: string;
  host?: string;
  ports?: Partial<IstiodPorts>;
}

/** In a pod (KUBERNETES_SERVICE_HOST set, no KUBECONFIG): the service account; else the kubeconfig. */
export function kubeClientForProcess(kubeconfig?: string): KubeClient {
  const kc = new KubeConfig();
  const path = kubeconfig ?? process.env.KUBECONFIG;
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return new KubeClient(kc);
}

/** Runs until SIGTERM/SIGINT; resolves once stopped. */
export async function runIstiodProcess(opts: IstiodProcessOptions = {}): Promise<void> {
  const inPod = !!process.env.KUBERNETES_SERVICE_HOST && !opts.kubeconfig && !process.env.KUBECONFIG;
  const istiod = await startIstiod({
    client: kubeClientForProcess(opts.kubeconfig),
    namespace: opts.namespace ?? process.env.POD_NAMESPACE ?? 'istio-system',
    revision: opts.revision ?? process.env.REVISION ?? '',
    host: opts.host ?? (inPod ? '0.0.0.0' : '127.0.0.1'),
    ports: opts.ports,
    clusterId: process.env.CLUSTER_ID,
  });
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      console.error(`[istiod] ${sig}: shutting down`);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void istiod.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
