import { test } from 'node:test';
import assert from 'node:assert/strict';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { FakeKube, makePluginMaterial } from './ca-fixtures.js';
import { loadKeyMaterial } from './key-material.js';

const NS = 'istio-system';
const SECRETS = `/api/v1/namespaces/${NS}/secrets`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function cacerts(data: Record<string, string>) {
  return {
    metadata: { name: 'cacerts', namespace: NS },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

test('without cacerts, istio-ca-secret is created as upstream lays it out and reused afterwards', async () => {
  const kube = new FakeKube();
  const first = await loadKeyMaterial({ client: kube, namespace: NS, trustDomain: 'cluster.local' });
  assert.equal(first.source, 'self-signed');
  const secret = kube.objects.get(`${SECRETS}/istio-ca-secret`);
  assert.equal(secret.type, 'istio.io/ca-root');
  assert.deepEqual(Object.keys(secret.data).sort(), [
    'ca-cert.pem',
    'ca-key.pem',
    'cert-chain.pem',
    'key.pem',
    'root-cert.pem',
  ]);
  assert.equal(Buffer.from(secret.data['ca-cert.pem'], 'base64').toString(), first.rootCertPem);
  assert.equal(new x509.X509Certificate(first.rootCertPem).subject, 'O=cluster.local');

  const second = await loadKeyMaterial({ client: kube, namespace: NS, trustDomain: 'cluster.local' });
  assert.equal(second.rootCertPem, first.rootCertPem);
  assert.equal(kube.writes.filter((w) => w.method === 'POST').length, 1);
});

test('cacerts takes precedence over an existing istio-ca-secret', async () => {
  const kube = new FakeKube();
  await loadKeyMaterial({ client: kube, namespace: NS, trustDomain: 'cluster.local' });
  const m = makePluginMaterial();
  kube.put(
    `${SECRETS}/cacerts`,
    cacerts({
      'ca-cert.pem': m.caCert,
      'ca-key.pem': m.caKey,
      'root-cert.pem': m.rootCert,
      'cert-chain.pem': m.certChain,
    }),
  );
  const b = await loadKeyMaterial({ client: kube, namespace: NS, trustDomain: 'cluster.local' });
  assert.equal(b.source, 'plugin');
  assert.equal(b.rootCertPem.trim(), m.rootCert.trim());
  assert.equal(b.intermediatesPem.length, 1);
});

test('broken or incomplete cacerts is an error naming the Secret and the key, not a silent fallback', async () => {
  const m = makePluginMaterial();
  const other = makePluginMaterial();
  const kube = new FakeKube();
  kube.put(`${SECRETS}/cacerts`, cacerts({ 'ca-cert.pem': m.caCert, 'ca-key.pem': m.caKey }));
  await assert.rejects(
    loadKeyMaterial({ client: kube, namespace: NS, trustDomain: 'cluster.local' }),
    /Secret cacerts is incomplete: root-cert.pem missing or empty/,
  );
  kube.put(
    `${SECRETS}/cacerts`,
    cacerts({ 'ca-cert.pem': m.caCert, 'ca-key.pem': other.caKey, 'root-cert.pem': m.rootCert }),
  );
  await assert.rejects(
    loadKeyMaterial({ client: kube, namespace: NS, trustDomain: 'cluster.local' }),
    /Secret istio-system\/cacerts: ca-key.pem does not match the certificate in ca-cert.pem/,
  );
  assert.equal(kube.objects.has(`${SECRETS}/istio-ca-secret`), false);
});

test('TLS-style cacerts (tls.crt, tls.key, ca.crt) is accepted', async () => {
  const m = makePluginMaterial();
  const kube = new FakeKube();
  kube.put(`${SECRETS}/cacerts`, cacerts({ 'tls.crt': m.caCert, 'tls.key': m.caKey, 'ca.crt': m.rootCert }));
  const b = await loadKeyMaterial({ client: kube, namespace: NS, trustDomain: 'cluster.local' });
  assert.equal(b.source, 'plugin');
  assert.equal(b.intermediatesPem.length, 1);
});
