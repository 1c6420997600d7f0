// End to end against a real embedded cluster: a ServiceAccount token minted by `kubectl create token
// --audience istio-ca` buys a SPIFFE certificate over TLS, and the root published in
// istio-ca-root-cert verifies it. Not picked up by the unit glob (it starts a cluster); run with
//   node --test --test-concurrency=1 dist/src/istiod/ca/istiod-ca.e2e.js
// It belongs in test/e2e/ once src/istiod/index.ts re-exports startCa (only the import changes).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { startCluster, type TestCluster } from './harness.js';
import { KubeClient } from '../../src/kube/index.js';
import { ca as caApi } from '../../src/istiod/index.js';
import { makeCsr, opensslVerify } from '../../src/istiod/testing.js';

const { caClientConstructor, startCa } = caApi;
type RunningCa = caApi.RunningCa;

let cluster: TestCluster;
let ca: RunningCa | undefined;

before(() => {
  cluster = startCluster('ca');
});
after(async () => {
  await ca?.stop();
  cluster?.down();
});

async function until<T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function createCertificate(
  client: grpc.Client,
  token: string,
  csr: string,
): Promise<{ err: any; chain?: string[] }> {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) =>
    (client as any).CreateCertificate(
      { csr, validity_duration: 3600 },
      md,
      { deadline: Date.now() + 30_000 },
      (err: any, res: any) => resolve({ err, chain: res?.cert_chain }),
    ),
  );
}

test(
  'a pod identity token gets a certificate that verifies against the published root',
  { timeout: 180_000 },
  async () => {
    cluster.kubectlOk(['create', 'namespace', 'istio-system']);
    cluster.kubectlOk(['create', 'namespace', 'bookinfo']);
    cluster.kubectlOk(['create', 'serviceaccount', 'reviews', '-n', 'bookinfo']);
    const token = cluster
      .kubectlOk(['create', 'token', 'reviews', '-n', 'bookinfo', '--audience', 'istio-ca'])
      .trim();
    const wrongAudience = cluster.kubectlOk(['create', 'token', 'reviews', '-n', 'bookinfo']).trim();

    ca = await startCa({
      client: KubeClient.fromFile(cluster.kubeconfig),
      namespace: 'istio-system',
      tlsPort: 0,
      log: () => {},
    });
    await ca.started;
    assert.deepEqual(ca.status().ready, true);
    assert.equal(
      cluster.kubectlOk(['get', 'secret', 'istio-ca-secret', '-n', 'istio-system', '-o', 'jsonpath={.type}']),
      'istio.io/ca-root',
    );

    const root = await until('istio-ca-root-cert in bookinfo', () => {
      const r = cluster.kubectl([
        'get',
        'configmap',
        'istio-ca-root-cert',
        '-n',
        'bookinfo',
        '-o',
        'jsonpath={.data.root-cert\\.pem}',
      ]);
      return r.code === 0 && r.stdout.includes('BEGIN CERTIFICATE') ? r.stdout : undefined;
    });
    // kube-public is skipped, as upstream does.
    assert.notEqual(cluster.kubectl(['get', 'configmap', 'istio-ca-root-cert', '-n', 'kube-public']).code, 0);

    const Client = caClientConstructor();
    const client = new Client(`127.0.0.1:${ca.tlsPort()}`, grpc.credentials.createSsl(Buffer.from(root)), {
      'grpc.ssl_target_name_override': 'istiod.istio-system.svc',
    });
    try {
      const ok = await createCertificate(client, token, makeCsr());
      assert.equal(ok.err, null, String(ok.err?.details));
      const leaf = new x509.X509Certificate(ok.chain![0]!);
      assert.deepEqual(
        leaf.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value),
        ['spiffe://cluster.local/ns/bookinfo/sa/reviews'],
      );
      assert.match(opensslVerify(root, ok.chain!.slice(1, -1), ok.chain![0]!), /leaf.pem: OK/);

      const refused = await createCertificate(client, wrongAudience, makeCsr());
      assert.equal(refused.err?.code, grpc.status.UNAUTHENTICATED);
      const forged = await createCertificate(client, `${token.slice(0, -4)}AAAA`, makeCsr());
      assert.equal(forged.err?.code, grpc.status.UNAUTHENTICATED);
    } finally {
      client.close();
    }

    // A namespace created later gets the root too.
    cluster.kubectlOk(['create', 'namespace', 'later']);
    await until('istio-ca-root-cert in later', () =>
      cluster.kubectl(['get', 'configmap', 'istio-ca-root-cert', '-n', 'later']).code === 0
        ? true
        : undefined,
    );
  },
);
