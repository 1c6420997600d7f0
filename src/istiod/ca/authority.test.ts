import { test } from 'node:test';
import assert from 'node:assert/strict';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  createSelfSignedRoot,
  DEFAULT_WORKLOAD_TTL_SECONDS,
  issueServingCert,
  loadCaBundle,
  signCsr,
  splitPemCerts,
} from './authority.js';
import { certText, makeCsr, makePluginMaterial, opensslVerify } from './ca-fixtures.js';

const ID = 'spiffe://cluster.local/ns/bookinfo/sa/reviews';
const HOUR = 3600;

async function selfSigned() {
  return loadCaBundle(await createSelfSignedRoot('cluster.local'), 'self-signed', 'istio-ca-secret');
}

test('self-signed root: 10 years, O=trust domain, CA with keyCertSign, ECDSA P-256', async () => {
  const pem = await createSelfSignedRoot('example.org');
  const root = new x509.X509Certificate(pem.rootCertPem);
  assert.equal(root.subject, 'O=example.org');
  const years = (root.notAfter.getTime() - root.notBefore.getTime()) / (365 * 24 * 3600 * 1000);
  assert.ok(years > 9.99 && years < 10.01, `root lifetime ${years}y`);
  assert.equal(root.getExtension(x509.BasicConstraintsExtension)?.ca, true);
  const text = certText(pem.rootCertPem);
  assert.match(text, /Certificate Sign/);
  assert.match(text, /prime256v1/);
});

test('the leaf names the authenticated identity, not the CSR, and chains leaf-first to the root', async () => {
  const ca = await selfSigned();
  for (const kind of ['ec', 'rsa'] as const) {
    const chain = await signCsr(ca, { csrPem: makeCsr(kind), identity: ID, ttlSeconds: 2 * HOUR });
    assert.equal(chain.length, 2);
    assert.equal(chain[1], ca.rootCertPem);
    const leaf = new x509.X509Certificate(chain[0]!);
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension)!;
    assert.deepEqual(
      san.names.items.map((n) => [n.type, n.value]),
      [['url', ID]],
    );
    assert.doesNotMatch(certText(chain[0]!), /kube-system|evil/);
    const lifetime = (leaf.notAfter.getTime() - Date.now()) / 1000;
    assert.ok(lifetime > 2 * HOUR - 60 && lifetime <= 2 * HOUR, `lifetime ${lifetime}s`);
    assert.equal(leaf.getExtension(x509.BasicConstraintsExtension)?.ca, false);
    assert.match(opensslVerify(chain[1]!, [], chain[0]!, 'sslclient'), /leaf.pem: OK/);
    assert.match(opensslVerify(chain[1]!, [], chain[0]!, 'sslserver'), /leaf.pem: OK/);
  }
});

test('TTL: 0 gets the 24h default, and the maximum caps a long request', async () => {
  const ca = await selfSigned();
  const life = async (ttlSeconds: number, maxTtlSeconds?: number) => {
    const [leaf] = await signCsr(ca, { csrPem: makeCsr(), identity: ID, ttlSeconds, maxTtlSeconds });
    return (new x509.X509Certificate(leaf!).notAfter.getTime() - Date.now()) / 1000;
  };
  const d = await life(0);
  assert.ok(d > DEFAULT_WORKLOAD_TTL_SECONDS - 60 && d <= DEFAULT_WORKLOAD_TTL_SECONDS, `default ${d}`);
  const capped = await life(48 * HOUR, 24 * HOUR);
  assert.ok(capped <= 24 * HOUR && capped > 24 * HOUR - 60, `capped ${capped}`);
});

test('a CSR that does not parse, or whose signature is wrong, is refused', async () => {
  const ca = await selfSigned();
  await assert.rejects(signCsr(ca, { csrPem: 'junk', identity: ID, ttlSeconds: 0 }), /CSR cannot be parsed/);
  const csr = new x509.Pkcs10CertificateRequest(makeCsr());
  const raw = Buffer.from(csr.rawData);
  raw[raw.length - 5] ^= 0xff; // inside the signature
  await assert.rejects(
    signCsr(ca, {
      csrPem: x509.PemConverter.encode(raw, 'CERTIFICATE REQUEST'),
      identity: ID,
      ttlSeconds: 0,
    }),
    /CSR/,
  );
});

test('plug-in material from the guide recipe: chain = leaf, intermediate, root; openssl verifies', async () => {
  const m = makePluginMaterial();
  const ca = await loadCaBundle(
    { caCertPem: m.caCert, caKeyPem: m.caKey, rootCertPem: m.rootCert, certChainPem: m.certChain },
    'plugin',
    'cacerts',
  );
  const chain = await signCsr(ca, { csrPem: makeCsr(), identity: ID, ttlSeconds: HOUR });
  assert.equal(chain.length, 3);
  assert.equal(new x509.X509Certificate(chain[1]!).subject, new x509.X509Certificate(m.caCert).subject);
  assert.equal(chain[2], splitPemCerts(m.rootCert)[0]);
  // Each element is one newline-terminated PEM, so they concatenate into a valid bundle.
  assert.ok(chain.every((p) => p.endsWith('-----END CERTIFICATE-----\n')));
  assert.equal(splitPemCerts(chain.join('')).length, 3);
  const serving = await issueServingCert(ca, { dnsNames: ['istiod.istio-system.svc'] });
  assert.equal(splitPemCerts(serving.certChainPem).length, 2);
  assert.match(
    opensslVerify(
      m.rootCert,
      splitPemCerts(serving.certChainPem).slice(1),
      serving.certChainPem,
      'sslserver',
    ),
    /OK/,
  );
  assert.match(opensslVerify(chain[2]!, [chain[1]!], chain[0]!), /leaf.pem: OK/);
  // Without the intermediate the leaf must not verify: it really is issued by the intermediate.
  assert.throws(() => opensslVerify(chain[2]!, [], chain[0]!));
});

test('broken plug-in material is refused with a message naming the problem', async () => {
  const m = makePluginMaterial();
  const other = makePluginMaterial();
  const base = { caCertPem: m.caCert, caKeyPem: m.caKey, rootCertPem: m.rootCert, certChainPem: m.certChain };
  await assert.rejects(
    loadCaBundle({ ...base, caKeyPem: other.caKey }, 'plugin', 'cacerts'),
    /cacerts: ca-key.pem does not match the certificate in ca-cert.pem/,
  );
  await assert.rejects(
    loadCaBundle({ ...base, rootCertPem: other.rootCert, certChainPem: '' }, 'plugin', 'cacerts'),
    /ca-cert.pem .* is not signed by the root in root-cert.pem/,
  );
  await assert.rejects(
    loadCaBundle({ ...base, caCertPem: 'garbage' }, 'plugin', 'cacerts'),
    /ca-cert.pem holds no PEM/,
  );
  await assert.rejects(
    loadCaBundle({ ...base, caKeyPem: 'garbage' }, 'plugin', 'cacerts'),
    /ca-key.pem cannot be read/,
  );
  const notCa = makePluginMaterial({ intermediateIsCa: false });
  await assert.rejects(
    loadCaBundle(
      { caCertPem: notCa.caCert, caKeyPem: notCa.caKey, rootCertPem: notCa.rootCert },
      'plugin',
      'cacerts',
    ),
    /cacerts: ca-cert.pem is not a CA certificate/,
  );
  const old = await createSelfSignedRoot('cluster.local', new Date(Date.now() - 3 * 24 * 3600 * 1000), 1);
  await assert.rejects(loadCaBundle(old, 'plugin', 'cacerts'), /cacerts: ca-cert.pem expired on /);
});

test('serving cert for 15012 has the DNS SANs and verifies for TLS servers', async () => {
  const ca = await selfSigned();
  const s = await issueServingCert(ca, {
    dnsNames: ['istiod.istio-system.svc', 'istiod-canary.istio-system.svc'],
  });
  const leaf = new x509.X509Certificate(splitPemCerts(s.certChainPem)[0]!);
  const names = leaf.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value);
  assert.deepEqual(names, ['istiod.istio-system.svc', 'istiod-canary.istio-system.svc']);
  assert.match(opensslVerify(ca.rootCertPem, [], s.certChainPem, 'sslserver'), /OK/);
});
