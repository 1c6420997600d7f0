// Node agent volumes, env and probes on a real cluster: ConfigMap, Secret, downward-API and projected
// service-account token volumes at their mountPaths inside the container (and nowhere on the host),
// env from Secrets and ConfigMaps, ConfigMap updates reaching the files, a missing ConfigMap holding
// the container in CreateContainerConfigError, and a failing liveness probe restarting a container.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { leaks } from '../../src/netns/index.js';
import { until } from './cluster-process.js';
import { mizzenBin, privateCluster } from './harness.js';

const SKIP = process.getuid?.() === 0 ? false : 'needs root (network and mount namespaces)';

const { home, name, run, ok } = privateCluster('nvol');
const kubectl = (...args: string[]) => ok('kubectl', args);
const apply = (obj: object) => ok('kubectl', ['apply', '-f', '-'], JSON.stringify(obj));
const getPod = (pod: string): any => JSON.parse(kubectl('get', 'pod', pod, '-o', 'json'));
const exec = (pod: string, ...cmd: string[]) => run('kubectl', ['exec', pod, '--', ...cmd]);
const CURL = 'docker.io/curlimages/curl:8.16.0';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const tag = `mizzen-e2e-${process.pid}`;
const CONFIG_DIR = `/etc/${tag}/config`;

// What the ServiceAccount admission plugin adds upstream.
const kubeApiAccess = {
  name: 'kube-api-access-e2e',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ],
  },
};

const mountLines = () => new Set(readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n'));
let mountsBefore = new Set<string>();
const existedBefore = new Map<string, boolean>();
const hostPaths = ['/var/run/secrets/kubernetes.io', `/etc/${tag}`, `/${tag}`];

let started = false;
before(() => {
  if (SKIP) return;
  started = true;
  ok(process.execPath, [mizzenBin, 'up', '--name', name, '--nodes', '1']);
  mountsBefore = mountLines();
  for (const p of hostPaths) existedBefore.set(p, existsSync(p));
});
after(async () => {
  if (started) run(process.execPath, [mizzenBin, 'down', '--name', name]);
  rmSync(home, { recursive: true, force: true });
  if (!SKIP) assert.deepEqual(await leaks(name), []);
});

test(
  'volumes and env from ConfigMaps, Secrets, the downward API and a service-account token',
  { skip: SKIP },
  async () => {
    apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'default' },
      data: { 'app.conf': 'color=blue\n', MODE: 'fast', '1st': 'one' },
    });
    apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app-secret', namespace: 'default' },
      stringData: { password: 's3cret' },
    });
    apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'vols', namespace: 'default', labels: { app: 'vols', tier: 'e2e' } },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [
          {
            name: 'main',
            image: CURL,
            command: ['sleep', '3600'],
            env: [
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
              { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'MODE' } } },
              { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
            ],
            envFrom: [
              { prefix: 'CFG_', configMapRef: { name: 'app-config' } },
              { configMapRef: { name: 'app-config' } },
            ],
            volumeMounts: [
              { name: 'config', mountPath: CONFIG_DIR },
              { name: 'secret', mountPath: `/etc/${tag}/secret`, readOnly: true },
              { name: 'podinfo', mountPath: `/etc/${tag}/podinfo` },
              { name: 'scratch', mountPath: `/${tag}` },
              { name: 'kube-api-access-e2e', mountPath: SA_DIR, readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: 'app-config' } },
          {
            name: 'secret',
            secret: { secretName: 'app-secret', items: [{ key: 'password', path: 'db/password' }] },
          },
          {
            name: 'podinfo',
            downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
          },
          { name: 'scratch', emptyDir: {} },
          kubeApiAccess,
        ],
      },
    });
    const pod = await until(
      'the pod to run',
      () => {
        const p = getPod('vols');
        return p.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
      },
      120_000,
      500,
    );
    // The first exec may race the container's mount set-up: wait for the files to show.
    await until(
      'the ConfigMap file',
      () => exec('vols', 'cat', `${CONFIG_DIR}/app.conf`).stdout === 'color=blue\n',
      30_000,
      500,
    );
    assert.equal(exec('vols', 'cat', `/etc/${tag}/secret/db/password`).stdout, 's3cret');
    assert.equal(exec('vols', 'cat', `/etc/${tag}/podinfo/labels`).stdout, 'app="vols"\ntier="e2e"');
    assert.equal(exec('vols', 'cat', `${SA_DIR}/namespace`).stdout, 'default');
    const ca = JSON.parse(kubectl('get', 'configmap', 'kube-root-ca.crt', '-o', 'json')).data['ca.crt'];
    assert.equal(exec('vols', 'cat', `${SA_DIR}/ca.crt`).stdout, ca);
    const token = exec('vols', 'cat', `${SA_DIR}/token`).stdout;
    const review = JSON.parse(
      ok(
        'kubectl',
        ['create', '-o', 'json', '-f', '-'],
        JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }),
      ),
    );
    assert.equal(review.status.authenticated, true, JSON.stringify(review.status));
    assert.equal(review.status.user.username, 'system:serviceaccount:default:default');
    assert.deepEqual(review.status.user.extra['authentication.kubernetes.io/pod-uid'], [pod.metadata.uid]);

    // Projected volumes are read-only; an emptyDir is writable.
    assert.notEqual(exec('vols', 'sh', '-c', `echo x > ${CONFIG_DIR}/new`).code, 0);
    assert.equal(exec('vols', 'sh', '-c', `echo hello > /${tag}/f && cat /${tag}/f`).stdout, 'hello\n');

    assert.equal(exec('vols', 'printenv', 'PASSWORD').stdout, 's3cret\n');
    assert.equal(exec('vols', 'printenv', 'MODE').stdout, 'fast\n');
    assert.equal(exec('vols', 'printenv', 'CFG_MODE').stdout, 'fast\n');
    assert.equal(exec('vols', 'printenv', 'APP').stdout, 'vols\n');
    assert.equal(exec('vols', 'printenv', 'KUBERNETES_SERVICE_HOST').stdout, '10.96.0.1\n');
    assert.equal(exec('vols', 'printenv', 'KUBERNETES_SERVICE_PORT').stdout, '443\n');
    assert.equal(exec('vols', 'printenv', 'CFG_1st').stdout, 'one\n');
    assert.notEqual(exec('vols', 'printenv', '1st').code, 0, 'a key that is no variable name is skipped');

    // Nothing of this reached the host: no new mounts there, no mountPath directories.
    const added = [...mountLines()].filter((l) => !mountsBefore.has(l));
    assert.deepEqual(
      added.filter(
        (l) => l.includes(home) || l.includes(tag) || l.includes('mizzen-scratch') || l.includes(SA_DIR),
      ),
      [],
    );
    for (const p of hostPaths) assert.equal(existsSync(p), existedBefore.get(p), `${p} on the host`);
    // The agent publishes the container's pid for exec.
    const podDir = join(
      home,
      'clusters',
      name,
      'nodes',
      pod.spec.nodeName,
      'pods',
      `default_vols_${pod.metadata.uid}`,
    );
    const pid = Number(readFileSync(join(podDir, 'main.pid'), 'utf8'));
    assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'node');
  },
);

test('a ConfigMap update reaches the mounted file', { skip: SKIP }, async () => {
  apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app-config', namespace: 'default' },
    data: { 'app.conf': 'color=green\n', MODE: 'fast' },
  });
  await until(
    'the new ConfigMap content in the pod',
    () => exec('vols', 'cat', `${CONFIG_DIR}/app.conf`).stdout === 'color=green\n',
    90_000,
    1000,
  );
});

test('a missing ConfigMap keeps the container in CreateContainerConfigError', { skip: SKIP }, async () => {
  apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'nocm', namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 2,
      containers: [
        {
          name: 'main',
          image: CURL,
          command: ['sleep', '3600'],
          env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent-config', key: 'k' } } }],
        },
      ],
    },
  });
  const waiting = await until(
    'CreateContainerConfigError',
    () => {
      const s = getPod('nocm').status?.containerStatuses?.[0]?.state?.waiting;
      return s?.reason === 'CreateContainerConfigError' ? s : undefined;
    },
    60_000,
    500,
  );
  assert.equal(waiting.message, 'configmap "absent-config" not found');
  assert.equal(getPod('nocm').status.phase, 'Pending');
});

test('a failing liveness probe restarts the container', { skip: SKIP }, async () => {
  apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'unlive', namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: CURL,
          command: ['sleep', '3600'],
          livenessProbe: { httpGet: { path: '/', port: 9 }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    },
  });
  const st = await until(
    'a restart after the liveness probe failed',
    () => {
      const s = getPod('unlive').status?.containerStatuses?.[0];
      return s?.restartCount > 0 ? s : undefined;
    },
    120_000,
    1000,
  );
  assert.ok(st.restartCount >= 1);
});
