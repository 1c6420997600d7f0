// Acceptance 5 and the kubectl wait part of 7: the Sail operator and Gateway API CRDs (client-side
// and server-side apply, the 256 KiB last-applied limit), discovery of the new kinds, the Istio
// printer columns, explain, and kubectl wait on a condition set through the status subresource.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { sharedDir, startCluster, type TestCluster } from './harness.js';
import { LineCollector, parseTable } from './kubectl-helpers.js';

const sailCrds = join(sharedDir, 'upstream/sail-operator/chart/crds');
const gatewayCrds = join(sharedDir, 'upstream/gateway-api/config/crd/standard');
const istioSample = join(sharedDir, 'upstream/sail-operator/chart/samples/istio-sample.yaml');
const CRD = 'customresourcedefinition.apiextensions.k8s.io';

type Obj = any;
const parsed = new Map<string, Obj[]>();
/**
 * The documents of one file, parsed once. A CRD document is cut before its versions (their schemas
 * are megabytes of YAML that take seconds to parse); only each version's name and served flag, the
 * keys at four spaces under `versions:`, are read from the rest.
 */
const docsOf = (file: string): Obj[] => {
  if (!parsed.has(file)) {
    const docs = readFileSync(file, 'utf8')
      .split(/^---\s*$/m)
      .map((text) => {
        const cut = text.search(/^ {2}versions:$/m);
        if (cut < 0) return parseYaml(text);
        const head = parseYaml(text.slice(0, cut));
        const versions: Obj[] = [];
        for (const line of text.slice(cut).split('\n')) {
          if (/^ {2}- /.test(line)) versions.push({});
          const m = /^(?: {2}- | {4})(name|served): (\S+)$/.exec(line);
          if (m && versions.length)
            versions[versions.length - 1][m[1]] = m[1] === 'served' ? m[2] === 'true' : m[2];
        }
        head.spec.versions = versions;
        return head;
      })
      .filter((o) => o && o.kind);
    parsed.set(file, docs);
  }
  return parsed.get(file) ?? [];
};
const yamlFiles = (folder: string) =>
  readdirSync(folder)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(folder, f));
const docsIn = (folder: string): Obj[] => yamlFiles(folder).flatMap(docsOf);

let cluster: TestCluster;
const children: LineCollector[] = [];

before(() => {
  cluster = startCluster('crds');
});
after(() => {
  for (const c of children) c.kill();
  cluster?.down();
});

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
function versionPriority(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [pa, pb] = [parse(a), parse(b)];
  return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2] || a.localeCompare(b);
}

test('plain client-side apply of the istios CRD fails on the 256 KiB last-applied annotation limit', () => {
  const r = cluster.kubectl(['apply', '-f', join(sailCrds, 'sailoperator.io_istios.yaml')]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    'The CustomResourceDefinition "istios.sailoperator.io" is invalid: metadata.annotations: Too long: must have at most 262144 bytes\n',
  );
  const get = cluster.kubectl(['get', 'crd', 'istios.sailoperator.io']);
  assert.equal(get.code, 1);
  assert.equal(
    get.stderr,
    'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "istios.sailoperator.io" not found\n',
  );
});

test('apply --server-side of the sail-operator CRD folder succeeds', () => {
  const crds = docsIn(sailCrds);
  const r = cluster.kubectl(['apply', '--server-side', '-f', sailCrds], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.stdout.trimEnd().split('\n'),
    crds.map((c) => `${CRD}/${c.metadata.name} serverside-applied`),
  );
  const waited = cluster.kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=10s',
    ...crds.map((c) => `crd/${c.metadata.name}`),
  ]);
  assert.equal(waited.code, 0, waited.stderr);
  assert.deepEqual(
    waited.stdout.trimEnd().split('\n'),
    crds.map((c) => `${CRD}/${c.metadata.name} condition met`),
  );
});

test('client-side apply of the Gateway API standard CRDs succeeds', () => {
  const docs = docsIn(gatewayCrds);
  const r = cluster.kubectl(['apply', '-f', gatewayCrds], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const resource: Record<string, string> = {
    CustomResourceDefinition: CRD,
    ValidatingAdmissionPolicy: 'validatingadmissionpolicy.admissionregistration.k8s.io',
    ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybinding.admissionregistration.k8s.io',
  };
  assert.deepEqual(
    r.stdout.trimEnd().split('\n'),
    docs.map((d) => `${resource[d.kind]}/${d.metadata.name} created`),
  );
  const again = cluster.kubectl(['apply', '-f', gatewayCrds], { timeoutMs: 60_000 });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    again.stdout.trimEnd().split('\n'),
    docs.map((d) => `${resource[d.kind]}/${d.metadata.name} unchanged`),
  );
});

/**
 * The folder apply above is asserted on its own; later tests only need the CRDs to exist, so any
 * CRD that apply failed to create is applied again here, one file at a time.
 */
function ensureSailCrds(): void {
  const existing = new Set(cluster.kubectlOk(['get', 'crd', '-o', 'name']).trimEnd().split('\n'));
  for (const file of yamlFiles(sailCrds)) {
    const name = docsOf(file)[0].metadata.name;
    if (!existing.has(`${CRD}/${name}`)) {
      cluster.kubectlOk(['apply', '--server-side', '-f', file]);
      cluster.kubectlOk(['wait', '--for=condition=Established', '--timeout=10s', `crd/${name}`]);
    }
  }
}

test('kubectl api-resources lists every installed CRD with its names, preferred version and scope', () => {
  ensureSailCrds();
  const t = parseTable(cluster.kubectlOk(['api-resources']));
  const served = new Map(t.rows.map((r) => [`${r.NAME} ${r.APIVERSION}`, r]));
  for (const crd of [...docsIn(sailCrds), ...docsIn(gatewayCrds)].filter(
    (d) => d.kind === 'CustomResourceDefinition',
  )) {
    const version = crd.spec.versions
      .filter((v: Obj) => v.served)
      .map((v: Obj) => v.name)
      .sort(versionPriority)[0];
    const expected = {
      NAME: crd.spec.names.plural,
      SHORTNAMES: (crd.spec.names.shortNames ?? []).join(','),
      APIVERSION: `${crd.spec.group}/${version}`,
      NAMESPACED: String(crd.spec.scope === 'Namespaced'),
      KIND: crd.spec.names.kind,
    };
    assert.deepEqual(served.get(`${expected.NAME} ${expected.APIVERSION}`), expected);
  }
  const sail = parseTable(cluster.kubectlOk(['api-resources', '--api-group=sailoperator.io']));
  assert.deepEqual(
    sail.rows.map((r) => r.NAME),
    ['istiocnis', 'istiorevisions', 'istiorevisiontags', 'istios', 'ztunnels'],
  );
});

test('apply the Istio sample; get istio shows the CRD printer columns', () => {
  ensureSailCrds();
  assert.equal(cluster.kubectlOk(['apply', '-f', istioSample]), 'istio.sailoperator.io/default created\n');
  const header = [
    'NAME',
    'NAMESPACE',
    'PROFILE',
    'REVISIONS',
    'READY',
    'IN USE',
    'ACTIVE REVISION',
    'STATUS',
    'VERSION',
    'AGE',
  ];
  let t = parseTable(cluster.kubectlOk(['get', 'istio']));
  assert.deepEqual(t.header, header);
  assert.equal(t.rows.length, 1);
  const { AGE, ...cells } = t.rows[0];
  assert.match(AGE, /^\d+s$/);
  assert.deepEqual(cells, {
    NAME: 'default',
    NAMESPACE: 'istio-system',
    PROFILE: '',
    REVISIONS: '',
    READY: '',
    'IN USE': '',
    'ACTIVE REVISION': '',
    STATUS: '',
    VERSION: 'v1.31.0-beta.1',
  });

  const status = {
    revisions: { total: 2, ready: 1, inUse: 0 },
    activeRevisionName: 'default',
    state: 'Healthy',
  };
  cluster.kubectlOk([
    'patch',
    'istio',
    'default',
    '--subresource=status',
    '--type',
    'merge',
    '-p',
    JSON.stringify({ status }),
  ]);
  t = parseTable(cluster.kubectlOk(['get', 'istios.sailoperator.io', 'default']));
  assert.deepEqual(t.header, header);
  assert.deepEqual(
    header.slice(0, -1).map((h) => t.rows[0][h]),
    ['default', 'istio-system', '', '2', '1', '0', 'default', 'Healthy', 'v1.31.0-beta.1'],
  );
  // The schema default for updateStrategy.type and the applied grace period are both stored.
  const live = JSON.parse(cluster.kubectlOk(['get', 'istio', 'default', '-o', 'json']));
  assert.deepEqual(live.spec.updateStrategy, {
    type: 'InPlace',
    inactiveRevisionDeletionGracePeriodSeconds: 30,
  });
});

test('kubectl explain istio.spec describes the CRD schema', () => {
  const out = cluster.kubectlOk(['explain', 'istio.spec']);
  assert.match(out, /^GROUP:\s+sailoperator\.io\nKIND:\s+Istio\nVERSION:\s+v1\n\nFIELD: spec <Object>\n/);
  assert.match(out, /^DESCRIPTION:\n {4}IstioSpec defines the desired state of Istio$/m);
  const fields = [...out.matchAll(/^ {2}(\w+)\t<(\w+)>( -required-)?$/gm)].map((m) => [
    m[1],
    m[2],
    Boolean(m[3]),
  ]);
  assert.deepEqual(fields, [
    ['namespace', 'string', true],
    ['profile', 'string', false],
    ['updateStrategy', 'Object', false],
    ['values', 'Object', false],
    ['version', 'string', true],
  ]);
  const leaf = cluster.kubectlOk(['explain', 'istio.spec.updateStrategy.type']);
  assert.match(leaf, /^FIELD: type <string>\nENUM:\n {4}InPlace\n {4}RevisionBased\n/m);
  const missing = cluster.kubectl(['explain', 'istio.spec.nosuchfield']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: .*"nosuchfield"/);
});

test(
  'an x-kubernetes-validations rule of the Istio CRD is enforced (spec.namespace is immutable)',
  { todo: 'CEL rules (x-kubernetes-validations) are not evaluated yet' },
  () => {
    const r = cluster.kubectl([
      'patch',
      'istio',
      'default',
      '--type',
      'merge',
      '-p',
      '{"spec":{"namespace":"other-ns"}}',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'The Istio "default" is invalid: spec.namespace: Invalid value: "string": Value is immutable\n',
    );
    assert.equal(
      JSON.parse(cluster.kubectlOk(['get', 'istio', 'default', '-o', 'json'])).spec.namespace,
      'istio-system',
    );
  },
);

const readyCondition = (status: string) =>
  JSON.stringify({
    status: {
      conditions: [
        {
          type: 'Ready',
          status,
          reason: 'Healthy',
          message: 'e2e',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    },
  });

test('kubectl wait --for=condition=Ready returns within about 2 s of the status patch', async () => {
  cluster.kubectlOk([
    'patch',
    'istio',
    'default',
    '--subresource=status',
    '--type',
    'merge',
    '-p',
    readyCondition('False'),
  ]);
  const started = Date.now();
  const wait = new LineCollector(
    cluster.kubectlSpawn(['wait', '--for=condition=Ready', 'istio/default', '--timeout=30s', '-v=6']),
  );
  children.push(wait);
  // -v=6 logs each request; once the watch request is answered kubectl is waiting on events.
  await wait.waitFor('the watch to start', (c) =>
    c.stderr.some((l) => /GET https:\S+\/istios\?\S*watch=true\S* 200 OK/.test(l)),
  );
  assert.equal(wait.exitCode, null, 'still waiting while Ready is False');

  const patchedAt = Date.now();
  cluster.kubectlOk([
    'patch',
    'istio',
    'default',
    '--subresource=status',
    '--type',
    'merge',
    '-p',
    readyCondition('True'),
  ]);
  const code = await wait.exited;
  const latency = Date.now() - patchedAt;
  assert.equal(code, 0, wait.stderr.join('\n'));
  assert.deepEqual(wait.stdout, ['istio.sailoperator.io/default condition met']);
  assert.ok(latency < 2_000, `kubectl wait returned ${latency} ms after the patch`);
  assert.ok(Date.now() - started < 30_000);
});

test('kubectl wait times out cleanly when the condition never comes', () => {
  cluster.kubectlOk([
    'patch',
    'istio',
    'default',
    '--subresource=status',
    '--type',
    'merge',
    '-p',
    readyCondition('False'),
  ]);
  const started = Date.now();
  const r = cluster.kubectl(['wait', '--for=condition=Ready', 'istio/default', '--timeout=2s']);
  const took = Date.now() - started;
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'error: timed out waiting for the condition on istios/default\n');
  assert.ok(took >= 2_000 && took < 6_000, `took ${took} ms`);
});
