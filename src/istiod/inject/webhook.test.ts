import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import https from 'node:https';
import fjp from 'fast-json-patch';
import { injectPod } from './inject.js';
import { defaultContext, productpagePod } from './test-fixtures.js';
import { parseInjectPath, startInjectionServer, type InjectionServer } from './webhook.js';

let dir = '';
let server: InjectionServer | undefined;
let ca = '';

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mizzen-inject-test-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=istiod.istio-system.svc', '-addext', 'subjectAltName=DNS:istiod.istio-system.svc,IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' }); // prettier-ignore
  ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  server = await startInjectionServer({
    port: 0,
    cert: ca,
    key: readFileSync(path.join(dir, 'key.pem')),
    getConfig: () => defaultContext(),
  });
});

after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function request(
  pathname: string,
  body: string | undefined,
  contentType = 'application/json',
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: server!.port,
        path: pathname,
        method: body === undefined ? 'GET' : 'POST',
        ca,
        headers: { 'Content-Type': contentType },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function admissionReview(object: unknown, namespace = 'bookinfo'): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'abc-123',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace,
      operation: 'CREATE',
      object,
    },
  });
}

test('POST /inject returns a JSONPatch that yields the injected pod', async () => {
  const pod = productpagePod();
  const res = await request('/inject', admissionReview(pod));
  assert.equal(res.status, 200);
  const out = JSON.parse(res.text);
  assert.equal(out.apiVersion, 'admission.k8s.io/v1');
  assert.equal(out.kind, 'AdmissionReview');
  assert.equal(out.response.uid, 'abc-123');
  assert.equal(out.response.allowed, true);
  assert.equal(out.response.patchType, 'JSONPatch');
  const ops = JSON.parse(Buffer.from(out.response.patch, 'base64').toString('utf8'));
  const patched = fjp.applyPatch(structuredClone(pod), ops, true, false).newDocument;
  assert.deepEqual(patched, injectPod(productpagePod(), defaultContext()).pod);
});

test('the path carries cluster, network and env; a pod without namespace takes the request namespace', async () => {
  assert.deepEqual(parseInjectPath('/inject/cluster/east/net/network1/foo/a--slash--b'), {
    clusterId: 'east',
    network: 'network1',
    env: { FOO: 'a/b' },
  });
  const pod = productpagePod();
  delete pod.metadata!.namespace;
  const res = await request('/inject/cluster/east/net/network1', admissionReview(pod, 'bookinfo'));
  const out = JSON.parse(res.text);
  const ops = JSON.parse(Buffer.from(out.response.patch, 'base64').toString('utf8')) as fjp.Operation[];
  assert.ok(!ops.some((op) => op.path === '/metadata/namespace'));
  const patched = fjp.applyPatch(structuredClone(pod), ops, true, false).newDocument;
  const env = patched.spec!.containers!.find((c) => c.name === 'istio-proxy')!.env!;
  assert.equal(env.find((e) => e.name === 'ISTIO_META_CLUSTER_ID')?.value, 'east');
  assert.equal(env.find((e) => e.name === 'ISTIO_META_NETWORK')?.value, 'network1');
  assert.equal(patched.metadata!.labels!['topology.istio.io/network'], 'network1');
});

test('opted-out pods are allowed without a patch', async () => {
  const pod = productpagePod();
  pod.metadata!.labels!['sidecar.istio.io/inject'] = 'false';
  const out = JSON.parse((await request('/inject', admissionReview(pod))).text);
  assert.deepEqual(out.response, { uid: 'abc-123', allowed: true });
});

test('malformed requests', async () => {
  const bad = JSON.parse((await request('/inject', '{not json')).text);
  assert.equal(bad.response.allowed, false);
  assert.match(bad.response.result.message, /could not decode body/);
  const notPod = JSON.parse((await request('/inject', admissionReview('a string'))).text);
  assert.equal(notPod.response.allowed, false);
  assert.equal(notPod.response.uid, 'abc-123');
  const odd = productpagePod();
  odd.metadata!.annotations!['inject.istio.io/templates'] = 'nope';
  const failed = JSON.parse((await request('/inject', admissionReview(odd))).text);
  assert.equal(failed.response.allowed, false);
  assert.match(failed.response.result.message, /template "nope" not found/);
  assert.equal((await request('/inject', admissionReview({}), 'text/plain')).status, 415);
  assert.equal((await request('/inject', '')).status, 400);
  assert.equal((await request('/other', '{}')).status, 404);
  const ready = await request('/ready', undefined);
  assert.equal(ready.status, 200);
});
