// Node agents end to end: `mizzen up --nodes 2` runs the Bookinfo pods as processes in their own
// network namespaces; a pod reaches productpage by its service name (cluster DNS, service NAT, the
// samples), deletion is graceful, and `mizzen down` leaves nothing of the network behind.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { leaks, podNetnsName } from '../../src/netns/index.js';
import { until } from './cluster-process.js';
import { mizzenBin, privateCluster, sharedDir } from './harness.js';

const SKIP = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';
const bookinfoFile = join(sharedDir, 'upstream/istio/samples/bookinfo/platform/kube/bookinfo.yaml');

const { home, name, run, ok } = privateCluster('nodes');
const kubectl = (...args: string[]) => ok('kubectl', args);
const pods = (): any[] => JSON.parse(kubectl('get', 'pods', '-o', 'json')).items;

let started = false;
before(() => {
  if (SKIP) return;
  started = true;
  ok(process.execPath, [mizzenBin, 'up', '--name', name, '--nodes', '2']);
});
after(() => {
  if (started) run(process.execPath, [mizzenBin, 'down', '--name', name]);
  rmSync(home, { recursive: true, force: true });
});

test('two Ready nodes with the kubelet version and pod CIDRs', { skip: SKIP }, () => {
  const nodes = JSON.parse(kubectl('get', 'nodes', '-o', 'json')).items;
  assert.deepEqual(
    nodes.map((n: any) => n.metadata.name),
    [`${name}-worker`, `${name}-worker2`],
  );
  for (const n of nodes) {
    assert.equal(n.status.conditions.find((c: any) => c.type === 'Ready')?.status, 'True');
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.4');
    assert.match(n.spec.podCIDR, /^10\.244\.\d+\.0\/24$/);
    assert.ok(n.status.addresses.some((a: any) => a.type === 'InternalIP'));
  }
  const table = kubectl('get', 'nodes', '--no-headers');
  assert.equal(
    table
      .trim()
      .split('\n')
      .filter((l) => /\sReady\s/.test(l)).length,
    2,
    table,
  );
  const leases = JSON.parse(kubectl('get', 'leases', '-n', 'kube-node-lease', '-o', 'json')).items;
  assert.equal(leases.length, 2);
});

test(
  'Bookinfo runs: 6 pods 1/1 Running, productpage served through DNS and services',
  { skip: SKIP },
  async () => {
    kubectl('apply', '-f', bookinfoFile);
    let last = '';
    await until(
      'the 6 Bookinfo pods to be 1/1 Running',
      () => {
        last = kubectl('get', 'pods', '--no-headers', '-o', 'wide');
        const rows = last.trim().split('\n');
        return rows.length === 6 && rows.every((r) => /\s1\/1\s+Running\s/.test(r));
      },
      60_000,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen:\n${last}`);
    });
    const all = pods();
    const nodesUsed = new Set(all.map((p) => p.spec.nodeName));
    assert.equal(nodesUsed.size, 2, 'pods spread over both nodes');
    for (const p of all) {
      assert.match(p.status.podIP, /^10\.244\.\d+\.\d+$/);
      assert.equal(p.status.containerStatuses[0].state.running !== undefined, true);
      assert.equal(p.status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
    }
    const ratings = all.find((p) => p.metadata.name.startsWith('ratings-'));
    const netns = podNetnsName(name, ratings.metadata.uid);
    // The samples may need a moment after start to listen; the page must come within a few tries.
    const page = await until(
      'productpage to answer from a pod',
      () => {
        const r = run('ip', [
          'netns',
          'exec',
          netns,
          'curl',
          '-sS',
          '-m',
          '5',
          'productpage:9080/productpage',
        ]);
        return r.code === 0 && r.stdout.includes('<title>') ? r.stdout : undefined;
      },
      20_000,
      500,
    );
    assert.match(page, /<title>Simple Bookstore App<\/title>/);
    assert.match(page, /Book Reviews/);
    // The API server at 10.96.0.1:443 through the kubernetes Service name.
    const version = ok('ip', [
      'netns',
      'exec',
      netns,
      'curl',
      '-sS',
      '-m',
      '5',
      '-k',
      'https://kubernetes.default/version',
    ]);
    assert.equal(JSON.parse(version).gitVersion, 'v1.32.4');
    // kubectl logs reads the container's output through the API server; the request above is in it.
    const logs = await until(
      'the productpage request in kubectl logs',
      () => {
        const out = kubectl('logs', 'deploy/productpage-v1', '--tail=20');
        return /GET \/productpage HTTP\/1\.1" 200/.test(out) ? out : undefined;
      },
      10_000,
      250,
    );
    assert.ok(logs.trim().split('\n').length <= 20, '--tail limits the lines');
    // The guide's check, verbatim but for kubectl: exec runs the host's curl inside the ratings pod.
    const guide = ok('bash', [
      '-c',
      `kubectl exec "$(kubectl get pod -l app=ratings -o jsonpath='{.items[0].metadata.name}')" -c ratings -- curl -sS productpage:9080/productpage | grep -o "<title>.*</title>"`,
    ]);
    assert.equal(guide.trim(), '<title>Simple Bookstore App</title>');
    // The pod has its own PID namespace: its first process is the container's, not the host's init.
    assert.equal(kubectl('exec', 'deploy/ratings-v1', '--', 'cat', '/proc/1/comm').trim(), 'node');
    const failed = run('kubectl', ['exec', 'deploy/ratings-v1', '--', 'sh', '-c', 'exit 3']);
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /command terminated with exit code 3/);
    assert.equal(
      ok('kubectl', ['exec', '-i', 'deploy/ratings-v1', '--', 'cat'], 'over stdin').trim(),
      'over stdin',
    );
    const bad = run('kubectl', ['logs', 'deploy/productpage-v1', '-c', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod productpage-v1-/);
  },
);

test('a deleted pod is stopped, its network removed and its object deleted', { skip: SKIP }, async () => {
  const victim = pods().find((p) => p.metadata.name.startsWith('details-'));
  const netns = podNetnsName(name, victim.metadata.uid);
  assert.equal(run('ip', ['netns', 'exec', netns, 'true']).code, 0);
  kubectl('delete', 'pod', victim.metadata.name, '--wait=true', '--timeout=30s');
  assert.notEqual(run('ip', ['netns', 'exec', netns, 'true']).code, 0, 'pod netns removed');
  await until(
    'a replacement details pod to run',
    () => pods().some((p) => p.metadata.name.startsWith('details-') && p.status.phase === 'Running'),
    30_000,
    500,
  );
});

test('mizzen down removes every container and the whole network', { skip: SKIP }, async () => {
  ok(process.execPath, [mizzenBin, 'down', '--name', name]);
  started = false;
  assert.deepEqual(await leaks(name), []);
});
