// Owner-reference garbage collection with kubectl delete --cascade=background|foreground|orphan,
// list pagination (--chunk-size and raw continue tokens) and label/field selectors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from './harness.js';
import { LineCollector, adminCreds, curl, parseTable, until, type AdminCreds } from './kubectl-helpers.js';

const GC = 'gc';
const PAGE = 'paging';
let cluster: TestCluster;
let creds: AdminCreds;
const children: LineCollector[] = [];

before(() => {
  cluster = startCluster('gcsel');
  creds = adminCreds(cluster);
  cluster.kubectlOk(['create', 'namespace', GC]);
  cluster.kubectlOk(['create', 'namespace', PAGE]);
});
after(() => {
  for (const c of children) c.kill();
  cluster?.down();
});

type Obj = any;
const getCm = (ns: string, name: string): Obj | undefined => {
  const r = cluster.kubectl(['get', 'cm', name, '-n', ns, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
};

function createOwner(name: string): string {
  cluster.kubectlOk(['create', 'configmap', name, '-n', GC, '--from-literal=role=owner']);
  return getCm(GC, name).metadata.uid;
}

function createDependent(name: string, owners: { name: string; uid: string }[]): void {
  const obj = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: GC,
      ownerReferences: owners.map((o) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: o.name,
        uid: o.uid,
        blockOwnerDeletion: true,
      })),
    },
    data: { role: 'dependent' },
  };
  assert.equal(
    cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(obj) }),
    `configmap/${name} created\n`,
  );
}

test('delete --cascade=background removes the owner at once and its dependents after', () => {
  const uid = createOwner('own-bg');
  createDependent('dep-bg-1', [{ name: 'own-bg', uid }]);
  createDependent('dep-bg-2', [{ name: 'own-bg', uid }]);
  assert.equal(
    cluster.kubectlOk(['delete', 'cm', 'own-bg', '-n', GC, '--cascade=background']),
    'configmap "own-bg" deleted\n',
  );
  const r = cluster.kubectl([
    'wait',
    '--for=delete',
    'cm/dep-bg-1',
    'cm/dep-bg-2',
    '-n',
    GC,
    '--timeout=20s',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(getCm(GC, 'dep-bg-1'), undefined);
  assert.equal(getCm(GC, 'dep-bg-2'), undefined);
});

test('a dependent with another live owner survives, losing only the dangling reference', async () => {
  const a = createOwner('own-a');
  const b = createOwner('own-b');
  createDependent('dep-shared', [
    { name: 'own-a', uid: a },
    { name: 'own-b', uid: b },
  ]);
  cluster.kubectlOk(['delete', 'cm', 'own-a', '-n', GC]);
  const refs = await until('the dangling owner reference to be removed', () => {
    const dep = getCm(GC, 'dep-shared');
    assert.ok(dep, 'dep-shared must not be collected while own-b exists');
    const names = (dep.metadata.ownerReferences ?? []).map((o: Obj) => o.name);
    return names.length === 1 ? names : undefined;
  });
  assert.deepEqual(refs, ['own-b']);
});

test('delete --cascade=foreground deletes the dependents before the owner', async () => {
  const uid = createOwner('own-fg');
  createDependent('dep-fg-1', [{ name: 'own-fg', uid }]);
  createDependent('dep-fg-2', [{ name: 'own-fg', uid }]);
  const watch = new LineCollector(
    cluster.kubectlSpawn(['get', 'cm', '-n', GC, '-w', '--output-watch-events']),
  );
  children.push(watch);
  await watch.waitFor('the initial list', (c) => c.stdout.some((l) => /^ADDED\s+dep-fg-2\s/.test(l)));

  const r = cluster.kubectl(['delete', 'cm', 'own-fg', '-n', GC, '--cascade=foreground'], {
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'configmap "own-fg" deleted\n');
  // kubectl returned once the owner was gone; with blockOwnerDeletion the dependents went first.
  assert.equal(getCm(GC, 'dep-fg-1'), undefined);
  assert.equal(getCm(GC, 'dep-fg-2'), undefined);

  await watch.waitFor('DELETED own-fg', (c) => c.stdout.some((l) => /^DELETED\s+own-fg\s/.test(l)));
  const at = (re: RegExp) => watch.stdout.findIndex((l) => re.test(l));
  const ownerMarked = at(/^MODIFIED\s+own-fg\s/);
  const ownerGone = at(/^DELETED\s+own-fg\s/);
  assert.ok(ownerMarked > 0, 'the owner is first marked (foregroundDeletion finalizer)');
  for (const dep of ['dep-fg-1', 'dep-fg-2']) {
    const depGone = at(new RegExp(`^DELETED\\s+${dep}\\s`));
    assert.ok(
      depGone > ownerMarked && depGone < ownerGone,
      `${dep} deleted between the owner being marked and removed:\n${watch.stdout.join('\n')}`,
    );
  }
});

test('the foreground owner carries the foregroundDeletion finalizer while dependents remain', async () => {
  const uid = createOwner('own-fg2');
  // A finalizer on the dependent keeps it, and so the owner, around long enough to look at both.
  const dep = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'dep-fg2',
      namespace: GC,
      finalizers: ['e2e.mizzen.dev/hold'],
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'own-fg2', uid, blockOwnerDeletion: true },
      ],
    },
  };
  cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(dep) });
  const r = cluster.kubectl(['delete', 'cm', 'own-fg2', '-n', GC, '--cascade=foreground', '--wait=false']);
  assert.equal(r.code, 0, r.stderr);
  const owner = await until('the dependent to be marked for deletion', () => {
    const d = getCm(GC, 'dep-fg2');
    return d?.metadata.deletionTimestamp ? getCm(GC, 'own-fg2') : undefined;
  });
  assert.ok(owner, 'the owner still exists while its blocking dependent exists');
  assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion']);
  assert.ok(owner.metadata.deletionTimestamp);

  cluster.kubectlOk([
    'patch',
    'cm',
    'dep-fg2',
    '-n',
    GC,
    '--type',
    'json',
    '-p',
    '[{"op":"remove","path":"/metadata/finalizers"}]',
  ]);
  const w = cluster.kubectl(['wait', '--for=delete', 'cm/own-fg2', 'cm/dep-fg2', '-n', GC, '--timeout=20s']);
  assert.equal(w.code, 0, w.stderr);
});

test('delete --cascade=orphan keeps the dependents and strips their owner references', () => {
  const uid = createOwner('own-or');
  createDependent('dep-or-1', [{ name: 'own-or', uid }]);
  createDependent('dep-or-2', [{ name: 'own-or', uid }]);
  const r = cluster.kubectl(['delete', 'cm', 'own-or', '-n', GC, '--cascade=orphan'], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'configmap "own-or" deleted\n');
  assert.equal(getCm(GC, 'own-or'), undefined);
  for (const name of ['dep-or-1', 'dep-or-2']) {
    const dep = getCm(GC, name);
    assert.ok(dep, `${name} survives`);
    assert.equal(dep.metadata.ownerReferences, undefined, `${name} no longer points at the deleted owner`);
  }
});

const names7 = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];

test('get cm --chunk-size=2 pages through 7 objects with continue tokens', () => {
  for (const [i, name] of names7.entries()) {
    cluster.kubectlOk(['create', 'configmap', name, '-n', PAGE, `--from-literal=i=${i}`]);
    cluster.kubectlOk([
      'label',
      'configmap',
      name,
      '-n',
      PAGE,
      'set=page',
      `tier=${i < 3 ? 'a' : i < 5 ? 'b' : 'c'}`,
    ]);
  }
  const r = cluster.kubectl(['get', 'cm', '-n', PAGE, '-l', 'set=page', '--chunk-size=2', '-v=6']);
  assert.equal(r.code, 0, r.stderr);
  const t = parseTable(r.stdout);
  assert.deepEqual(t.header, ['NAME', 'DATA', 'AGE']);
  assert.deepEqual(
    t.rows.map((row) => [row.NAME, row.DATA]),
    names7.map((n) => [n, '1']),
  );
  const gets = r.stderr.split('\n').filter((l) => / GET https:\S+\/namespaces\/paging\/configmaps\?/.test(l));
  assert.equal(gets.length, 4, gets.join('\n'));
  assert.doesNotMatch(gets[0], /continue=/);
  for (const g of gets) assert.match(g, /limit=2/);
  for (const g of gets.slice(1)) assert.match(g, /continue=[^&\s]+/);

  assert.equal(
    cluster.kubectlOk(['get', 'cm', '-n', PAGE, '-l', 'set=page', '--chunk-size=3', '-o', 'name']),
    names7.map((n) => `configmap/${n}\n`).join(''),
  );
});

test('continue pages are a consistent snapshot; remainingItemCount counts what is left', async () => {
  await until('kube-root-ca.crt in the namespace', () => getCm(PAGE, 'kube-root-ca.crt'));
  const path = `/api/v1/namespaces/${PAGE}/configmaps`;
  const first = curl(creds, 'GET', `${path}?limit=3`);
  assert.equal(first.status, 200);
  assert.deepEqual(
    first.json.items.map((o: Obj) => o.metadata.name),
    ['c1', 'c2', 'c3'],
  );
  assert.equal(first.json.metadata.remainingItemCount, 5);
  const rv = first.json.metadata.resourceVersion;
  assert.ok(first.json.metadata.continue);

  cluster.kubectlOk(['create', 'configmap', 'zz-late', '-n', PAGE]);
  const seen = first.json.items.map((o: Obj) => o.metadata.name);
  let token = first.json.metadata.continue;
  while (token) {
    const page = curl(creds, 'GET', `${path}?limit=3&continue=${encodeURIComponent(token)}`);
    assert.equal(page.status, 200, page.body);
    assert.equal(
      page.json.metadata.resourceVersion,
      rv,
      "every page is served at the first page's resourceVersion",
    );
    seen.push(...page.json.items.map((o: Obj) => o.metadata.name));
    token = page.json.metadata.continue;
  }
  assert.deepEqual(seen, [...names7, 'kube-root-ca.crt']);

  const bad = curl(creds, 'GET', `${path}?limit=3&continue=not-a-token`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.reason, 'BadRequest');
});

const selected = (args: string[]) => {
  const r = cluster.kubectl(['get', 'cm', '-n', PAGE, '-o', 'name', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace('configmap/', ''));
};

test('label selectors: equality, set-based and existence', () => {
  assert.deepEqual(selected(['-l', 'tier=a']), ['c1', 'c2', 'c3']);
  assert.deepEqual(selected(['-l', 'tier==b']), ['c4', 'c5']);
  assert.deepEqual(selected(['-l', 'set=page,tier!=a']), ['c4', 'c5', 'c6', 'c7']);
  assert.deepEqual(selected(['-l', 'tier in (a,c)']), ['c1', 'c2', 'c3', 'c6', 'c7']);
  assert.deepEqual(selected(['-l', 'set,tier notin (a,b)']), ['c6', 'c7']);
  assert.deepEqual(selected(['-l', '!tier']), ['kube-root-ca.crt', 'zz-late']);
  const none = cluster.kubectl(['get', 'cm', '-n', PAGE, '-l', 'tier=zzz']);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, '');
  assert.equal(none.stderr, `No resources found in ${PAGE} namespace.\n`);
});

test('field selectors, alone and with label selectors', () => {
  assert.deepEqual(selected(['--field-selector', 'metadata.name=c5']), ['c5']);
  assert.deepEqual(selected(['--field-selector', 'metadata.name!=c5', '-l', 'tier=b']), ['c4']);
  assert.deepEqual(selected(['--field-selector', `metadata.namespace=${PAGE},metadata.name==c7`]), ['c7']);
  const across = cluster.kubectlOk(['get', 'cm', '-A', '--field-selector', 'metadata.name=c2', '-o', 'name']);
  assert.equal(across, 'configmap/c2\n');

  const bad = cluster.kubectl(['get', 'cm', '-n', PAGE, '--field-selector', 'spec.foo=1']);
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr,
    'Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "", field selector "spec.foo=1": "spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"\n',
  );

  const pod = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: PAGE },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
  });
  cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(pod('pa')) });
  cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(pod('pb')) });
  const pods = cluster.kubectlOk([
    'get',
    'pods',
    '-n',
    PAGE,
    '--field-selector',
    'status.phase=Pending,spec.nodeName=',
    '-o',
    'name',
  ]);
  assert.equal(pods, 'pod/pa\npod/pb\n');
  assert.equal(
    cluster.kubectlOk(['get', 'pods', '-n', PAGE, '--field-selector', 'status.phase=Running', '-o', 'name']),
    '',
  );
});
