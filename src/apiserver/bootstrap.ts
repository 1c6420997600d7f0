// Objects every cluster starts with: the system namespaces and the `kubernetes` Service.
import { randomUUID } from 'node:crypto';
import { rfc3339, type ApiContext } from './handlers/context.js';
import type { KubeObject } from './types.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrap(ctx: ApiContext, apiServiceIP: string): Promise<void> {
  const { store } = ctx;
  const now = rfc3339(ctx.now());
  const meta = (name: string, namespace?: string) => ({
    name,
    ...(namespace ? { namespace } : {}),
    uid: randomUUID(),
    creationTimestamp: now,
  });
  const writes: Promise<unknown>[] = [];
  for (const name of SYSTEM_NAMESPACES) {
    if (store.latest('namespaces', '', name)) continue;
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { ...meta(name), labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    writes.push(store.create('namespaces', '', name, ns));
  }
  if (!store.latest('services', 'default', 'kubernetes')) {
    ctx.allocators.allocateClusterIP('IPv4', apiServiceIP);
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        ...meta('kubernetes', 'default'),
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }],
        clusterIP: apiServiceIP,
        clusterIPs: [apiServiceIP],
        type: 'ClusterIP',
        sessionAffinity: 'None',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: {} },
    };
    writes.push(store.create('services', 'default', 'kubernetes', svc));
  }
  await Promise.all(writes);
}
