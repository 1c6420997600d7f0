// Node agent behaviour on single pods: unknown images, readiness probes, restarts with back-off,
// init containers, the downward-API env, container logs and run-to-completion pods.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { leaks } from '../../src/netns/index.js';
import { until } from './cluster-process.js';
import { mizzenBin, privateCluster } from './harness.js';

const SKIP = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

const { home, name, run, ok } = privateCluster('npods');
const apply = (obj: object) => ok('kubectl', ['apply', '-f', '-'], JSON.stringify(obj));
const getPod = (pod: string): any => JSON.parse(ok('kubectl', ['get', 'pod', pod, '-o', 'json']));
const pod = (podName: string, spec: object) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: podName, namespace: 'default' },
  spec: { terminationGracePeriodSeconds: 2, ...spec },
});
const CURL = 'docker.io/curlimages/curl:8.16.0';
const HTTPBIN = 'docker.io/mccutchen/go-httpbin:v2.15.0';

let started = false;
before(() => {
  if (SKIP) return;
  started = true;
  ok(process.execPath, [mizzenBin, 'up', '--name', name, '--nodes', '1']);
});
after(async () => {
  if (started) run(process.execPath, [mizzenBin, 'down', '--name', name]);
  rmSync(home, { recursive: true, force: true });
  if (!SKIP) assert.deepEqual(await leaks(name), []);
});

test('an image outside the catalogue waits in ImagePullBackOff', { skip: SKIP }, async () => {
  apply(pod('nope', { containers: [{ name: 'c', image: 'example.com/team/nope:1.0' }] }));
  const st = await until('an image pull failure', () => {
    const s = getPod('nope').status?.containerStatuses?.[0];
    return s?.state?.waiting?.reason === 'ImagePullBackOff' ? s : undefined;
  });
  assert.match(st.state.waiting.message, /not in the catalogue/);
  assert.equal(st.ready, false);
  assert.equal(getPod('nope').status.phase, 'Pending');
});

test('readiness follows the httpGet probe', { skip: SKIP }, async () => {
  const probe = (path: string) => ({ httpGet: { path, port: 'http' }, periodSeconds: 1 });
  for (const [podName, path] of [
    ['ready', '/status/200'],
    ['unready', '/status/503'],
  ] as const)
    apply(
      pod(podName, {
        containers: [
          {
            name: 'web',
            image: HTTPBIN,
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: probe(path),
          },
        ],
      }),
    );
  await until(
    'the probed pod to be Ready',
    () => getPod('ready').status?.containerStatuses?.[0]?.ready,
    20_000,
    200,
  );
  const unready = await until(
    'the unready pod to run',
    () => {
      const st = getPod('unready').status;
      return st?.containerStatuses?.[0]?.state?.running ? st : undefined;
    },
    20_000,
    200,
  );
  assert.equal(unready.phase, 'Running');
  assert.equal(unready.containerStatuses[0].ready, false);
  assert.ok(unready.containerStatuses[0].state.running);
  assert.equal(unready.conditions.find((c: any) => c.type === 'Ready').status, 'False');
});

test('init containers run first; env has the downward API; logs are kept', { skip: SKIP }, async () => {
  apply(
    pod('envpod', {
      restartPolicy: 'Never',
      serviceAccountName: 'default',
      initContainers: [{ name: 'setup', image: CURL, command: ['sh', '-c', 'echo init done'] }],
      containers: [
        {
          name: 'main',
          image: CURL,
          command: ['sh', '-c', 'echo "pod=$POD ns=$NS ip=$IP node=$NODE sa=$SA host=$HOSTNAME"'],
          env: [
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
          ],
        },
      ],
    }),
  );
  const p = await until('the pod to succeed', () => {
    const x = getPod('envpod');
    return x.status?.phase === 'Succeeded' ? x : undefined;
  });
  assert.equal(p.status.initContainerStatuses[0].state.terminated.exitCode, 0);
  assert.equal(p.status.containerStatuses[0].state.terminated.reason, 'Completed');
  const dir = join(
    home,
    'clusters',
    name,
    'nodes',
    p.spec.nodeName,
    'pods',
    `default_envpod_${p.metadata.uid}`,
  );
  assert.equal(readFileSync(join(dir, 'setup-0.log'), 'utf8'), 'init done\n');
  assert.equal(
    readFileSync(join(dir, 'main-0.log'), 'utf8'),
    `pod=envpod ns=default ip=${p.status.podIP} node=${p.spec.nodeName} sa=default host=envpod\n`,
  );
});

test('a failing container restarts after a back-off', { skip: SKIP }, async () => {
  apply(pod('crash', { containers: [{ name: 'c', image: CURL, command: ['sh', '-c', 'exit 3'] }] }));
  const first = await until('CrashLoopBackOff', () => {
    const s = getPod('crash').status?.containerStatuses?.[0];
    return s?.state?.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
  });
  assert.equal(first.lastState.terminated.exitCode, 3);
  assert.equal(first.restartCount, 0);
  await until(
    'the first restart',
    () => getPod('crash').status.containerStatuses[0].restartCount >= 1,
    20_000,
    500,
  );
});
