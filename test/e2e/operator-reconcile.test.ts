// The Sail Operator's controllers run in-process against a real (node-less) Mizzen cluster: the
// sample Istio becomes an IstioRevision and the istiod chart's objects with their upstream names,
// readiness follows the istiod Deployment, a bad version is refused, deletion removes everything.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KubeClient } from '../../src/kube/index.js';
import { controller } from '../../src/operator/index.js';
import { sharedDir, startCluster, type TestCluster } from './harness.js';
import { parseTable } from './kubectl-helpers.js';

const sample = join(sharedDir, 'upstream/sail-operator/chart/samples/istio-sample.yaml');

let cluster: TestCluster;
let operator: { stop(): void } | undefined;
const logs: string[] = [];

before(async () => {
  cluster = startCluster('opreconcile');
  operator = await controller.startOperator({
    client: KubeClient.fromFile(cluster.kubeconfig),
    log: (m) => logs.push(m),
  });
});
after(() => {
  operator?.stop();
  cluster?.down();
});

/** Polls until fn returns a value (not undefined/false) or the deadline passes. */
async function eventually<T>(what: string, fn: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\noperator log:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const exists = (args: string[]) => cluster.kubectl(['get', ...args, '-o', 'name']).code === 0;

test('the sample Istio renders its revision and the istiod objects', async () => {
  cluster.kubectlOk(['create', 'namespace', 'istio-system']);
  cluster.kubectlOk(['apply', '-f', sample]);
  await eventually('IstioRevision default', () => exists(['istiorevision', 'default']));
  for (const obj of [
    ['deployment', 'istiod', '-n', 'istio-system'],
    ['service', 'istiod', '-n', 'istio-system'],
    ['configmap', 'istio', '-n', 'istio-system'],
    ['configmap', 'istio-sidecar-injector', '-n', 'istio-system'],
    ['mutatingwebhookconfiguration', 'istio-sidecar-injector'],
    ['validatingwebhookconfiguration', 'istiod-default-validator'],
  ]) {
    await eventually(obj.join(' '), () => exists(obj));
  }
  const labels = JSON.parse(
    cluster.kubectlOk([
      'get',
      'deployment',
      'istiod',
      '-n',
      'istio-system',
      '-o',
      'jsonpath={.metadata.labels}',
    ]),
  );
  assert.equal(labels['managed-by'], 'sail-operator');
  const owner = JSON.parse(
    cluster.kubectlOk([
      'get',
      'deployment',
      'istiod',
      '-n',
      'istio-system',
      '-o',
      'jsonpath={.metadata.ownerReferences[0]}',
    ]),
  );
  assert.equal(owner.kind, 'IstioRevision');
  assert.equal(owner.name, 'default');
  const row = await eventually('REVISIONS 1', () => {
    const t = parseTable(cluster.kubectlOk(['get', 'istio']));
    return t.rows[0]?.REVISIONS === '1' && t.rows[0]?.['ACTIVE REVISION'] === 'default'
      ? t.rows[0]
      : undefined;
  });
  assert.equal(row.NAMESPACE, 'istio-system');
  assert.equal(row.READY, '0');
});

test('the Istio becomes Ready once the istiod Deployment is available', async () => {
  // No node runs pods, and the deployment controller recomputes a Deployment's status from its pods
  // (a patched Deployment status is reverted at once), so the istiod pod's status is set instead.
  const pod = await eventually('istiod pod', () => {
    const r = cluster.kubectl(['get', 'pods', '-n', 'istio-system', '-l', 'app=istiod', '-o', 'name']);
    return r.stdout.trim().split('\n')[0] || undefined;
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ready = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
  const status = { status: { phase: 'Running', conditions: [ready('Ready'), ready('ContainersReady')] } };
  cluster.kubectlOk([
    'patch',
    pod,
    '-n',
    'istio-system',
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify(status),
  ]);
  // The operator runs in this process: kubectl wait must not block the event loop.
  const wait = cluster.kubectlSpawn(['wait', '--for=condition=Ready', 'istios/default', '--timeout=60s']);
  let out = '';
  wait.stdout?.on('data', (d) => (out += String(d)));
  wait.stderr?.on('data', (d) => (out += String(d)));
  const code = await new Promise<number>((resolve) => wait.on('exit', (c) => resolve(c ?? -1)));
  assert.equal(code, 0, `kubectl wait: ${out}\noperator log:\n${logs.join('\n')}`);
  const t = parseTable(cluster.kubectlOk(['get', 'istio']));
  assert.equal(t.rows[0].READY, '1');
  assert.equal(t.rows[0].STATUS, 'Healthy');
});

test('an unsupported version is refused with a clear message', async () => {
  const bad = JSON.stringify({
    apiVersion: 'sailoperator.io/v1',
    kind: 'Istio',
    metadata: { name: 'bad' },
    spec: { version: 'v9.9.9', namespace: 'istio-system' },
  });
  const r = cluster.kubectl(['apply', '-f', '-'], { input: bad });
  if (r.code !== 0) {
    assert.match(r.stderr, /v9\.9\.9|Unsupported value/);
    return;
  }
  try {
    const message = await eventually('status message', () => {
      const m = cluster.kubectlOk([
        'get',
        'istio',
        'bad',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Reconciled")].message}',
      ]);
      return m || undefined;
    });
    assert.match(message, /unsupported version "v9\.9\.9"/);
  } finally {
    cluster.kubectl(['delete', 'istio', 'bad', '--wait=false']);
  }
});

test('a missing target namespace is reported in status without blocking the other Istio', async () => {
  const other = JSON.stringify({
    apiVersion: 'sailoperator.io/v1',
    kind: 'Istio',
    metadata: { name: 'other' },
    spec: { namespace: 'no-such-ns' },
  });
  cluster.kubectlOk(['apply', '-f', '-'], { input: other });
  try {
    const message = await eventually('Reconciled message', () => {
      const m = cluster.kubectlOk([
        'get',
        'istio',
        'other',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Reconciled")].message}',
      ]);
      return m || undefined;
    });
    assert.equal(message, 'namespace "no-such-ns" doesn\'t exist');
    assert.equal(
      cluster.kubectlOk(['get', 'istio', 'other', '-o', 'jsonpath={.status.state}']),
      'ReconcileError',
    );
    assert.equal(cluster.kubectlOk(['get', 'istio', 'default', '-o', 'jsonpath={.status.state}']), 'Healthy');
  } finally {
    cluster.kubectl(['delete', 'istio', 'other', '--wait=false']);
  }
});

test('deleting the Istio removes the revision and the rendered objects', async () => {
  cluster.kubectlOk(['delete', 'istio', 'default', '--wait=false']);
  await eventually('IstioRevision gone', () => !exists(['istiorevision', 'default']));
  for (const obj of [
    ['deployment', 'istiod', '-n', 'istio-system'],
    ['configmap', 'istio-sidecar-injector', '-n', 'istio-system'],
    ['mutatingwebhookconfiguration', 'istio-sidecar-injector'],
    ['clusterrole', 'istiod-clusterrole-istio-system'],
  ]) {
    await eventually(`${obj.join(' ')} gone`, () => !exists(obj));
  }
});
