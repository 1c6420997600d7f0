import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKube } from './ca-fixtures.js';
import { RootCertPublisher } from './root-publisher.js';

const nsObj = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels } });
const cmPath = (ns: string) => `/api/v1/namespaces/${ns}/configmaps/istio-ca-root-cert`;

async function settle(p: RootCertPublisher) {
  await p.synced;
  await new Promise((r) => setImmediate(r));
  await p.idle();
}

test('publishes to selected namespaces, follows label changes and new namespaces, repairs edits', async () => {
  const kube = new FakeKube();
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    kube.put(`/api/v1/namespaces/${n}`, nsObj(n));
  kube.put('/api/v1/namespaces/bookinfo', nsObj('bookinfo', { 'istio-discovery': 'enabled' }));
  const p = new RootCertPublisher({
    client: kube,
    rootCertPem: 'ROOT1\n',
    discoverySelectors: [{ matchLabels: { 'istio-discovery': 'enabled' } }],
  });
  try {
    await settle(p);
    const cm = kube.objects.get(cmPath('bookinfo'));
    assert.deepEqual(cm.data, { 'root-cert.pem': 'ROOT1\n' });
    assert.equal(cm.metadata.labels['istio.io/config'], 'true');
    assert.equal(kube.objects.has(cmPath('default')), false);

    // A namespace starts to match.
    kube.emit('/api/v1/namespaces', 'MODIFIED', nsObj('default', { 'istio-discovery': 'enabled' }));
    await settle(p);
    assert.equal(kube.objects.get(cmPath('default')).data['root-cert.pem'], 'ROOT1\n');

    // A new namespace, and one that stops matching keeps its ConfigMap (upstream never deletes).
    kube.emit('/api/v1/namespaces', 'ADDED', nsObj('new', { 'istio-discovery': 'enabled' }));
    kube.emit('/api/v1/namespaces', 'MODIFIED', nsObj('default', {}));
    await settle(p);
    assert.ok(kube.objects.has(cmPath('new')));
    assert.ok(kube.objects.has(cmPath('default')));

    // Someone edits or deletes it: it comes back.
    const edited = kube.objects.get(cmPath('bookinfo'));
    edited.data['root-cert.pem'] = 'tampered';
    kube.put(cmPath('bookinfo'), edited);
    kube.emit('/api/v1/configmaps', 'MODIFIED', edited);
    kube.objects.delete(cmPath('new'));
    kube.emit('/api/v1/configmaps', 'DELETED', {
      metadata: { name: 'istio-ca-root-cert', namespace: 'new' },
    });
    await settle(p);
    assert.equal(kube.objects.get(cmPath('bookinfo')).data['root-cert.pem'], 'ROOT1\n');
    assert.equal(kube.objects.get(cmPath('new')).data['root-cert.pem'], 'ROOT1\n');

    // A new root is rolled out everywhere it is published.
    p.setRootCert('ROOT2\n');
    await settle(p);
    assert.equal(kube.objects.get(cmPath('bookinfo')).data['root-cert.pem'], 'ROOT2\n');
    assert.equal(kube.objects.get(cmPath('new')).data['root-cert.pem'], 'ROOT2\n');

    // Selectors removed: every namespace but kube-public and kube-node-lease.
    p.setDiscoverySelectors(undefined);
    await settle(p);
    assert.ok(kube.objects.has(cmPath('kube-system')));
    assert.equal(kube.objects.has(cmPath('kube-public')), false);
    assert.equal(kube.objects.has(cmPath('kube-node-lease')), false);
  } finally {
    p.stop();
  }
});
