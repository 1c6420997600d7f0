// istiod as a Kubernetes client program against an embedded cluster (no nodes): a Service with a
// hand-made EndpointSlice shows up in CDS over the TLS xDS port, the injection webhook answers an
// AdmissionReview with a patch over HTTPS trusted via istio-ca-root-cert, and /ready turns 200.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { startCluster, type TestCluster } from './harness.js';
import { server as istiodServer, xds } from '../../src/istiod/index.js';

let cluster: TestCluster | undefined;
let istiod: istiodServer.RunningIstiod | undefined;
const logs: string[] = [];

before(() => {
  cluster = startCluster('istiod', { nodes: 0 });
});
after(async () => {
  await istiod?.stop();
  cluster?.down();
});

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: bookinfo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    trustDomain: cluster.local
    defaultConfig:
      discoveryAddress: istiod.istio-system.svc:15012
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data:
  config: |
    policy: enabled
  values: '{"revision":"","global":{"hub":"quay.io/sail-dev","tag":"1.24.3","istioNamespace":"istio-system"}}'
---
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: bookinfo, labels: {app: productpage}}
spec:
  selector: {app: productpage}
  ports: [{name: http, port: 9080, targetPort: 9080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: productpage-manual
  namespace: bookinfo
  labels: {kubernetes.io/service-name: productpage, endpointslice.kubernetes.io/managed-by: e2e-test}
addressType: IPv4
ports: [{name: http, port: 9080, protocol: TCP}]
endpoints:
- addresses: [10.244.0.55]
  conditions: {ready: true}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector}
webhooks:
- name: rev.namespace.sidecar-injector.istio.io
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Ignore
  clientConfig:
    service: {name: istiod, namespace: istio-system, path: /inject, port: 443}
  rules:
  - {apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  namespaceSelector:
    matchLabels: {mizzen-e2e-never: 'true'}
`;

test('istiod serves CDS, injection and readiness from the cluster state', { timeout: 240_000 }, async () => {
  const c = cluster!;
  c.kubectlOk(['apply', '-f', '-'], { input: manifests });
  istiod = await istiodServer.startIstiod({
    client: istiodServer.kubeClientForProcess(c.kubeconfig),
    namespace: 'istio-system',
    host: '127.0.0.1',
    ports: { xds: 0, xdsTls: 0, webhook: 0, http: 0, monitoring: 0 },
    log: (m) => logs.push(m),
  });
  const ports = istiod.ports;

  await until('/ready 200', async () =>
    (await httpGet(ports.http, '/ready')).status === 200 ? true : undefined,
  );

  const rootJson = await until('istio-ca-root-cert in bookinfo', () => {
    const r = c.kubectl(['get', 'configmap', 'istio-ca-root-cert', '-n', 'bookinfo', '-o', 'json']);
    return r.code === 0 ? r.stdout : undefined;
  });
  const root: string = JSON.parse(rootJson).data['root-cert.pem'];
  assert.match(root, /BEGIN CERTIFICATE/);

  // ADS over TLS on the xDS+CA port, verified against the published root.
  const Client = grpc.makeGenericClientConstructor(xds.adsServiceDefinition(), 'ADS');
  const ads = new Client(`127.0.0.1:${ports.xdsTls}`, grpc.credentials.createSsl(Buffer.from(root)), {
    'grpc.ssl_target_name_override': 'istiod.istio-system.svc',
    'grpc.default_authority': 'istiod.istio-system.svc',
  }) as any;
  try {
    const stream = ads.StreamAggregatedResources();
    let names: string[] = [];
    let streamError: unknown;
    const want = 'outbound|9080||productpage.bookinfo.svc.cluster.local';
    stream.on('data', (res: xds.DiscoveryResponse) => {
      names = res.resources.map((r) => String(xds.decodeAny(r as any).name));
      stream.write({ type_url: res.type_url, version_info: res.version_info, response_nonce: res.nonce });
    });
    stream.on('error', (err: unknown) => (streamError = err));
    stream.write({
      node: {
        id: 'sidecar~10.244.0.99~productpage-v1-abc.bookinfo~bookinfo.svc.cluster.local',
        metadata: {
          fields: { NAMESPACE: { stringValue: 'bookinfo' }, CLUSTER_ID: { stringValue: 'Kubernetes' } },
        },
      },
      type_url: xds.TypeUrl.cluster,
      resource_names: [],
    });
    const cds = (present: boolean) => () => {
      if (streamError) throw streamError;
      return names.includes(want) === present ? true : undefined;
    };
    await until(`${want} in CDS`, cds(true));
    const conns = await until('syncz lists the proxy', async () => {
      const s = JSON.parse((await httpGet(ports.http, '/debug/syncz')).body) as Array<{ proxy: string }>;
      return s.some((e) => e.proxy === 'productpage-v1-abc.bookinfo') ? s : undefined;
    });
    assert.ok(conns.length >= 1);

    // Mesh config and namespace labels apply live: discovery selectors hide, then show, bookinfo.
    c.kubectlOk([
      'patch',
      'configmap',
      'istio',
      '-n',
      'istio-system',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ data: { mesh: 'discoverySelectors:\n- matchLabels: {mesh: e2e}\n' } }),
    ]);
    await until('productpage gone from CDS', cds(false));
    c.kubectlOk(['label', 'namespace', 'bookinfo', 'mesh=e2e']);
    await until('productpage back in CDS', cds(true));
    stream.end();
  } finally {
    ads.close();
  }

  // The injection webhook, trusted through the same root.
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      namespace: 'bookinfo',
      kind: { kind: 'Pod' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'productpage-v1-', namespace: 'bookinfo', labels: { app: 'productpage' } },
        spec: {
          containers: [
            {
              name: 'productpage',
              image: 'examples-bookinfo-productpage-v1',
              ports: [{ containerPort: 9080 }],
            },
          ],
        },
      },
    },
  };
  const body = JSON.stringify(review);
  const answer = await new Promise<string>((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: ports.webhook,
        path: '/inject',
        method: 'POST',
        ca: root,
        servername: 'istiod.istio-system.svc',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  const response = JSON.parse(answer).response;
  assert.equal(response.uid, 'u-1');
  assert.equal(response.allowed, true, answer);
  assert.equal(response.patchType, 'JSONPatch');
  const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString()) as Array<{ value?: any }>;
  assert.ok(JSON.stringify(patch).includes('istio-proxy'));

  // The operator renders the webhook without a caBundle; istiod fills in its root.
  await until('caBundle on istio-sidecar-injector', () => {
    const r = c.kubectl(['get', 'mutatingwebhookconfiguration', 'istio-sidecar-injector', '-o', 'json']);
    const hook = r.code === 0 ? JSON.parse(r.stdout).webhooks?.[0] : undefined;
    const bundle = hook?.clientConfig?.caBundle;
    return bundle ? bundle : undefined;
  }).then((bundle) => assert.equal(Buffer.from(bundle, 'base64').toString(), root));

  const metrics = await httpGet(ports.monitoring, '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /^pilot_services \d+$/m);
  assert.match(metrics.body, /^istiod_ready 1$/m);
});
