import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { KubeClient } from '../kube/index.js';
import { PodVolumes, subPathSource } from './pod-volumes.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A stand-in API: GETs answer from `objects`, token requests are counted and expire in 1000 s. */
function fakeClient(objects: Record<string, any>) {
  const calls: Array<{ method: string; path: string; body?: any }> = [];
  let issued = 0;
  let now = 0;
  const client = {
    async find(path: string) {
      calls.push({ method: 'GET', path });
      return objects[path] ? structuredClone(objects[path]) : undefined;
    },
    async request(method: string, path: string, body?: any) {
      calls.push({ method, path, body });
      issued++;
      return {
        status: { token: `token-${issued}`, expirationTimestamp: new Date(now + 1_000_000).toISOString() },
      };
    },
  };
  return { client: client as unknown as KubeClient, calls, setNow: (t: number) => (now = t) };
}

const pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { a: 'b' } },
  spec: {
    serviceAccountName: 'sa',
    containers: [{ name: 'c' }],
    volumes: [
      { name: 'cfg', configMap: { name: 'app' } },
      { name: 'scratch', emptyDir: {} },
      {
        name: 'kube-api-access-abcde',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] },
            },
          ],
        },
      },
    ],
  },
};
const facts = {
  name: 'p',
  namespace: 'ns',
  uid: 'uid-1',
  podIP: '10.244.1.2',
  nodeName: 'n',
  serviceAccountName: 'sa',
  hostIP: '1.2.3.4',
  labels: { a: 'b' },
};

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const podDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mizzen-podvol-'));
  dirs.push(d);
  return d;
};

test('a missing ConfigMap holds the pod back with a message naming it, until it exists', async () => {
  const objects: Record<string, any> = {
    '/api/v1/namespaces/ns/configmaps/kube-root-ca.crt': { data: { 'ca.crt': 'PEM' } },
  };
  const { client, calls, setNow } = fakeClient(objects);
  const dir = podDir();
  let now = 1_000_000;
  setNow(now);
  const v = new PodVolumes(pod, facts, { client, podDir: dir, log: () => {}, now: () => now });
  assert.equal(await v.ready(), 'MountVolume.SetUp failed for volume "cfg" : configmap "app" not found');
  objects['/api/v1/namespaces/ns/configmaps/app'] = { data: { 'app.conf': 'v1' } };
  assert.equal(await v.ready(), undefined);
  assert.equal(readFileSync(join(dir, 'volumes/cfg/app.conf'), 'utf8'), 'v1');
  assert.ok(existsSync(join(dir, 'volumes/scratch')));
  const sa = join(dir, 'volumes/kube-api-access-abcde');
  assert.equal(readFileSync(join(sa, 'ca.crt'), 'utf8'), 'PEM');
  assert.equal(readFileSync(join(sa, 'namespace'), 'utf8'), 'ns');
  const tokenCalls = calls.filter((c) => c.method === 'POST');
  assert.equal(tokenCalls[0]!.path, '/api/v1/namespaces/ns/serviceaccounts/sa/token');
  assert.deepEqual(tokenCalls[0]!.body.spec, {
    audiences: [],
    expirationSeconds: 3607,
    boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'uid-1' },
  });

  // A resync picks up new data; the token is reused until 80% of its life has passed.
  const posts = () => calls.filter((c) => c.method === 'POST').length;
  const before = posts();
  objects['/api/v1/namespaces/ns/configmaps/app'] = { data: { 'app.conf': 'v2' } };
  now += 700_000;
  assert.equal(await v.sync(false), undefined);
  assert.equal(readFileSync(join(dir, 'volumes/cfg/app.conf'), 'utf8'), 'v2');
  assert.equal(posts(), before);
  now += 200_000;
  await v.sync(false);
  assert.equal(posts(), before + 1);
  assert.equal(readFileSync(join(sa, 'token'), 'utf8'), `token-${before + 1}`);

  // An object deleted later leaves the last content in place, as kubelet does.
  delete objects['/api/v1/namespaces/ns/configmaps/app'];
  assert.match((await v.sync(false))!, /configmap "app" not found/);
  assert.equal(readFileSync(join(dir, 'volumes/cfg/app.conf'), 'utf8'), 'v2');
  v.stop();
  assert.equal(existsSync(join(dir, 'volumes')), false);
});

test('mount plans: projected volumes read-only, subPath resolved inside the volume', async () => {
  const objects = {
    '/api/v1/namespaces/ns/configmaps/app': { data: { 'app.conf': 'v1' } },
    '/api/v1/namespaces/ns/configmaps/kube-root-ca.crt': { data: { 'ca.crt': 'PEM' } },
    '/api/v1/namespaces/ns/secrets/unused': { data: { x: b64('y') } },
  };
  const { client } = fakeClient(objects);
  const dir = podDir();
  const v = new PodVolumes(pod, facts, { client, podDir: dir, log: () => {} });
  assert.equal(await v.ready(), undefined);
  const plan = v.mountPlan(
    [
      { name: 'cfg', mountPath: '/etc/app' },
      { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
      { name: 'scratch', mountPath: '/data', readOnly: true },
      { name: 'scratch', mountPath: '/logs', subPathExpr: '$(POD)/logs' },
    ],
    { POD: 'p' },
  );
  assert.ok('mounts' in plan);
  const vol = (n: string) => join(dir, 'volumes', n);
  assert.equal(plan.mounts[0]!.source, vol('cfg'));
  assert.equal(plan.mounts[0]!.readOnly, true);
  assert.match(plan.mounts[1]!.source, /volumes\/cfg\/\.\.\d{4}_[^/]+\/app\.conf$/);
  assert.deepEqual(plan.mounts[2], { source: vol('scratch'), target: '/data', readOnly: true });
  assert.equal(plan.mounts[3]!.source, join(vol('scratch'), 'p/logs'));
  assert.equal(plan.mounts[3]!.readOnly, false);
  assert.deepEqual(v.mountPlan([{ name: 'nope', mountPath: '/x' }], {}), {
    error: 'cannot find volume "nope" to mount into container',
  });
  v.stop();
});

test('a subPath may not lead out of its volume', () => {
  const dir = podDir();
  const root = join(dir, 'vol');
  subPathSource(root, 'a', true);
  symlinkSync('/etc', join(root, 'escape'));
  assert.throws(() => subPathSource(root, 'escape', true), /leaves the volume/);
  assert.throws(() => subPathSource(root, '../x', true), /invalid subPath/);
  assert.throws(() => subPathSource(root, 'missing', false), /does not exist/);
});
