// The kube-controller-manager part of the embedded cluster, driven by the real kubectl against
// `mizzen up` with a fake kubelet (controllers-fake-kubelet.ts) standing in for node agents:
// Bookinfo's Deployments, ReplicaSets, scheduling across two nodes, EndpointSlices and Endpoints,
// rollout restart/status/undo/history, scale, a DaemonSet, a StatefulSet and a node going NotReady.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedDir, startCluster, type TestCluster } from './harness.js';
import { parseTable, until } from './kubectl-helpers.js';
import { FakeKubeletHandle } from './controllers-fake-kubelet.js';

const BOOKINFO = join(sharedDir, 'upstream/istio/samples/bookinfo/platform/kube/bookinfo.yaml');
const NS = 'bookinfo';
const HASH = /^[bcdfghjklmnpqrstvwxz2456789]{10}$/;

let cluster: TestCluster;
let kubelet: FakeKubeletHandle;

const json = (args: string[]): any => JSON.parse(cluster.kubectlOk([...args, '-o', 'json']));
const podsOf = (selector: string, ns = NS): any[] =>
  json(['get', 'pods', '-n', ns, '-l', selector]).items.filter((p: any) => !p.metadata.deletionTimestamp);
const ready = (p: any) =>
  (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

before(async () => {
  // Nodes go Unknown 3 s after their last lease renewal (upstream: 40 s).
  process.env.MIZZEN_NODE_MONITOR_GRACE_PERIOD = '3';
  cluster = startCluster('ctrl');
  kubelet = new FakeKubeletHandle(cluster.kubeconfig, ['node-a', 'node-b'], { 'node-a': 'zone-1' });
  await kubelet.ready();
});

after(async () => {
  await kubelet?.stop();
  cluster?.down();
});

test('two Ready nodes', async () => {
  await until('nodes Ready', () => {
    const t = parseTable(cluster.kubectlOk(['get', 'nodes']));
    return t.rows.length === 2 && t.rows.every((r) => r.STATUS === 'Ready') && t;
  });
});

test('Bookinfo: ReplicaSets and six pods spread over two nodes, all Ready', async () => {
  cluster.kubectlOk(['create', 'ns', NS]);
  cluster.kubectlOk(['apply', '-n', NS, '-f', BOOKINFO]);
  const pods = await until(
    'six Ready bookinfo pods',
    () => {
      const items = json(['get', 'pods', '-n', NS]).items;
      return items.length === 6 && items.every(ready) && items;
    },
    30_000,
  );
  const nodes = new Set(pods.map((p: any) => p.spec.nodeName));
  assert.deepEqual([...nodes].sort(), ['node-a', 'node-b']);
  const perNode = [...nodes].map((n) => pods.filter((p: any) => p.spec.nodeName === n).length);
  assert.deepEqual(perNode, [3, 3], 'least loaded node first');
  const rss = json(['get', 'rs', '-n', NS]).items;
  assert.equal(rss.length, 6);
  for (const rs of rss) {
    const owner = rs.metadata.ownerReferences[0];
    assert.equal(owner.kind, 'Deployment');
    assert.equal(owner.controller, true);
    const hash = rs.metadata.labels['pod-template-hash'];
    assert.match(hash, HASH);
    assert.equal(rs.metadata.name, `${owner.name}-${hash}`);
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  }
  for (const p of pods) {
    const ref = p.metadata.ownerReferences[0];
    assert.equal(ref.kind, 'ReplicaSet');
    assert.equal(ref.blockOwnerDeletion, true);
    assert.ok(p.metadata.name.startsWith(`${ref.name}-`));
  }
  const deploys = await until('deployments READY 1/1', () => {
    const t = parseTable(cluster.kubectlOk(['get', 'deploy', '-n', NS]));
    return t.rows.every((r) => r.READY === '1/1' && r['UP-TO-DATE'] === '1' && r.AVAILABLE === '1') && t;
  });
  assert.equal(deploys.rows.length, 6);
  const d = json(['get', 'deploy', 'productpage-v1', '-n', NS]);
  const conds = Object.fromEntries(d.status.conditions.map((c: any) => [c.type, c]));
  assert.equal(conds.Available.reason, 'MinimumReplicasAvailable');
  assert.equal(conds.Progressing.reason, 'NewReplicaSetAvailable');
  assert.match(
    conds.Progressing.message,
    /^ReplicaSet "productpage-v1-[a-z0-9]{10}" has successfully progressed\.$/,
  );
  const events = cluster.kubectlOk([
    'get',
    'events',
    '-n',
    NS,
    '--field-selector',
    'involvedObject.name=productpage-v1',
  ]);
  assert.match(
    events,
    /ScalingReplicaSet\s+deployment\/productpage-v1\s+Scaled up replica set productpage-v1-\S+ from 0 to 1/,
  );
  const scheduled = cluster.kubectlOk(['get', 'events', '-n', NS, '--field-selector', 'reason=Scheduled']);
  assert.match(scheduled, /Successfully assigned bookinfo\/productpage-v1-\S+ to node-[ab]/);
});

test('EndpointSlices and Endpoints carry the pod IPs', async () => {
  const pod = podsOf('app=productpage')[0];
  const ip = pod.status.podIP;
  const slice = await until('productpage slice with the pod', () => {
    const items = json([
      'get',
      'endpointslices',
      '-n',
      NS,
      '-l',
      'kubernetes.io/service-name=productpage',
    ]).items;
    return items.length === 1 && items[0].endpoints?.length === 1 && items[0];
  });
  assert.match(slice.metadata.name, /^productpage-[a-z0-9]{5}$/);
  assert.equal(
    slice.metadata.labels['endpointslice.kubernetes.io/managed-by'],
    'endpointslice-controller.k8s.io',
  );
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.ports, [{ name: 'http', port: 9080, protocol: 'TCP' }]);
  const ep = slice.endpoints[0];
  assert.deepEqual(ep.addresses, [ip]);
  assert.deepEqual(ep.conditions, { ready: true, serving: true, terminating: false });
  assert.equal(ep.nodeName, pod.spec.nodeName);
  assert.equal(ep.targetRef.name, pod.metadata.name);
  if (pod.spec.nodeName === 'node-a') assert.equal(ep.zone, 'zone-1');
  await until('kubectl get endpoints shows ip:9080', () => {
    const t = parseTable(cluster.kubectlOk(['get', 'endpoints', 'productpage', '-n', NS]));
    return t.rows[0]?.ENDPOINTS === `${ip}:9080`;
  });
  const reviews = json(['get', 'endpoints', 'reviews', '-n', NS]);
  assert.equal(reviews.subsets.length, 1);
  assert.equal(reviews.subsets[0].addresses.length, 3);
  assert.deepEqual(reviews.subsets[0].ports, [{ name: 'http', port: 9080, protocol: 'TCP' }]);
});

test('rollout restart replaces every pod; rollout status completes', async () => {
  const before = new Set(json(['get', 'pods', '-n', NS]).items.map((p: any) => p.metadata.name));
  kubelet.readyDelayMs = 150;
  cluster.kubectlOk(['rollout', 'restart', 'deployments', '-n', NS]);
  for (const d of ['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']) {
    const out = cluster.kubectlOk(['rollout', 'status', `deployment/${d}`, '-n', NS, '--timeout=30s'], {
      timeoutMs: 35_000,
    });
    assert.match(out, new RegExp(`deployment "${d}" successfully rolled out`));
  }
  kubelet.readyDelayMs = 0;
  const pods = await until('six new pods', () => {
    const items = json(['get', 'pods', '-n', NS]).items;
    return items.length === 6 && items.every((p: any) => ready(p) && !before.has(p.metadata.name)) && items;
  });
  assert.equal(pods.length, 6);
  const rss = json(['get', 'rs', '-n', NS, '-l', 'app=ratings']).items;
  assert.equal(rss.length, 2);
  const byRev = Object.fromEntries(
    rss.map((rs: any) => [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs]),
  );
  assert.equal(byRev['1'].spec.replicas, 0);
  assert.equal(byRev['2'].spec.replicas, 1);
  assert.ok(byRev['2'].spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
  const d = json(['get', 'deploy', 'ratings-v1', '-n', NS]);
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
  // The endpoints follow the new pod.
  const ip = podsOf('app=ratings')[0].status.podIP;
  await until(
    'ratings endpoints on the new pod',
    () =>
      parseTable(cluster.kubectlOk(['get', 'endpoints', 'ratings', '-n', NS])).rows[0]?.ENDPOINTS ===
      `${ip}:9080`,
  );
});

test('scale, rollout history and rollout undo', async () => {
  cluster.kubectlOk(['scale', 'deployment/reviews-v1', '-n', NS, '--replicas=3']);
  await until('three reviews-v1 pods ready', () => {
    const t = parseTable(cluster.kubectlOk(['get', 'deploy', 'reviews-v1', '-n', NS]));
    return t.rows[0]?.READY === '3/3' && t.rows[0]?.AVAILABLE === '3';
  });
  const spread = podsOf('app=reviews,version=v1').map((p) => p.spec.nodeName);
  assert.equal(new Set(spread).size, 2, 'replicas spread over both nodes');
  const history = cluster.kubectlOk(['rollout', 'history', 'deployment/reviews-v1', '-n', NS]);
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  const firstRS = json(['get', 'rs', '-n', NS, '-l', 'app=reviews,version=v1']).items.find(
    (rs: any) => rs.metadata.annotations['deployment.kubernetes.io/revision'] === '1',
  );
  cluster.kubectlOk(['rollout', 'undo', 'deployment/reviews-v1', '-n', NS]);
  cluster.kubectlOk(['rollout', 'status', 'deployment/reviews-v1', '-n', NS, '--timeout=30s'], {
    timeoutMs: 35_000,
  });
  const rss = json(['get', 'rs', '-n', NS, '-l', 'app=reviews,version=v1']).items;
  const active = rss.filter((rs: any) => rs.spec.replicas > 0);
  assert.equal(active.length, 1);
  assert.equal(active[0].metadata.name, firstRS.metadata.name, 'undo brings back the first ReplicaSet');
  assert.equal(active[0].metadata.annotations['deployment.kubernetes.io/revision'], '3');
  assert.equal(active[0].metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(active[0].spec.replicas, 3);
  const history2 = cluster.kubectlOk(['rollout', 'history', 'deployment/reviews-v1', '-n', NS]);
  assert.match(history2, /\n2\s+<none>\n3\s+<none>/);
});

test('Recreate and paused deployments', async () => {
  cluster.kubectlOk([
    'create',
    'deployment',
    'recreate',
    '-n',
    NS,
    '--image=docker.io/istio/examples-bookinfo-ratings-v1:1.20.3',
    '--replicas=2',
  ]);
  cluster.kubectlOk([
    'patch',
    'deployment',
    'recreate',
    '-n',
    NS,
    '-p',
    '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}',
  ]);
  cluster.kubectlOk(['rollout', 'status', 'deployment/recreate', '-n', NS, '--timeout=30s'], {
    timeoutMs: 35_000,
  });
  cluster.kubectlOk(['rollout', 'pause', 'deployment/recreate', '-n', NS]);
  cluster.kubectlOk([
    'set',
    'image',
    'deployment/recreate',
    '-n',
    NS,
    'examples-bookinfo-ratings-v1=docker.io/istio/examples-bookinfo-ratings-v2:1.20.3',
  ]);
  await until('Progressing DeploymentPaused', () => {
    const d = json(['get', 'deploy', 'recreate', '-n', NS]);
    const c = d.status.conditions.find((x: any) => x.type === 'Progressing');
    return (
      c?.reason === 'DeploymentPaused' &&
      c.status === 'Unknown' &&
      d.status.observedGeneration === d.metadata.generation
    );
  });
  assert.equal(
    json(['get', 'rs', '-n', NS, '-l', 'app=recreate']).items.length,
    1,
    'no rollout while paused',
  );
  cluster.kubectlOk(['rollout', 'resume', 'deployment/recreate', '-n', NS]);
  cluster.kubectlOk(['rollout', 'status', 'deployment/recreate', '-n', NS, '--timeout=30s'], {
    timeoutMs: 35_000,
  });
  const rss = json(['get', 'rs', '-n', NS, '-l', 'app=recreate']).items;
  assert.equal(rss.length, 2);
  const events = cluster.kubectlOk([
    'get',
    'events',
    '-n',
    NS,
    '--field-selector',
    'involvedObject.name=recreate',
    '--sort-by=.lastTimestamp',
  ]);
  // Recreate scales the old ReplicaSet to zero before the new one is created.
  const down = events.indexOf('Scaled down replica set');
  const up2 = events.lastIndexOf('Scaled up replica set');
  assert.ok(down > 0 && up2 > down, events);
});

test('DaemonSet: one pod per node, rollout status, ControllerRevision', async () => {
  const ds = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: docker.io/curlimages/curl:8.16.0, command: [sleep, infinity]}]
`;
  cluster.kubectlOk(['apply', '-f', '-'], { input: ds });
  const out = cluster.kubectlOk(['rollout', 'status', 'ds/agent', '--timeout=30s'], { timeoutMs: 35_000 });
  assert.match(out, /daemon set "agent" successfully rolled out/);
  const pods = podsOf('app=agent', 'default');
  assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['node-a', 'node-b']);
  const t = parseTable(cluster.kubectlOk(['get', 'ds', 'agent']));
  assert.deepEqual(
    [t.rows[0].DESIRED, t.rows[0].CURRENT, t.rows[0].READY, t.rows[0]['UP-TO-DATE'], t.rows[0].AVAILABLE],
    ['2', '2', '2', '2', '2'],
  );
  const revs = json(['get', 'controllerrevisions', '-l', 'app=agent']).items;
  assert.equal(revs.length, 1);
  assert.equal(revs[0].revision, 1);
  assert.equal(
    pods[0].metadata.labels['controller-revision-hash'],
    revs[0].metadata.labels['controller-revision-hash'],
  );
  cluster.kubectlOk(['rollout', 'restart', 'ds/agent']);
  cluster.kubectlOk(['rollout', 'status', 'ds/agent', '--timeout=30s'], { timeoutMs: 35_000 });
  assert.equal(json(['get', 'controllerrevisions', '-l', 'app=agent']).items.length, 2);
  assert.match(cluster.kubectlOk(['rollout', 'history', 'ds/agent']), /\n1\s+<none>\n2\s+<none>/);
});

test('StatefulSet: ordered pods, scale down from the highest ordinal', async () => {
  kubelet.hold('web-1', true);
  const sts = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: default}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: docker.io/curlimages/curl:8.16.0, command: [sleep, infinity]}]
`;
  cluster.kubectlOk(['apply', '-f', '-'], { input: sts });
  await until('web-0 ready and web-1 created', () => {
    const names = podsOf('app=web', 'default')
      .map((p) => p.metadata.name)
      .sort();
    return names.join() === 'web-0,web-1';
  });
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(
    podsOf('app=web', 'default')
      .map((p) => p.metadata.name)
      .sort(),
    ['web-0', 'web-1'],
    'web-2 waits for web-1',
  );
  kubelet.hold('web-1', false);
  cluster.kubectlOk(['delete', 'pod', 'web-1', '--wait=false']);
  const out = cluster.kubectlOk(['rollout', 'status', 'sts/web', '--timeout=30s'], { timeoutMs: 35_000 });
  assert.match(out, /partitioned roll out complete: 3 new pods have been updated/);
  const web0 = json(['get', 'pod', 'web-0']);
  assert.equal(web0.spec.hostname, 'web-0');
  assert.equal(web0.spec.subdomain, 'web');
  cluster.kubectlOk(['scale', 'sts/web', '--replicas=1']);
  await until(
    'only web-0 left',
    () =>
      podsOf('app=web', 'default')
        .map((p) => p.metadata.name)
        .join() === 'web-0',
  );
});

test('unschedulable pod gets PodScheduled=False with the scheduler message', async () => {
  cluster.kubectlOk([
    'run',
    'picky',
    '--image=docker.io/curlimages/curl:8.16.0',
    '--overrides',
    '{"spec":{"nodeSelector":{"disk":"ssd"}}}',
    '--',
    'sleep',
    'infinity',
  ]);
  const cond = await until('PodScheduled False', () => {
    const p = json(['get', 'pod', 'picky']);
    return (p.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'False');
  });
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(
    cond.message,
    "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  );
  cluster.kubectlOk(['label', 'node', 'node-b', 'disk=ssd']);
  await until('picky bound to node-b', () => json(['get', 'pod', 'picky']).spec.nodeName === 'node-b');
});

test('a node whose lease stops being renewed goes NotReady', async () => {
  kubelet.kill('node-b');
  await until(
    'node-b NotReady',
    () =>
      parseTable(cluster.kubectlOk(['get', 'nodes'])).rows.find((r) => r.NAME === 'node-b')?.STATUS ===
      'NotReady',
    15_000,
  );
  const node = json(['get', 'node', 'node-b']);
  const readyCond = node.status.conditions.find((c: any) => c.type === 'Ready');
  assert.equal(readyCond.status, 'Unknown');
  assert.equal(readyCond.reason, 'NodeStatusUnknown');
  assert.equal(readyCond.message, 'Kubelet stopped posting node status.');
  assert.deepEqual(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`).sort(), [
    'node.kubernetes.io/unreachable:NoExecute',
    'node.kubernetes.io/unreachable:NoSchedule',
  ]);
  await until('pods on node-b not ready', () => {
    const onB = json(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=node-b']).items;
    return onB.length > 0 && onB.every((p: any) => !ready(p));
  });
  // Their endpoints become not ready too.
  await until('a notReadyAddress in reviews', () =>
    (json(['get', 'endpoints', 'reviews', '-n', NS]).subsets ?? []).some(
      (s: any) => s.notReadyAddresses?.length,
    ),
  );
  // New pods go to the node that is still alive.
  const existing = new Set(podsOf('app=details').map((p) => p.metadata.name));
  cluster.kubectlOk(['scale', 'deployment/details-v1', '-n', NS, '--replicas=3']);
  const added = await until('two new details pods scheduled', () => {
    const ps = podsOf('app=details').filter((p) => !existing.has(p.metadata.name));
    return ps.length === 2 && ps.every((p) => p.spec.nodeName) && ps;
  });
  assert.deepEqual(
    added.map((p: any) => p.spec.nodeName),
    ['node-a', 'node-a'],
    'no new pod on the unreachable node',
  );
});
