import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, stat, readFile, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateClusterPki, type ClusterPki } from './pki.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;

let dir: string;
let pki: ClusterPki;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mizzen-pki-'));
  pki = await loadOrCreateClusterPki(dir, { hosts: ['api.example.test'], ips: ['10.96.0.1', '::1'] });
});
after(() => rm(dir, { recursive: true, force: true }));

async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('openssl', args);
  return stdout;
}

async function writeTmp(name: string, data: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, data);
  return p;
}

test('first start creates everything, keys are 0600', async () => {
  assert.deepEqual(pki.generated.sort(), ['admin', 'ca', 'server', 'serviceAccountKey']);
  for (const p of [pki.paths.caKey, pki.paths.serverKey, pki.paths.adminKey, pki.paths.serviceAccountKey]) {
    assert.equal((await stat(p)).mode & 0o777, 0o600, p);
  }
  assert.equal(await readFile(pki.paths.caCert, 'utf8'), pki.caCertPem);
});

test('openssl parses every file and verifies the chain', async () => {
  const verify = await openssl(
    'verify',
    '-CAfile',
    pki.paths.caCert,
    pki.paths.serverCert,
    pki.paths.adminCert,
  );
  assert.match(verify, /apiserver\.crt: OK/);
  assert.match(verify, /admin\.crt: OK/);
  for (const key of [pki.paths.caKey, pki.paths.serverKey, pki.paths.adminKey, pki.paths.serviceAccountKey]) {
    assert.match(await openssl('pkey', '-in', key, '-noout', '-text'), /prime256v1|P-256/);
  }
  await openssl('pkey', '-pubin', '-in', pki.paths.serviceAccountPub, '-noout');
  // The SA public key really is the public half of sa.key.
  const derived = await openssl('pkey', '-in', pki.paths.serviceAccountKey, '-pubout');
  assert.equal(derived.trim(), pki.serviceAccountPublicKeyPem.trim());
});

test('CA profile', async () => {
  const text = await openssl('x509', '-in', pki.paths.caCert, '-noout', '-text');
  assert.match(text, /CA:TRUE/);
  assert.match(text, /Certificate Sign/);
  assert.match(text, /Subject: CN ?= ?kubernetes\n/);
  const end = await openssl('x509', '-in', pki.paths.caCert, '-noout', '-enddate');
  const days = (Date.parse(end.split('=')[1]!) - Date.now()) / DAY_MS;
  assert.ok(days > 3640 && days <= 3651, `CA valid for ${days} days`);
});

test('API server cert has the requested and the in-cluster SANs and serverAuth only', async () => {
  const text = await openssl('x509', '-in', pki.paths.serverCert, '-noout', '-text');
  for (const san of [
    'DNS:api.example.test',
    'DNS:kubernetes,',
    'DNS:kubernetes.default,',
    'DNS:kubernetes.default.svc,',
    'DNS:kubernetes.default.svc.cluster.local',
    'DNS:localhost',
    'IP Address:127.0.0.1',
    'IP Address:10.96.0.1',
    'IP Address:0:0:0:0:0:0:0:1',
  ]) {
    assert.ok(text.includes(san), `missing ${san}`);
  }
  assert.match(text, /TLS Web Server Authentication/);
  assert.doesNotMatch(text, /TLS Web Client Authentication/);
  assert.match(text, /CA:FALSE/);
  const end = await openssl('x509', '-in', pki.paths.serverCert, '-noout', '-enddate');
  const days = (Date.parse(end.split('=')[1]!) - Date.now()) / DAY_MS;
  assert.ok(days > 360 && days <= 366, `server cert valid for ${days} days`);
  // openssl's own purpose check
  const purpose = await openssl(
    'verify',
    '-CAfile',
    pki.paths.caCert,
    '-purpose',
    'sslserver',
    pki.paths.serverCert,
  );
  assert.match(purpose, /OK/);
});

test('admin cert is kubernetes-admin in system:masters with clientAuth', async () => {
  const subject = await openssl(
    'x509',
    '-in',
    pki.paths.adminCert,
    '-noout',
    '-subject',
    '-nameopt',
    'RFC2253',
  );
  assert.equal(subject.trim(), 'subject=CN=kubernetes-admin,O=system:masters');
  const text = await openssl('x509', '-in', pki.paths.adminCert, '-noout', '-text');
  assert.match(text, /TLS Web Client Authentication/);
  assert.doesNotMatch(text, /TLS Web Server Authentication/);
  await assert.rejects(
    openssl('verify', '-CAfile', pki.paths.caCert, '-purpose', 'sslserver', pki.paths.adminCert),
  );
});

test('second start reuses all files', async () => {
  const again = await loadOrCreateClusterPki(dir, {
    hosts: ['api.example.test'],
    ips: ['10.96.0.1', '0:0::1'],
  });
  assert.deepEqual(again.generated, []);
  assert.equal(again.caCertPem, pki.caCertPem);
  assert.equal(again.serverCertPem, pki.serverCertPem);
  assert.equal(again.adminKeyPem, pki.adminKeyPem);
  assert.equal(again.serviceAccountPrivateKeyPem, pki.serviceAccountPrivateKeyPem);
});

test('a new host re-issues only the serving cert, under the same CA', async () => {
  const sub = await mkdtemp(join(dir, 'rehost-'));
  const first = await loadOrCreateClusterPki(sub, { hosts: [], ips: [] });
  const second = await loadOrCreateClusterPki(sub, { hosts: ['new.example.test'], ips: ['192.168.7.7'] });
  assert.deepEqual(second.generated, ['server']);
  assert.equal(second.caCertPem, first.caCertPem);
  assert.equal(second.adminCertPem, first.adminCertPem);
  assert.notEqual(second.serverCertPem, first.serverCertPem);
  const text = await openssl('x509', '-in', second.paths.serverCert, '-noout', '-ext', 'subjectAltName');
  assert.match(text, /DNS:new\.example\.test/);
  assert.match(text, /IP Address:192\.168\.7\.7/);
  assert.match(await openssl('verify', '-CAfile', second.paths.caCert, second.paths.serverCert), /OK/);
});

test('leaf certs within 30 days of expiry are re-issued, the CA is kept', async () => {
  const sub = await mkdtemp(join(dir, 'expiry-'));
  const first = await loadOrCreateClusterPki(sub, { hosts: [], ips: [] });
  const at = (days: number) => () => new Date(Date.now() + days * DAY_MS);
  const stillFine = await loadOrCreateClusterPki(sub, { hosts: [], ips: [], now: at(300) });
  assert.deepEqual(stillFine.generated, []);
  const late = await loadOrCreateClusterPki(sub, { hosts: [], ips: [], now: at(340) });
  assert.deepEqual(late.generated.sort(), ['admin', 'server']);
  assert.equal(late.caCertPem, first.caCertPem);
});

test('a leaf from a different CA or with a mismatched key is replaced', async () => {
  const a = await loadOrCreateClusterPki(await mkdtemp(join(dir, 'a-')), { hosts: [], ips: [] });
  const b = await loadOrCreateClusterPki(await mkdtemp(join(dir, 'b-')), { hosts: [], ips: [] });
  await writeFile(b.paths.serverCert, a.serverCertPem);
  await writeFile(b.paths.adminKey, a.adminKeyPem);
  const again = await loadOrCreateClusterPki(b.dir, { hosts: [], ips: [] });
  assert.deepEqual(again.generated.sort(), ['admin', 'server']);
  assert.match(
    await openssl('verify', '-CAfile', b.paths.caCert, b.paths.serverCert, b.paths.adminCert),
    /admin\.crt: OK/,
  );
  const certPub = await openssl('x509', '-in', b.paths.adminCert, '-noout', '-pubkey');
  const keyPub = await openssl('pkey', '-in', b.paths.adminKey, '-pubout');
  assert.equal(certPub.trim(), keyPub.trim());
});

test('half a CA is an error, not a silent new CA', async () => {
  const sub = await mkdtemp(join(dir, 'half-'));
  const first = await loadOrCreateClusterPki(sub, { hosts: [], ips: [] });
  await unlink(first.paths.caKey);
  await assert.rejects(loadOrCreateClusterPki(sub, { hosts: [], ips: [] }), /incomplete cluster CA/);
});

test('issueClientCert and issueServingCert produce certs the CA verifies for their purpose', async () => {
  const client = await pki.issueClientCert('system:node:worker-1', ['system:nodes'], 30);
  const serving = await pki.issueServingCert(['webhook.default.svc'], ['10.0.0.9'], 30);
  const clientPath = await writeTmp('node.crt', client.certPem);
  const servingPath = await writeTmp('webhook.crt', serving.certPem);
  await writeTmp('node.key', client.keyPem);
  assert.match(
    await openssl('verify', '-CAfile', pki.paths.caCert, '-purpose', 'sslclient', clientPath),
    /OK/,
  );
  assert.match(
    await openssl('verify', '-CAfile', pki.paths.caCert, '-purpose', 'sslserver', servingPath),
    /OK/,
  );
  const subject = await openssl('x509', '-in', clientPath, '-noout', '-subject', '-nameopt', 'RFC2253');
  assert.equal(subject.trim(), 'subject=CN=system:node:worker-1,O=system:nodes');
  const san = await openssl('x509', '-in', servingPath, '-noout', '-ext', 'subjectAltName');
  assert.match(san, /DNS:webhook\.default\.svc, IP Address:10\.0\.0\.9/);
  await openssl('pkey', '-in', join(dir, 'node.key'), '-noout');
  const end = await openssl('x509', '-in', clientPath, '-noout', '-enddate');
  const days = (Date.parse(end.split('=')[1]!) - Date.now()) / DAY_MS;
  assert.ok(days > 29 && days <= 30.01, `client cert valid for ${days} days`);
});
