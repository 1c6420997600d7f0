// The operator's generated CRDs on a Mizzen API server: all of them are accepted, the upstream Sail
// samples apply, kubectl shows the upstream printer columns, and schema defaults, pruning and
// validation behave as on a real cluster.
// NB: imports the operator API through its subfolder index until src/operator/index.ts exists.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { api } from '../../src/operator/index.js';

const { istioConfigCrds, sailCrds } = api;
import { sharedDir, startCluster, type TestCluster } from './harness.js';
import { parseTable } from './kubectl-helpers.js';

const samples = join(sharedDir, 'upstream/sail-operator/chart/samples');
const asYaml = (objs: object[]) => objs.map((o) => stringify(o)).join('---\n');

let cluster: TestCluster;
before(() => {
  cluster = startCluster('opcrds');
});
after(() => cluster?.down());

test('all generated CRDs are created and established', () => {
  const crds = [...sailCrds(), ...istioConfigCrds()] as any[];
  cluster.kubectlOk(['apply', '-f', '-'], { input: asYaml(crds) });
  const names = crds.map((c) => c.metadata.name);
  const out = cluster.kubectlOk([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    ...names.map((n) => `crd/${n}`),
  ]);
  assert.equal(out.trim().split('\n').length, names.length);
  const resources = cluster.kubectlOk(['api-resources', '--api-group=sailoperator.io', '-o', 'name']);
  assert.deepEqual(resources.trim().split('\n').sort(), [
    'istiocnis.sailoperator.io',
    'istiorevisions.sailoperator.io',
    'istiorevisiontags.sailoperator.io',
    'istios.sailoperator.io',
    'ztunnels.sailoperator.io',
  ]);
});

test('the upstream samples apply and kubectl get istio shows the upstream columns', () => {
  const created = cluster.kubectlOk(['apply', '-f', join(samples, 'istio-sample.yaml')]);
  assert.equal(created.trim(), 'istio.sailoperator.io/default created');
  const t = parseTable(cluster.kubectlOk(['get', 'istio']));
  assert.deepEqual(t.header, [
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
  ]);
  assert.equal(t.rows.length, 1);
  assert.equal(t.rows[0].NAME, 'default');
  assert.equal(t.rows[0].NAMESPACE, 'istio-system');
  assert.equal(t.rows[0].VERSION, 'v1.31.0-beta.1');

  for (const f of ['istiocni-sample.yaml', 'ztunnel-sample.yaml', 'istio-sample-gw-api.yaml']) {
    cluster.kubectlOk(['apply', '-f', join(samples, f)]);
  }
  // Same names as above: these update the objects in place.
  for (const f of [
    'istio-sample-revisionbased.yaml',
    'ambient/istio-sample.yaml',
    'ambient/istiocni-sample.yaml',
    'ambient/istioztunnel-sample.yaml',
  ]) {
    cluster.kubectlOk(['apply', '-f', join(samples, f)]);
  }
  const headers = (resource: string) => parseTable(cluster.kubectlOk(['get', resource])).header;
  assert.deepEqual(headers('istiocni'), [
    'NAME',
    'NAMESPACE',
    'PROFILE',
    'READY',
    'STATUS',
    'VERSION',
    'AGE',
  ]);
  assert.deepEqual(headers('ztunnel'), [
    'NAME',
    'NAMESPACE',
    'READY',
    'STATUS',
    'VERSION',
    'REVISION',
    'AGE',
  ]);
  assert.deepEqual(headers('istiorevtag'), ['NAME', 'STATUS', 'IN USE', 'REVISION', 'AGE']);
  const tag = JSON.parse(cluster.kubectlOk(['get', 'istiorevisiontag', 'default', '-o', 'json']));
  assert.deepEqual(tag.spec.targetRef, { kind: 'Istio', name: 'default' });
  const all = cluster.kubectlOk(['get', 'istio-io', '-o', 'name']).trim().split('\n').sort();
  assert.deepEqual(all, [
    'istio.sailoperator.io/default',
    'istio.sailoperator.io/gateway-controller',
    'istiocni.sailoperator.io/default',
    'istiorevisiontag.sailoperator.io/default',
    'ztunnel.sailoperator.io/default',
  ]);
});

test('schema defaults are applied, undeclared values are kept and unknown top-level ones pruned', () => {
  const istio = {
    apiVersion: 'sailoperator.io/v1',
    kind: 'Istio',
    metadata: { name: 'bare' },
    spec: {
      updateStrategy: { type: 'RevisionBased' },
      values: { pilot: { autoscaleEnabled: false, notDeclared: { x: 1 } }, revisionTags: ['t'] },
    },
  };
  // Strict field validation (kubectl's default) refuses the unknown key; without it, it is pruned.
  const strict = cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(istio) });
  assert.match(strict.stderr, /unknown field "spec\.values\.revisionTags"/);
  cluster.kubectlOk(['create', '--validate=false', '-f', '-'], { input: JSON.stringify(istio) });
  const live = JSON.parse(cluster.kubectlOk(['get', 'istio', 'bare', '-o', 'json']));
  assert.equal(live.spec.namespace, 'istio-system');
  assert.equal(live.spec.version, 'v1.31.0-beta.1');
  assert.deepEqual(live.spec.updateStrategy, { type: 'RevisionBased' });
  assert.deepEqual(live.spec.values, { pilot: { autoscaleEnabled: false, notDeclared: { x: 1 } } });

  const empty = { apiVersion: 'sailoperator.io/v1', kind: 'IstioCNI', metadata: { name: 'other' } };
  cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(empty) });
  const cni = JSON.parse(cluster.kubectlOk(['get', 'istiocni', 'other', '-o', 'json']));
  assert.deepEqual(cni.spec, { version: 'v1.31.0-beta.1', namespace: 'istio-cni' });
});

test('values that break the schema are refused with the field path', () => {
  const bad = {
    apiVersion: 'sailoperator.io/v1',
    kind: 'Istio',
    metadata: { name: 'bad' },
    spec: { updateStrategy: { type: 'Sometimes', inactiveRevisionDeletionGracePeriodSeconds: -1 } },
  };
  const r = cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(bad) });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /spec\.updateStrategy\.type: Unsupported value: "Sometimes": supported values: "InPlace", "RevisionBased"/,
  );
  assert.match(
    r.stderr,
    /spec\.updateStrategy\.inactiveRevisionDeletionGracePeriodSeconds: Invalid value: -1/,
  );
  const badVersion = { ...bad, spec: { version: 'v9.9.9' } };
  const r2 = cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(badVersion) });
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /spec\.version: Unsupported value: "v9\.9\.9"/);
});

test('Istio config kinds: old versions served, short names and columns', () => {
  const ns = 'opcrds-config';
  cluster.kubectlOk(['create', 'namespace', ns]);
  const vs = {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: ns },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          match: [{ uri: { prefix: '/v2' } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
          timeout: '5s',
        },
      ],
    },
  };
  cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(vs) });
  const t = parseTable(cluster.kubectlOk(['get', 'vs', '-n', ns]));
  assert.deepEqual(t.header, ['NAME', 'GATEWAYS', 'HOSTS', 'AGE']);
  assert.equal(t.rows[0].HOSTS, '["reviews"]');
  const live = JSON.parse(
    cluster.kubectlOk(['get', 'virtualservices.v1.networking.istio.io', 'reviews', '-n', ns, '-o', 'json']),
  );
  assert.equal(live.apiVersion, 'networking.istio.io/v1');
  assert.deepEqual(live.spec, vs.spec);

  const pa = {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: ns },
    spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'DISABLE' } } },
  };
  cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(pa) });
  const p = parseTable(cluster.kubectlOk(['get', 'pa', '-n', ns]));
  assert.deepEqual(p.header, ['NAME', 'MODE', 'AGE']);
  assert.equal(p.rows[0].MODE, 'STRICT');
  const badPa = { ...pa, metadata: { name: 'bad', namespace: ns }, spec: { mtls: { mode: 'SOMETIMES' } } };
  const r = cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(badPa) });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /spec\.mtls\.mode: Unsupported value: "SOMETIMES"/);
});
