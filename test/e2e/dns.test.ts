// Cluster DNS against a real `mizzen up` cluster: Services and EndpointSlices created with kubectl
// are learnt through informers (KubeClient from the cluster's kubeconfig) and answered by a DNS
// server this test runs on 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { startDnsServer, type DnsServer } from '../../src/dns/index.js';
import { KubeClient } from '../../src/kube/index.js';
import { startCluster, type TestCluster } from './harness.js';
import { kubectlAsyncOk, until } from './cluster-process.js';

const NS = 'dns-e2e';
let cluster: TestCluster;
let server: DnsServer;
let resolver: Resolver;

before(async () => {
  cluster = startCluster('dns');
  server = await startDnsServer({
    client: KubeClient.fromFile(cluster.kubeconfig),
    listen: [{ host: '127.0.0.1', port: 0 }],
    onError: (err) => console.error('dns informer error:', err),
  });
  await Promise.race([
    server.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error('informers did not sync in 15 s')), 15_000)),
  ]);
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${server.addresses[0].port}`]);
});
after(async () => {
  await server?.close();
  cluster?.down();
});

const errCode = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: NodeJS.ErrnoException) => e.code,
  );

/** Waits until a lookup succeeds (the informers see changes within a watch round trip). */
const eventually = <T>(what: string, lookup: () => Promise<T>): Promise<T> =>
  until(what, () => lookup().catch(() => undefined), 10_000, 50);

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: ${NS}}
spec:
  clusterIP: None
  ports: [{name: pg, port: 5432}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  namespace: ${NS}
  labels: {kubernetes.io/service-name: db}
addressType: IPv4
ports: [{name: pg, port: 5432, protocol: TCP}]
endpoints:
- {addresses: [10.244.1.20], hostname: db-0, conditions: {ready: true}}
- {addresses: [10.244.2.21], hostname: db-1, conditions: {ready: true}}
- {addresses: [10.244.2.22], hostname: db-2, conditions: {ready: false}}
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: ${NS}}
spec:
  type: ExternalName
  externalName: web.${NS}.svc.cluster.local
`;

test('the kubernetes Service resolves to the API server ClusterIP', async () => {
  const ip = (
    await kubectlAsyncOk(cluster, [
      'get',
      'svc',
      'kubernetes',
      '-n',
      'default',
      '-o',
      'jsonpath={.spec.clusterIP}',
    ])
  ).trim();
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual(await resolver.resolve4('kubernetes.default.svc.cluster.local'), [ip]);
  assert.deepEqual(await resolver.resolveSrv('_https._tcp.kubernetes.default.svc.cluster.local'), [
    { name: 'kubernetes.default.svc.cluster.local', port: 443, priority: 0, weight: 100 },
  ]);
});

test('Services created with kubectl: A, SRV, headless endpoints, CNAME, PTR, NXDOMAIN, deletion', async () => {
  await kubectlAsyncOk(cluster, ['apply', '-f', '-'], { input: MANIFESTS });
  const ip = (
    await kubectlAsyncOk(cluster, ['get', 'svc', 'web', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])
  ).trim();
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);

  assert.deepEqual(await eventually('web A', () => resolver.resolve4(`web.${NS}.svc.cluster.local`)), [ip]);
  assert.deepEqual(await resolver.resolveSrv(`_http._tcp.web.${NS}.svc.cluster.local`), [
    { name: `web.${NS}.svc.cluster.local`, port: 80, priority: 0, weight: 100 },
  ]);
  assert.deepEqual(await resolver.reverse(ip), [`web.${NS}.svc.cluster.local`]);

  const db = await eventually('db A', async () => {
    const ips = await resolver.resolve4(`db.${NS}.svc.cluster.local`);
    return ips.length === 2 ? ips : undefined;
  });
  assert.deepEqual(db?.sort(), ['10.244.1.20', '10.244.2.21'], 'only ready endpoints');
  assert.deepEqual(await resolver.resolve4(`db-1.db.${NS}.svc.cluster.local`), ['10.244.2.21']);
  assert.deepEqual(
    (await resolver.resolveSrv(`_pg._tcp.db.${NS}.svc.cluster.local`)).map((s) => s.name).sort(),
    [`db-0.db.${NS}.svc.cluster.local`, `db-1.db.${NS}.svc.cluster.local`],
  );
  assert.deepEqual(await resolver.reverse('10.244.1.20'), [`db-0.db.${NS}.svc.cluster.local`]);

  assert.deepEqual(
    await eventually('ext CNAME', () => resolver.resolveCname(`ext.${NS}.svc.cluster.local`)),
    [`web.${NS}.svc.cluster.local`],
  );
  // The alias points inside the cluster, so the server follows it to the address.
  assert.deepEqual(await resolver.resolve4(`ext.${NS}.svc.cluster.local`), [ip]);

  assert.equal(await errCode(resolver.resolve4(`nope.${NS}.svc.cluster.local`)), 'ENOTFOUND');
  assert.equal(await errCode(resolver.resolve4('example.com')), 'EREFUSED');

  await kubectlAsyncOk(cluster, ['delete', 'svc', 'web', '-n', NS]);
  await until(
    'web to disappear from DNS',
    async () => (await errCode(resolver.resolve4(`web.${NS}.svc.cluster.local`))) === 'ENOTFOUND',
    10_000,
    50,
  );
});
