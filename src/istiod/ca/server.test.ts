import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { FakeKube, makeCsr, opensslVerify } from './ca-fixtures.js';
import { caClientConstructor } from './proto.js';
import { startCa } from './start.js';

const NS = 'istio-system';

function fakeCluster() {
  const kube = new FakeKube();
  kube.put(`/api/v1/namespaces/${NS}`, { metadata: { name: NS } });
  kube.put('/api/v1/namespaces/bookinfo', { metadata: { name: 'bookinfo' } });
  kube.tokenReview = (spec) => {
    if (!spec.audiences?.includes('istio-ca')) return { authenticated: false, error: 'wrong audience' };
    if (spec.token === 'good-token')
      return {
        authenticated: true,
        user: { username: 'system:serviceaccount:bookinfo:reviews' },
        audiences: ['istio-ca'],
      };
    if (spec.token === 'user-token') return { authenticated: true, user: { username: 'alice' } };
    return { authenticated: false, error: 'invalid bearer token' };
  };
  return kube;
}

type Result = { err: grpc.ServiceError | null; chain?: string[] };

function call(client: grpc.Client, token: string | undefined, csr: string, ttl = 3600): Promise<Result> {
  const md = new grpc.Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) =>
    (client as any).CreateCertificate(
      { csr, validity_duration: ttl, metadata: { fields: {} } },
      md,
      { deadline: Date.now() + 30_000 },
      (err: grpc.ServiceError | null, res: any) => resolve({ err, chain: res?.cert_chain }),
    ),
  );
}

test('CreateCertificate over TLS: an authenticated SA gets its SPIFFE cert; no or bad tokens are refused', async () => {
  const kube = fakeCluster();
  const ca = await startCa({ client: kube, namespace: NS, tlsPort: 0, plaintextPort: 0, log: () => {} });
  const Client = caClientConstructor();
  let client: grpc.Client | undefined;
  try {
    await ca.started;
    const status = ca.status();
    assert.ok(status.ready);
    const root = status.rootCertPem;
    client = new Client(`127.0.0.1:${ca.tlsPort()}`, grpc.credentials.createSsl(Buffer.from(root)), {
      // The serving cert names istiod.<ns>.svc, as proxies dial it.
      'grpc.ssl_target_name_override': `istiod.${NS}.svc`,
    });
    const ok = await call(client, 'good-token', makeCsr('rsa'), 7200);
    assert.equal(ok.err, null);
    assert.equal(ok.chain!.length, 2);
    assert.equal(ok.chain![1], root);
    const leaf = new x509.X509Certificate(ok.chain![0]!);
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value);
    assert.deepEqual(san, ['spiffe://cluster.local/ns/bookinfo/sa/reviews']);
    assert.match(opensslVerify(root, [], ok.chain![0]!), /OK/);

    const none = await call(client, undefined, makeCsr());
    assert.equal(none.err?.code, grpc.status.UNAUTHENTICATED);
    assert.match(none.err!.details, /request authenticate failure: no "authorization: Bearer <token>"/);
    const bad = await call(client, 'forged', makeCsr());
    assert.equal(bad.err?.code, grpc.status.UNAUTHENTICATED);
    assert.match(bad.err!.details, /not accepted for audience istio-ca: invalid bearer token/);
    const user = await call(client, 'user-token', makeCsr());
    assert.equal(user.err?.code, grpc.status.UNAUTHENTICATED);
    assert.match(user.err!.details, /belongs to alice, not to a service account/);
    const junk = await call(client, 'good-token', 'not a csr');
    assert.equal(junk.err?.code, grpc.status.INVALID_ARGUMENT);

    // The same service in plain text, and the root was published for the namespaces.
    const plain = new Client(`127.0.0.1:${ca.plaintextPort()}`, grpc.credentials.createInsecure());
    try {
      const p = await call(plain, 'good-token', makeCsr());
      assert.equal(p.err, null);
      assert.equal(p.chain!.length, 2);
    } finally {
      plain.close();
    }
    await ca.publisher()!.synced;
    await ca.publisher()!.idle();
    assert.equal(
      kube.objects.get('/api/v1/namespaces/bookinfo/configmaps/istio-ca-root-cert').data['root-cert.pem'],
      root,
    );
  } finally {
    client?.close();
    await ca.stop();
  }
});

test('broken cacerts: istiod keeps running, answers UNAVAILABLE with the reason, and recovers when fixed', async () => {
  const kube = fakeCluster();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  kube.put(`/api/v1/namespaces/${NS}/secrets/cacerts`, {
    metadata: { name: 'cacerts', namespace: NS },
    data: { 'ca-cert.pem': b64('nope'), 'ca-key.pem': b64('nope'), 'root-cert.pem': b64('nope') },
  });
  const logs: string[] = [];
  const ca = await startCa({
    client: kube,
    namespace: NS,
    tlsPort: 0,
    plaintextPort: 0,
    log: (m) => logs.push(m),
  });
  const Client = caClientConstructor();
  const plain = new Client(`127.0.0.1:${ca.plaintextPort()}`, grpc.credentials.createInsecure());
  try {
    await ca.started;
    const s = ca.status();
    assert.equal(s.ready, false);
    assert.match(!s.ready ? s.error : '', /cacerts: ca-cert.pem holds no PEM certificate/);
    assert.ok(logs.some((l) => /not serving certificates: .*cacerts/.test(l)));
    assert.equal(ca.tlsPort(), undefined);
    const r = await call(plain, 'good-token', makeCsr());
    assert.equal(r.err?.code, grpc.status.UNAVAILABLE);
    assert.match(r.err!.details, /the CA is not serving certificates: .*ca-cert.pem holds no PEM/);

    // The operator deletes the broken Secret: the self-signed root takes over.
    kube.objects.delete(`/api/v1/namespaces/${NS}/secrets/cacerts`);
    kube.emit(`/api/v1/namespaces/${NS}/secrets`, 'DELETED', {
      metadata: { name: 'cacerts', namespace: NS },
    });
    await ca.reload();
    assert.equal(ca.status().ready, true);
    assert.ok(ca.tlsPort());
    const ok = await call(plain, 'good-token', makeCsr());
    assert.equal(ok.err, null);
  } finally {
    plain.close();
    await ca.stop();
  }
});
