// Acceptance 4, 6 and part of 7 with the real kubectl on the Istio bookinfo sample: apply (and
// re-apply), the columns of get, every patch flavour, server-side apply, label/annotate, edit,
// scale, get -w on bare pods, and namespace deletion cascading to everything inside.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { until } from './cluster-process.js';
import { sharedDir, startCluster, type TestCluster } from './harness.js';
import { LineCollector, parseTable, parseTables, scratchDir } from './kubectl-helpers.js';

const NS = 'bookinfo';
const bookinfoFile = join(sharedDir, 'upstream/istio/samples/bookinfo/platform/kube/bookinfo.yaml');

type Obj = any;
const manifests: Obj[] = parseAllDocuments(readFileSync(bookinfoFile, 'utf8'))
  .map((d) => d.toJS())
  .filter((o) => o && o.kind);
const resourceOf: Record<string, string> = {
  Service: 'service',
  ServiceAccount: 'serviceaccount',
  Deployment: 'deployment.apps',
};

let cluster: TestCluster;
let dir: string;
const watchers: LineCollector[] = [];

before(() => {
  cluster = startCluster('bookinfo');
  dir = scratchDir('bookinfo');
  cluster.kubectlOk(['create', 'namespace', NS]);
});
after(() => {
  for (const w of watchers) w.kill();
  cluster?.down();
});

const k = (...args: string[]) => cluster.kubectlOk([...args, '-n', NS]);
const getJson = (...args: string[]): Obj =>
  JSON.parse(k('get', ...args, '-o', 'json', '--show-managed-fields'));

/** Every field the manifest sets is stored with the same value (the server may add defaults). */
function assertStored(actual: Obj, expected: Obj, path: string): void {
  if (expected === null || typeof expected !== 'object') {
    assert.deepEqual(
      actual,
      expected,
      `${path}: stored ${JSON.stringify(actual)}, applied ${JSON.stringify(expected)}`,
    );
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(
      Array.isArray(actual) && actual.length === expected.length,
      `${path}: stored ${JSON.stringify(actual)}`,
    );
    expected.forEach((v, i) => assertStored(actual[i], v, `${path}[${i}]`));
    return;
  }
  assert.ok(actual && typeof actual === 'object', `${path}: missing`);
  for (const [key, v] of Object.entries(expected)) assertStored(actual[key], v, `${path}.${key}`);
}

test('apply -n bookinfo -f bookinfo.yaml creates and stores every object', () => {
  assert.equal(manifests.length, 14);
  const out = cluster.kubectlOk(['apply', '-n', NS, '-f', bookinfoFile]);
  assert.deepEqual(
    out.trimEnd().split('\n'),
    manifests.map((m) => `${resourceOf[m.kind]}/${m.metadata.name} created`),
  );
  for (const m of manifests) {
    const live = getJson(m.kind.toLowerCase(), m.metadata.name);
    assert.equal(live.metadata.namespace, NS);
    assertStored(
      live.metadata.labels ?? {},
      m.metadata.labels ?? {},
      `${m.kind}/${m.metadata.name}.metadata.labels`,
    );
    for (const key of Object.keys(m).filter((x) => !['apiVersion', 'kind', 'metadata'].includes(x))) {
      assertStored(live[key], m[key], `${m.kind}/${m.metadata.name}.${key}`);
    }
    const lastApplied = JSON.parse(
      live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
    );
    assert.equal(lastApplied.metadata.name, m.metadata.name);
    assert.deepEqual(lastApplied.spec, m.spec);
  }
});

test('applying bookinfo.yaml again reports every object unchanged and writes nothing', () => {
  // Controllers write deployment status, so deployments are compared by generation and spec.
  const names = new Set(manifests.map((m) => m.metadata.name));
  const snapshot = () =>
    getJson('deploy,svc,sa')
      .items.filter((o: Obj) => names.has(o.metadata.name))
      .map((o: Obj) =>
        o.kind === 'Deployment'
          ? `${o.metadata.name}@gen${o.metadata.generation}:${JSON.stringify(o.spec)}`
          : `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`,
      );
  const before = snapshot();
  const out = cluster.kubectlOk(['apply', '-n', NS, '-f', bookinfoFile]);
  assert.deepEqual(
    out.trimEnd().split('\n'),
    manifests.map((m) => `${resourceOf[m.kind]}/${m.metadata.name} unchanged`),
  );
  assert.deepEqual(snapshot(), before);
});

test('get deploy,svc,sa prints the columns Kubernetes prints', async () => {
  // The namespace controller makes the default ServiceAccount shortly after the namespace, as upstream.
  await until(
    'the default ServiceAccount',
    () => cluster.kubectl(['get', 'sa', 'default', '-n', NS]).code === 0,
  );
  const [deploy, svc, sa] = parseTables(k('get', 'deploy,svc,sa'));
  assert.deepEqual(deploy.header, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  assert.deepEqual(
    deploy.rows.map((r) => r.NAME),
    ['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3'].map(
      (n) => `deployment.apps/${n}`,
    ),
  );
  for (const r of deploy.rows) {
    assert.equal(r.READY, '0/1');
    assert.equal(r.AVAILABLE, '0');
    assert.match(r['UP-TO-DATE'], /^\d+$/);
  }

  assert.deepEqual(svc.header, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  assert.deepEqual(
    svc.rows.map((r) => r.NAME),
    ['details', 'productpage', 'ratings', 'reviews'].map((n) => `service/${n}`),
  );
  const ips = new Set<string>();
  for (const r of svc.rows) {
    assert.equal(r.TYPE, 'ClusterIP');
    assert.match(r['CLUSTER-IP'], /^10\.96\.\d+\.\d+$/);
    ips.add(r['CLUSTER-IP']);
    assert.equal(r['EXTERNAL-IP'], '<none>');
    assert.equal(r['PORT(S)'], '9080/TCP');
  }
  assert.equal(ips.size, 4, 'every service has its own cluster IP');

  assert.deepEqual(sa.header, ['NAME', 'SECRETS', 'AGE']);
  assert.deepEqual(
    sa.rows.map((r) => [r.NAME, r.SECRETS]),
    ['bookinfo-details', 'bookinfo-productpage', 'bookinfo-ratings', 'bookinfo-reviews', 'default'].map(
      (n) => [`serviceaccount/${n}`, '0'],
    ),
  );

  const [wideDeploy, wideSvc] = parseTables(k('get', 'deploy,svc', '-o', 'wide'));
  assert.deepEqual(wideDeploy.header, [
    'NAME',
    'READY',
    'UP-TO-DATE',
    'AVAILABLE',
    'AGE',
    'CONTAINERS',
    'IMAGES',
    'SELECTOR',
  ]);
  const pp = wideDeploy.rows.find((r) => r.NAME === 'deployment.apps/productpage-v1');
  assert.deepEqual(
    [pp?.CONTAINERS, pp?.IMAGES, pp?.SELECTOR],
    [
      'productpage',
      'registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3',
      'app=productpage,version=v1',
    ],
  );
  assert.deepEqual(wideSvc.header, [
    'NAME',
    'TYPE',
    'CLUSTER-IP',
    'EXTERNAL-IP',
    'PORT(S)',
    'AGE',
    'SELECTOR',
  ]);
  assert.equal(wideSvc.rows.find((r) => r.NAME === 'service/reviews')?.SELECTOR, 'app=reviews');
});

test('patch: merge, json and the default strategic merge', () => {
  assert.equal(
    k('patch', 'deploy', 'details-v1', '--type', 'merge', '-p', '{"metadata":{"labels":{"team":"books"}}}'),
    'deployment.apps/details-v1 patched\n',
  );
  assert.equal(getJson('deploy', 'details-v1').metadata.labels.team, 'books');

  k(
    'patch',
    'deploy',
    'details-v1',
    '--type',
    'json',
    '-p',
    '[{"op":"replace","path":"/spec/replicas","value":2},{"op":"add","path":"/metadata/annotations/owner","value":"e2e"}]',
  );
  let d = getJson('deploy', 'details-v1');
  assert.equal(d.spec.replicas, 2);
  assert.equal(d.metadata.annotations.owner, 'e2e');

  // Strategic merge merges containers by name: the port survives, a new container is added beside.
  k(
    'patch',
    'deploy',
    'details-v1',
    '-p',
    '{"spec":{"template":{"spec":{"containers":[{"name":"details","image":"details:v2"}]}}}}',
  );
  d = getJson('deploy', 'details-v1');
  assert.equal(d.spec.template.spec.containers.length, 1);
  assert.equal(d.spec.template.spec.containers[0].image, 'details:v2');
  assert.deepEqual(d.spec.template.spec.containers[0].ports, [{ containerPort: 9080, protocol: 'TCP' }]);
  k(
    'patch',
    'deploy',
    'details-v1',
    '--type',
    'strategic',
    '-p',
    '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"proxy:1"}]}}}}',
  );
  d = getJson('deploy', 'details-v1');
  assert.deepEqual(d.spec.template.spec.containers.map((c: Obj) => c.name).sort(), ['details', 'sidecar']);

  // A merge patch replaces the whole list.
  k(
    'patch',
    'deploy',
    'details-v1',
    '--type',
    'merge',
    '-p',
    '{"spec":{"template":{"spec":{"containers":[{"name":"details","image":"details:v3"}]}}}}',
  );
  d = getJson('deploy', 'details-v1');
  assert.deepEqual(
    d.spec.template.spec.containers.map((c: Obj) => [c.name, c.image, c.ports]),
    [['details', 'details:v3', undefined]],
  );

  // A service account: no controller writes it between kubectl's GET and PATCH.
  assert.equal(
    k(
      'patch',
      'sa',
      'bookinfo-details',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"account":"details"}}}',
    ),
    'serviceaccount/bookinfo-details patched (no change)\n',
  );

  const failedTest = cluster.kubectl([
    'patch',
    'deploy',
    'details-v1',
    '-n',
    NS,
    '--type',
    'json',
    '-p',
    '[{"op":"test","path":"/spec/replicas","value":5}]',
  ]);
  assert.equal(failedTest.code, 1);
  assert.equal(
    failedTest.stderr,
    'The request is invalid: the server rejected our request due to an error in our request\n',
  );
});

const ssaFile = () => join(dir, 'ssa-cm.yaml');
const writeSsa = (v: string) =>
  writeFileSync(
    ssaFile(),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: ${NS}\ndata:\n  a: "${v}"\n`,
  );

const ssaVersions: string[] = [];

test('apply --server-side twice records kubectl as the Apply manager', () => {
  writeSsa('1');
  assert.equal(
    cluster.kubectlOk(['apply', '--server-side', '-f', ssaFile()]),
    'configmap/ssa serverside-applied\n',
  );
  ssaVersions.push(getJson('cm', 'ssa').metadata.resourceVersion);
  assert.equal(
    cluster.kubectlOk(['apply', '--server-side', '-f', ssaFile()]),
    'configmap/ssa serverside-applied\n',
  );
  const cm = getJson('cm', 'ssa');
  ssaVersions.push(cm.metadata.resourceVersion);
  assert.deepEqual(cm.data, { a: '1' });
  assert.deepEqual(
    cm.metadata.managedFields.map((f: Obj) => [f.manager, f.operation, f.fieldsV1]),
    [['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }]],
  );
});

test('a repeated server-side apply with nothing new does not write', () => {
  assert.equal(
    cluster.kubectlOk(['apply', '--server-side', '-f', ssaFile()]),
    'configmap/ssa serverside-applied\n',
  );
  ssaVersions.push(getJson('cm', 'ssa').metadata.resourceVersion);
  assert.deepEqual(
    ssaVersions,
    [ssaVersions[0], ssaVersions[0], ssaVersions[0]],
    'resourceVersion after the create, the second and the third apply',
  );
});

test('server-side apply conflicts with another manager unless --force-conflicts', () => {
  k('patch', 'cm', 'ssa', '--type', 'merge', '-p', '{"data":{"a":"patched"}}');
  writeSsa('2');
  const conflict = cluster.kubectl(['apply', '--server-side', '-f', ssaFile()]);
  assert.equal(conflict.code, 1);
  assert.match(
    conflict.stderr,
    /^error: Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.data\.a\n/,
  );
  assert.equal(getJson('cm', 'ssa').data.a, 'patched');
  assert.equal(
    cluster.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', ssaFile()]),
    'configmap/ssa serverside-applied\n',
  );
  assert.equal(getJson('cm', 'ssa').data.a, '2');
});

test('apply --server-side after a client-side apply takes over without conflicts', () => {
  // ratings-v1 was created by client-side apply.
  const before = getJson('deploy', 'ratings-v1');
  assert.ok(
    before.metadata.managedFields.some(
      (f: Obj) => f.manager === 'kubectl-client-side-apply' && f.operation === 'Update',
    ),
  );
  const ratings = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'ratings-v1');
  const changed = { ...ratings, spec: { ...ratings.spec, replicas: 3 } };
  const file = join(dir, 'ratings.json');
  writeFileSync(file, JSON.stringify(changed));
  assert.equal(
    cluster.kubectlOk(['apply', '--server-side', '-n', NS, '-f', file]),
    'deployment.apps/ratings-v1 serverside-applied\n',
  );
  const afterSsa = getJson('deploy', 'ratings-v1');
  assert.equal(afterSsa.spec.replicas, 3);
  const managers = afterSsa.metadata.managedFields.map((f: Obj) => f.manager);
  assert.ok(!managers.includes('kubectl-client-side-apply'), `client-side manager migrated: ${managers}`);
  const kubectlApply = afterSsa.metadata.managedFields.find(
    (f: Obj) => f.manager === 'kubectl' && f.operation === 'Apply',
  );
  assert.ok(kubectlApply?.fieldsV1?.['f:spec']?.['f:replicas'], 'kubectl owns spec.replicas');
  assert.equal(
    cluster.kubectlOk(['apply', '--server-side', '-n', NS, '-f', file]),
    'deployment.apps/ratings-v1 serverside-applied\n',
  );
});

test('label and annotate, with and without --overwrite', () => {
  assert.equal(k('label', 'deploy', 'reviews-v1', 'tier=backend'), 'deployment.apps/reviews-v1 labeled\n');
  const noOverwrite = cluster.kubectl(['label', 'deploy', 'reviews-v1', 'tier=frontend', '-n', NS]);
  assert.equal(noOverwrite.code, 1);
  assert.equal(noOverwrite.stderr, "error: 'tier' already has a value (backend), and --overwrite is false\n");
  assert.equal(
    k('label', 'deploy', 'reviews-v1', 'tier=frontend', '--overwrite'),
    'deployment.apps/reviews-v1 labeled\n',
  );
  assert.equal(getJson('deploy', 'reviews-v1').metadata.labels.tier, 'frontend');

  assert.equal(k('annotate', 'deploy', 'reviews-v1', 'note=one'), 'deployment.apps/reviews-v1 annotated\n');
  const annNoOverwrite = cluster.kubectl(['annotate', 'deploy', 'reviews-v1', 'note=two', '-n', NS]);
  assert.equal(annNoOverwrite.code, 1);
  assert.equal(
    annNoOverwrite.stderr,
    "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (one)\n",
  );
  assert.equal(
    k('annotate', 'deploy', 'reviews-v1', 'note=two', '--overwrite'),
    'deployment.apps/reviews-v1 annotated\n',
  );
  assert.equal(getJson('deploy', 'reviews-v1').metadata.annotations.note, 'two');

  assert.equal(k('label', 'deploy', 'reviews-v1', 'tier-'), 'deployment.apps/reviews-v1 unlabeled\n');
  assert.equal(getJson('deploy', 'reviews-v1').metadata.labels.tier, undefined);
});

test('kubectl edit round trip through $EDITOR', () => {
  const editor = join(dir, 'editor.sh');
  writeFileSync(
    editor,
    '#!/bin/sh\nsed -i -e \'s/^  replicas: 1$/  replicas: 4/\' -e \'s/^    app: productpage$/    app: productpage\\n    edited: "yes"/\' "$1"\n',
  );
  chmodSync(editor, 0o755);
  const r = cluster.kubectl(['edit', 'deploy', 'productpage-v1', '-n', NS], {
    env: { EDITOR: editor, KUBE_EDITOR: editor },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'deployment.apps/productpage-v1 edited\n');
  const d = getJson('deploy', 'productpage-v1');
  assert.equal(d.spec.replicas, 4);
  assert.equal(d.metadata.labels.edited, 'yes');

  const untouched = cluster.kubectl(['edit', 'deploy', 'productpage-v1', '-n', NS], {
    env: { EDITOR: 'true', KUBE_EDITOR: 'true' },
  });
  assert.equal(untouched.code, 0);
  assert.equal(untouched.stderr, 'Edit cancelled, no changes made.\n');
  const after = getJson('deploy', 'productpage-v1');
  assert.deepEqual(
    [after.metadata.generation, after.spec, after.metadata.labels],
    [d.metadata.generation, d.spec, d.metadata.labels],
  );
});

test('kubectl scale', () => {
  assert.equal(k('scale', 'deploy', 'reviews-v2', '--replicas=3'), 'deployment.apps/reviews-v2 scaled\n');
  assert.equal(getJson('deploy', 'reviews-v2').spec.replicas, 3);
  assert.equal(parseTable(k('get', 'deploy', 'reviews-v2')).rows[0].READY, '0/3');
  const scale = JSON.parse(
    cluster.kubectlOk(['get', '--raw', `/apis/apps/v1/namespaces/${NS}/deployments/reviews-v2/scale`]),
  );
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.equal(scale.spec.replicas, 3);
  assert.equal(scale.status.selector, 'app=reviews,version=v2');
});

const podManifest = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${NS}\n  labels:\n    app: watch\nspec:\n  containers:\n  - name: main\n    image: busybox:1.36\n    command: ["sleep", "3600"]\n`;

function createPod(name: string): void {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, podManifest(name));
  assert.equal(cluster.kubectlOk(['create', '-f', file]), `pod/${name} created\n`);
}

test('get pods -w streams additions, changes and deletions of Pending pods', async () => {
  createPod('p0');
  // -L stage adds a column, so the MODIFIED row caused by the label can be told apart from status
  // updates (the scheduler reports Unschedulable on pods when there are no nodes).
  const events = new LineCollector(
    cluster.kubectlSpawn([
      'get',
      'pods',
      '-n',
      NS,
      '-l',
      'app=watch',
      '-L',
      'stage',
      '-w',
      '--output-watch-events',
    ]),
  );
  const plain = new LineCollector(cluster.kubectlSpawn(['get', 'pods', '-n', NS, '-l', 'app=watch', '-w']));
  watchers.push(events, plain);
  const rows = (c: LineCollector) => (c.stdout.length > 1 ? parseTable(c.stdout.join('\n')).rows : []);
  const eventsFor = (name: string) => rows(events).filter((r) => r.NAME === name);
  const seen = (name: string, type: string, stage = '') =>
    eventsFor(name).some((r) => r.EVENT === type && r.STAGE === stage);

  await events.waitFor('initial p0 row', () => seen('p0', 'ADDED'));
  await plain.waitFor('initial p0 row', () => rows(plain).some((r) => r.NAME === 'p0'));
  assert.deepEqual(events.stdout[0].split(/\s{2,}/), [
    'EVENT',
    'NAME',
    'READY',
    'STATUS',
    'RESTARTS',
    'AGE',
    'STAGE',
  ]);
  assert.deepEqual(plain.stdout[0].split(/\s{2,}/), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  const first = eventsFor('p0')[0];
  assert.deepEqual(
    [first.EVENT, first.READY, first.STATUS, first.RESTARTS],
    ['ADDED', '0/1', 'Pending', '0'],
  );

  createPod('p1');
  await events.waitFor('ADDED p1', () => seen('p1', 'ADDED'));
  k('label', 'pod', 'p1', 'stage=two');
  await events.waitFor('MODIFIED p1 with the new label', () => seen('p1', 'MODIFIED', 'two'));
  assert.equal(k('delete', 'pod', 'p1'), 'pod "p1" deleted\n');
  await events.waitFor('DELETED p1', () => seen('p1', 'DELETED', 'two'));

  const p1 = eventsFor('p1');
  assert.equal(p1[0].EVENT, 'ADDED');
  assert.equal(p1[p1.length - 1].EVENT, 'DELETED');
  assert.ok(
    p1.slice(1, -1).every((r) => r.EVENT === 'MODIFIED'),
    JSON.stringify(p1),
  );
  for (const r of p1) assert.deepEqual([r.READY, r.STATUS, r.RESTARTS], ['0/1', 'Pending', '0']);

  await plain.waitFor(
    'p1 rows up to its deletion',
    () => rows(plain).filter((r) => r.NAME === 'p1').length >= p1.length,
  );
  assert.equal(plain.exitCode, null, 'the watch is still running');
  assert.deepEqual(
    events.stderr.filter((l) => l.trim()),
    [],
  );
});

test('delete ns bookinfo cascades to everything inside and the namespace disappears', async () => {
  const kinds = 'deploy,rs,svc,sa,cm,secret,pods,endpoints,endpointslices';
  assert.ok(getJson(kinds).items.length > 15, 'the namespace has content before the delete');
  const events = watchers[0];

  const del = cluster.kubectl(['delete', 'ns', NS], { timeoutMs: 60_000 });
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout, `namespace "${NS}" deleted\n`);

  const gone = cluster.kubectl(['get', 'ns', NS]);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr, `Error from server (NotFound): namespaces "${NS}" not found\n`);
  const leftovers = cluster.kubectlOk([
    'get',
    kinds,
    '-A',
    '--field-selector',
    `metadata.namespace=${NS}`,
    '-o',
    'name',
  ]);
  assert.equal(leftovers, '');
  const empty = cluster.kubectl(['get', 'all', '-n', NS]);
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, '');
  assert.equal(empty.stderr, `No resources found in ${NS} namespace.\n`);
  await events.waitFor('DELETED p0', () => events.stdout.some((l) => /^DELETED\s+p0\s/.test(l)));
});
