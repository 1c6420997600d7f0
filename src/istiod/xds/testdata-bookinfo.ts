// The Bookinfo services as a mesh snapshot (one pod per version), shared by the tests.
import type { MeshEndpoint, MeshSnapshot } from './model.js';

const pod = (app: string, version: string, ip: string, node: string): MeshEndpoint => ({
  service: app,
  namespace: 'default',
  ip,
  ports: [{ name: 'http', port: 9080 }],
  ready: true,
  labels: { app, version, 'security.istio.io/tlsMode': 'istio' },
  serviceAccount: `bookinfo-${app}`,
  podName: `${app}-${version}-5f7b9c-abcde`,
  nodeName: node,
  locality: { region: 'region1', zone: node },
});

export function bookinfoSnapshot(): MeshSnapshot {
  const svc = (name: string, ip: string) => ({
    name,
    namespace: 'default',
    clusterIP: ip,
    ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' as const }],
    labels: { app: name, service: name },
  });
  return {
    services: [
      svc('details', '10.96.10.11'),
      svc('productpage', '10.96.10.14'),
      svc('ratings', '10.96.10.12'),
      svc('reviews', '10.96.10.13'),
      {
        name: 'mysqldb',
        namespace: 'default',
        clusterIP: '10.96.10.20',
        ports: [{ name: 'tcp', port: 3306 }],
      },
    ],
    endpoints: [
      pod('details', 'v1', '10.244.1.5', 'node-1'),
      pod('productpage', 'v1', '10.244.1.6', 'node-1'),
      pod('ratings', 'v1', '10.244.2.5', 'node-2'),
      pod('reviews', 'v1', '10.244.1.7', 'node-1'),
      pod('reviews', 'v2', '10.244.2.6', 'node-2'),
      { ...pod('reviews', 'v3', '10.244.2.7', 'node-2'), ready: false },
      {
        service: 'mysqldb',
        namespace: 'default',
        ip: '10.244.2.9',
        ports: [{ name: 'tcp', port: 3306 }],
        ready: true,
        labels: { app: 'mysqldb' },
        podName: 'mysqldb-v1-0',
      },
    ],
    destinationRules: [
      {
        name: 'reviews',
        namespace: 'default',
        host: 'reviews',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    ],
  };
}

/** The node a sidecar in productpage-v1 sends. */
export const productpageNode = {
  id: 'sidecar~10.244.1.6~productpage-v1-5f7b9c-abcde.default~default.svc.cluster.local',
  metadata: {
    NAMESPACE: 'default',
    CLUSTER_ID: 'Kubernetes',
    LABELS: { app: 'productpage', version: 'v1' },
    ISTIO_VERSION: '1.24.0',
  },
};
