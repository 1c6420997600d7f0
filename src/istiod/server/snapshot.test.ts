import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot } from './snapshot.js';
import { durationSeconds, parseMeshConfig } from './mesh-config.js';
import { ownsMutatingWebhook, ownsValidatingWebhook, withCaBundle } from './webhook-ca-bundle.js';
import { createPushContext } from '../xds/index.js';

const productpage = {
  metadata: { name: 'productpage', namespace: 'bookinfo', labels: { app: 'productpage' } },
  spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }] },
};
const slice = {
  metadata: {
    name: 'productpage-abc',
    namespace: 'bookinfo',
    labels: { 'kubernetes.io/service-name': 'productpage' },
  },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
  endpoints: [
    {
      addresses: ['10.244.1.5'],
      conditions: { ready: true },
      nodeName: 'node-1',
      targetRef: { kind: 'Pod', name: 'productpage-v1-x', namespace: 'bookinfo' },
    },
    { addresses: ['10.244.1.6'], conditions: { ready: false } },
    { addresses: ['10.244.1.7'] },
  ],
};
const pod = {
  metadata: {
    name: 'productpage-v1-x',
    namespace: 'bookinfo',
    labels: { app: 'productpage', version: 'v1' },
  },
  spec: { serviceAccountName: 'bookinfo-productpage', nodeName: 'node-1' },
};
const ns = { metadata: { name: 'bookinfo', labels: { 'istio-injection': 'enabled' } } };

test('services, slices and pods become mesh services and endpoints with pod facts', () => {
  const snap = buildSnapshot([productpage], [slice], [pod], [ns], [], undefined);
  assert.deepEqual(snap.services, [
    {
      name: 'productpage',
      namespace: 'bookinfo',
      clusterIP: '10.96.0.20',
      labels: { app: 'productpage' },
      ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }],
    },
  ]);
  assert.equal(snap.endpoints.length, 3);
  assert.deepEqual(snap.endpoints[0], {
    service: 'productpage',
    namespace: 'bookinfo',
    ip: '10.244.1.5',
    ports: [{ name: 'http', port: 9080 }],
    ready: true,
    labels: { app: 'productpage', version: 'v1' },
    serviceAccount: 'bookinfo-productpage',
    podName: 'productpage-v1-x',
    nodeName: 'node-1',
  });
  assert.equal(snap.endpoints[1]!.ready, false);
  // No ready condition means ready, as Kubernetes defines it.
  assert.equal(snap.endpoints[2]!.ready, true);
  assert.deepEqual(snap.namespaces, [{ name: 'bookinfo', labels: { 'istio-injection': 'enabled' } }]);
});

test('slices without a service label, ExternalName services and FQDN slices are left out', () => {
  const ext = { metadata: { name: 'ext', namespace: 'bookinfo' }, spec: { type: 'ExternalName' } };
  const orphan = { ...slice, metadata: { name: 'x', namespace: 'bookinfo', labels: {} } };
  const fqdn = { ...slice, addressType: 'FQDN' };
  const snap = buildSnapshot([ext], [orphan, fqdn], [], [], [], undefined);
  assert.deepEqual(snap.services, []);
  assert.deepEqual(snap.endpoints, []);
});

test('destination rules keep host, subsets and load balancer; mesh config and cluster id pass through', () => {
  const dr = {
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      host: 'reviews',
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2' }],
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
    },
  };
  const bad = { metadata: { name: 'nohost', namespace: 'bookinfo' }, spec: {} };
  const mesh = { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' as const } };
  const snap = buildSnapshot([], [], [], [], [dr, bad], mesh, 'c1');
  assert.deepEqual(snap.destinationRules, [
    {
      name: 'reviews',
      namespace: 'bookinfo',
      host: 'reviews',
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2' }],
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
    },
  ]);
  assert.deepEqual(snap.meshConfig, mesh);
  assert.equal(snap.clusterId, 'c1');
});

test('output order does not depend on input order', () => {
  const other = { ...productpage, metadata: { ...productpage.metadata, name: 'details' } };
  const a = buildSnapshot([productpage, other], [slice], [pod], [ns], [], undefined);
  const b = buildSnapshot([other, productpage], [slice], [pod], [ns], [], undefined);
  assert.deepEqual(a, b);
  assert.deepEqual(
    a.services.map((s) => s.name),
    ['details', 'productpage'],
  );
});

test('the snapshot feeds the xDS push context', () => {
  const snap = buildSnapshot([productpage], [slice], [pod], [ns], [], undefined);
  assert.doesNotThrow(() => createPushContext(snap, 'v1'));
});

test('mesh config: defaults, trust domain, selectors, timeouts', () => {
  const d = parseMeshConfig(undefined, 'istio-system');
  assert.equal(d.trustDomain, 'cluster.local');
  assert.equal(d.rootNamespace, 'istio-system');
  assert.deepEqual(d.xds, {});
  const m = parseMeshConfig(
    [
      'trustDomain: example.org',
      'rootNamespace: mesh-root',
      'connectTimeout: 1m30s',
      'outboundTrafficPolicy: {mode: REGISTRY_ONLY}',
      'discoverySelectors:',
      '- matchLabels: {mesh: one}',
    ].join('\n'),
    'istio-system',
  );
  assert.equal(m.trustDomain, 'example.org');
  assert.equal(m.rootNamespace, 'mesh-root');
  assert.deepEqual(m.discoverySelectors, [{ matchLabels: { mesh: 'one' } }]);
  assert.deepEqual(m.xds, {
    discoverySelectors: [{ matchLabels: { mesh: 'one' } }],
    outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    connectTimeoutSeconds: 90,
  });
  assert.throws(() => parseMeshConfig('- a list', 'istio-system'), /not a mapping/);
  assert.equal(durationSeconds('250ms'), 0.25);
  assert.equal(durationSeconds('ten'), undefined);
});

test('webhook configurations: which ones a revision owns, and the caBundle patch', () => {
  const named = (name: string, labels?: Record<string, string>) => ({ metadata: { name, labels } });
  assert.ok(ownsMutatingWebhook(named('istio-sidecar-injector'), 'istio-system', ''));
  assert.ok(
    ownsMutatingWebhook(named('istio-sidecar-injector-canary-istio-system'), 'istio-system', 'canary'),
  );
  assert.ok(!ownsMutatingWebhook(named('istio-sidecar-injector-canary'), 'istio-system', ''));
  assert.ok(
    ownsMutatingWebhook(named('istio-revision-tag-prod', { 'istio.io/rev': 'canary' }), 'x', 'canary'),
  );
  assert.ok(
    !ownsMutatingWebhook(named('istio-revision-tag-prod', { 'istio.io/rev': 'stable' }), 'x', 'canary'),
  );
  assert.ok(ownsValidatingWebhook(named('istio-validator-istio-system'), 'istio-system', 'default'));
  assert.ok(ownsValidatingWebhook(named('istio-validator-canary-istio-system'), 'istio-system', 'canary'));
  const hook = { metadata: { name: 'w' }, webhooks: [{ name: 'a', clientConfig: { url: 'https://x' } }] };
  const patched = withCaBundle(hook, 'ROOT');
  assert.equal(patched.webhooks[0].clientConfig.caBundle, Buffer.from('ROOT').toString('base64'));
  assert.equal(patched.webhooks[0].clientConfig.url, 'https://x');
  assert.equal(hook.webhooks[0]!.clientConfig.url, 'https://x');
  assert.equal(withCaBundle(patched, 'ROOT'), undefined);
});
