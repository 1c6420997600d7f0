// Acceptance 10: admission webhooks called over HTTPS by URL, with the test's own CA (made with the
// real openssl CLI) as caBundle, configured and exercised with the real kubectl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type TestCluster } from './harness.js';
import { kubectlAsync, kubectlAsyncOk } from './cluster-process.js';

const NS_ON = 'wh-on';
const NS_OFF = 'wh-off';
const MUTATOR = 'label.e2e.mizzen.dev';
const VALIDATOR = 'deny.e2e.mizzen.dev';
const CLOSED_FAIL = 'closed-fail.e2e.mizzen.dev';
const CLOSED_IGNORE = 'closed-ignore.e2e.mizzen.dev';
const DENY_MESSAGE = 'pod names starting with "forbidden-" are not allowed';

interface Seen {
  path: string;
  review: any;
}

let cluster: TestCluster;
let dir: string;
let server: https.Server;
let port: number;
let closedPort: number;
let caBundle: string;
const seen: Seen[] = [];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CA and a serving certificate for IP 127.0.0.1 signed by it, with the openssl CLI. */
function makeCerts(): { key: string; cert: string; ca: string } {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=mizzen-e2e-webhook-ca',
    '-days',
    '1',
  ]);
  openssl(['req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  openssl([
    'x509',
    '-req',
    '-in',
    'tls.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'tls.crt',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  ]);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { key: read('tls.key'), cert: read('tls.crt'), ca: read('ca.crt') };
}

function answer(review: any, path: string): any {
  const req = review.request;
  const response: any = { uid: req.uid, allowed: true };
  if (path.startsWith('/mutate')) {
    const labels = req.object?.metadata?.labels;
    const patch = labels
      ? [{ op: 'add', path: '/metadata/labels/mutated-by', value: 'mizzen-e2e' }]
      : [{ op: 'add', path: '/metadata/labels', value: { 'mutated-by': 'mizzen-e2e' } }];
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
  } else if (
    path.startsWith('/validate') &&
    String(req.name ?? req.object?.metadata?.name).startsWith('forbidden-')
  ) {
    response.allowed = false;
    response.status = { message: DENY_MESSAGE };
  }
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const hook = (name: string, path: string, extra: string, url = `https://127.0.0.1:${port}${path}`) => `
- name: ${name}
  clientConfig:
    url: ${url}
    caBundle: ${caBundle}
  rules:
  - operations: ["CREATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["pods"]
  sideEffects: None
  admissionReviewVersions: ["v1"]
  timeoutSeconds: 5
${extra}`;

const podYaml = (
  name: string,
  ns: string,
  labels: Record<string, string> = { app: 'demo' },
) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
  labels: ${JSON.stringify(labels)}
spec:
  containers:
  - name: c
    image: busybox
`;

function podFile(name: string, ns: string, labels?: Record<string, string>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, podYaml(name, ns, labels));
  return file;
}

const podLabels = async (name: string, ns: string): Promise<Record<string, string>> =>
  JSON.parse(
    (await kubectlAsyncOk(cluster, ['get', 'pod', name, '-n', ns, '-o', 'jsonpath={.metadata.labels}'])) ||
      '{}',
  );

const callsFor = (path: string, name: string) =>
  seen.filter((s) => s.path.startsWith(path) && s.review.request?.name === name);

before(async () => {
  cluster = startCluster('wh');
  dir = mkdtempSync(join(tmpdir(), 'mizzen-e2e-webhook-'));
  const tls = makeCerts();
  caBundle = Buffer.from(tls.ca).toString('base64');
  server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      seen.push({ path: req.url ?? '', review });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer(review, req.url ?? '')));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  closedPort = await freePort();

  await kubectlAsyncOk(cluster, ['create', 'namespace', NS_ON]);
  await kubectlAsyncOk(cluster, ['label', 'namespace', NS_ON, 'e2e-webhooks=on']);
  await kubectlAsyncOk(cluster, ['create', 'namespace', NS_OFF]);
  const onlyOn = `  namespaceSelector:\n    matchLabels:\n      e2e-webhooks: "on"\n`;
  const config = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: e2e-mutating
webhooks:${hook(MUTATOR, '/mutate', `${onlyOn}  objectSelector:\n    matchExpressions:\n    - {key: skip-mutation, operator: DoesNotExist}\n  failurePolicy: Fail\n`)}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: e2e-validating
webhooks:${hook(VALIDATOR, '/validate', `${onlyOn}  failurePolicy: Fail\n`)}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: e2e-closed-port
webhooks:${hook(CLOSED_FAIL, '/validate', `  objectSelector:\n    matchLabels:\n      closed-port: fail\n  failurePolicy: Fail\n`, `https://127.0.0.1:${closedPort}/validate`)}${hook(CLOSED_IGNORE, '/validate', `  objectSelector:\n    matchLabels:\n      closed-port: ignore\n  failurePolicy: Ignore\n`, `https://127.0.0.1:${closedPort}/validate`)}`;
  const out = await kubectlAsyncOk(cluster, ['create', '-f', '-'], { input: config });
  assert.match(out, /mutatingwebhookconfiguration.admissionregistration.k8s.io\/e2e-mutating created/);
  assert.match(out, /validatingwebhookconfiguration.admissionregistration.k8s.io\/e2e-closed-port created/);
});

after(async () => {
  if (cluster) {
    for (const [kind, name] of [
      ['mutatingwebhookconfiguration', 'e2e-mutating'],
      ['validatingwebhookconfiguration', 'e2e-validating'],
      ['validatingwebhookconfiguration', 'e2e-closed-port'],
    ])
      await kubectlAsync(cluster, ['delete', kind, name, '--ignore-not-found']);
  }
  if (server) await new Promise<void>((r) => server.close(() => r()));
  cluster?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a mutating webhook adds a label to created pods via JSONPatch', async () => {
  const out = await kubectlAsyncOk(cluster, ['create', '-f', podFile('p1', NS_ON)]);
  assert.equal(out.trim(), 'pod/p1 created');
  assert.equal(
    await kubectlAsyncOk(cluster, [
      'get',
      'pod',
      'p1',
      '-n',
      NS_ON,
      '-o',
      'jsonpath={.metadata.labels.mutated-by}',
    ]),
    'mizzen-e2e',
  );
  assert.equal((await podLabels('p1', NS_ON)).app, 'demo', 'the original labels stay');

  const [mutate] = callsFor('/mutate', 'p1');
  assert.ok(mutate, 'the mutating webhook was called for p1');
  assert.equal(
    mutate.path,
    '/mutate?timeout=5s',
    'the timeout is passed as a query parameter, as client-go does',
  );
  assert.equal(mutate.review.apiVersion, 'admission.k8s.io/v1');
  assert.equal(mutate.review.kind, 'AdmissionReview');
  const r = mutate.review.request;
  assert.equal(r.operation, 'CREATE');
  assert.equal(r.namespace, NS_ON);
  assert.deepEqual(r.kind, { group: '', version: 'v1', kind: 'Pod' });
  assert.deepEqual(r.resource, { group: '', version: 'v1', resource: 'pods' });
  assert.equal(
    r.object.metadata.labels['mutated-by'],
    undefined,
    'the webhook sees the object before its own patch',
  );
  assert.ok(r.userInfo?.username, 'the review carries the requesting user');

  // Validating webhooks run after mutation and see the mutated object.
  const [validate] = callsFor('/validate', 'p1');
  assert.ok(validate, 'the validating webhook was called for p1');
  assert.equal(validate.review.request.object.metadata.labels['mutated-by'], 'mizzen-e2e');
});

test('a validating webhook denial is printed by kubectl with the webhook name and message', async () => {
  const file = podFile('forbidden-1', NS_ON);
  const r = await kubectlAsync(cluster, ['create', '-f', file]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(
    r.stderr.trim(),
    `Error from server: error when creating "${file}": admission webhook "${VALIDATOR}" denied the request: ${DENY_MESSAGE}`,
  );

  const run = await kubectlAsync(cluster, ['run', 'forbidden-2', '-n', NS_ON, '--image=busybox']);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.equal(
    run.stderr.trim(),
    `Error from server: admission webhook "${VALIDATOR}" denied the request: ${DENY_MESSAGE}`,
  );

  const get = await kubectlAsync(cluster, ['get', 'pod', 'forbidden-1', '-n', NS_ON]);
  assert.equal(get.code, 1);
  assert.match(get.stderr, /NotFound/);
});

test('namespaceSelector: pods in an unlabelled namespace are neither mutated nor validated', async () => {
  assert.equal(
    (await kubectlAsyncOk(cluster, ['create', '-f', podFile('forbidden-3', NS_OFF)])).trim(),
    'pod/forbidden-3 created',
  );
  assert.equal((await podLabels('forbidden-3', NS_OFF))['mutated-by'], undefined);
  assert.deepEqual(
    seen.filter((s) => s.review.request?.namespace === NS_OFF).map((s) => s.path),
    [],
    'no webhook was called for a namespace outside the selector',
  );
});

test('objectSelector: a pod labelled skip-mutation is validated but not mutated', async () => {
  assert.equal(
    (
      await kubectlAsyncOk(cluster, ['create', '-f', podFile('p2', NS_ON, { 'skip-mutation': 'yes' })])
    ).trim(),
    'pod/p2 created',
  );
  assert.deepEqual(await podLabels('p2', NS_ON), { 'skip-mutation': 'yes' });
  assert.equal(callsFor('/mutate', 'p2').length, 0, 'the mutating webhook was not called');
  assert.equal(callsFor('/validate', 'p2').length, 1, 'the validating webhook was called once');
});

test('a webhook on a closed port rejects with failurePolicy Fail', async () => {
  const file = podFile('closed-fail', NS_OFF, { 'closed-port': 'fail' });
  const r = await kubectlAsync(cluster, ['create', '-f', file]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const url = `https://127.0.0.1:${closedPort}/validate?timeout=5s`;
  assert.equal(
    r.stderr.trim(),
    `Error from server (InternalError): error when creating "${file}": Internal error occurred: failed calling webhook "${CLOSED_FAIL}": ` +
      `failed to call webhook: Post "${url}": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
  );
  assert.equal(
    (await kubectlAsync(cluster, ['get', 'pod', 'closed-fail', '-n', NS_OFF])).code,
    1,
    'the pod was not created',
  );
});

test('a webhook on a closed port is skipped with failurePolicy Ignore', async () => {
  const out = await kubectlAsyncOk(cluster, [
    'create',
    '-f',
    podFile('closed-ignore', NS_OFF, { 'closed-port': 'ignore' }),
  ]);
  assert.equal(out.trim(), 'pod/closed-ignore created');
  assert.equal(
    await kubectlAsyncOk(cluster, [
      'get',
      'pod',
      'closed-ignore',
      '-n',
      NS_OFF,
      '-o',
      'jsonpath={.metadata.name}',
    ]),
    'closed-ignore',
  );
});

test('webhook configurations are removed with kubectl and stop applying', async () => {
  await kubectlAsyncOk(cluster, ['delete', 'mutatingwebhookconfiguration', 'e2e-mutating']);
  await kubectlAsyncOk(cluster, [
    'delete',
    'validatingwebhookconfiguration',
    'e2e-validating',
    'e2e-closed-port',
  ]);
  const before = seen.length;
  assert.equal(
    (
      await kubectlAsyncOk(cluster, [
        'create',
        '-f',
        podFile('forbidden-4', NS_ON, { 'closed-port': 'fail' }),
      ])
    ).trim(),
    'pod/forbidden-4 created',
  );
  assert.equal((await podLabels('forbidden-4', NS_ON))['mutated-by'], undefined);
  assert.equal(seen.length, before, 'no webhook was called after the configurations were deleted');
});
