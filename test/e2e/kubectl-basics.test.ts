// Acceptance 2 and 3 with the real kubectl: version, discovery (api-resources), namespaces with
// labels, secrets and config maps created from files (byte for byte), and describe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type TestCluster } from './harness.js';
import { parseTable, scratchDir } from './kubectl-helpers.js';

let cluster: TestCluster;
let files: string;

before(() => {
  cluster = startCluster('basics');
  files = scratchDir('basics-files');
});
after(() => cluster?.down());

/** Rows of `kubectl api-resources` as kube-apiserver v1.32 serves them (NAME SHORTNAMES APIVERSION NAMESPACED KIND). */
const upstreamBuiltins: [string, string, string, string, string][] = [
  ['bindings', '', 'v1', 'true', 'Binding'],
  ['componentstatuses', 'cs', 'v1', 'false', 'ComponentStatus'],
  ['configmaps', 'cm', 'v1', 'true', 'ConfigMap'],
  ['endpoints', 'ep', 'v1', 'true', 'Endpoints'],
  ['events', 'ev', 'v1', 'true', 'Event'],
  ['limitranges', 'limits', 'v1', 'true', 'LimitRange'],
  ['namespaces', 'ns', 'v1', 'false', 'Namespace'],
  ['nodes', 'no', 'v1', 'false', 'Node'],
  ['persistentvolumeclaims', 'pvc', 'v1', 'true', 'PersistentVolumeClaim'],
  ['persistentvolumes', 'pv', 'v1', 'false', 'PersistentVolume'],
  ['pods', 'po', 'v1', 'true', 'Pod'],
  ['podtemplates', '', 'v1', 'true', 'PodTemplate'],
  ['replicationcontrollers', 'rc', 'v1', 'true', 'ReplicationController'],
  ['resourcequotas', 'quota', 'v1', 'true', 'ResourceQuota'],
  ['secrets', '', 'v1', 'true', 'Secret'],
  ['serviceaccounts', 'sa', 'v1', 'true', 'ServiceAccount'],
  ['services', 'svc', 'v1', 'true', 'Service'],
  [
    'mutatingwebhookconfigurations',
    '',
    'admissionregistration.k8s.io/v1',
    'false',
    'MutatingWebhookConfiguration',
  ],
  [
    'validatingadmissionpolicies',
    '',
    'admissionregistration.k8s.io/v1',
    'false',
    'ValidatingAdmissionPolicy',
  ],
  [
    'validatingadmissionpolicybindings',
    '',
    'admissionregistration.k8s.io/v1',
    'false',
    'ValidatingAdmissionPolicyBinding',
  ],
  [
    'validatingwebhookconfigurations',
    '',
    'admissionregistration.k8s.io/v1',
    'false',
    'ValidatingWebhookConfiguration',
  ],
  ['customresourcedefinitions', 'crd,crds', 'apiextensions.k8s.io/v1', 'false', 'CustomResourceDefinition'],
  ['apiservices', '', 'apiregistration.k8s.io/v1', 'false', 'APIService'],
  ['controllerrevisions', '', 'apps/v1', 'true', 'ControllerRevision'],
  ['daemonsets', 'ds', 'apps/v1', 'true', 'DaemonSet'],
  ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
  ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet'],
  ['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet'],
  ['selfsubjectreviews', '', 'authentication.k8s.io/v1', 'false', 'SelfSubjectReview'],
  ['tokenreviews', '', 'authentication.k8s.io/v1', 'false', 'TokenReview'],
  ['localsubjectaccessreviews', '', 'authorization.k8s.io/v1', 'true', 'LocalSubjectAccessReview'],
  ['selfsubjectaccessreviews', '', 'authorization.k8s.io/v1', 'false', 'SelfSubjectAccessReview'],
  ['selfsubjectrulesreviews', '', 'authorization.k8s.io/v1', 'false', 'SelfSubjectRulesReview'],
  ['subjectaccessreviews', '', 'authorization.k8s.io/v1', 'false', 'SubjectAccessReview'],
  ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler'],
  ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'],
  ['jobs', '', 'batch/v1', 'true', 'Job'],
  ['certificatesigningrequests', 'csr', 'certificates.k8s.io/v1', 'false', 'CertificateSigningRequest'],
  ['leases', '', 'coordination.k8s.io/v1', 'true', 'Lease'],
  ['endpointslices', '', 'discovery.k8s.io/v1', 'true', 'EndpointSlice'],
  ['events', 'ev', 'events.k8s.io/v1', 'true', 'Event'],
  ['flowschemas', '', 'flowcontrol.apiserver.k8s.io/v1', 'false', 'FlowSchema'],
  [
    'prioritylevelconfigurations',
    '',
    'flowcontrol.apiserver.k8s.io/v1',
    'false',
    'PriorityLevelConfiguration',
  ],
  ['ingressclasses', '', 'networking.k8s.io/v1', 'false', 'IngressClass'],
  ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress'],
  ['networkpolicies', 'netpol', 'networking.k8s.io/v1', 'true', 'NetworkPolicy'],
  ['runtimeclasses', '', 'node.k8s.io/v1', 'false', 'RuntimeClass'],
  ['poddisruptionbudgets', 'pdb', 'policy/v1', 'true', 'PodDisruptionBudget'],
  ['clusterrolebindings', '', 'rbac.authorization.k8s.io/v1', 'false', 'ClusterRoleBinding'],
  ['clusterroles', '', 'rbac.authorization.k8s.io/v1', 'false', 'ClusterRole'],
  ['rolebindings', '', 'rbac.authorization.k8s.io/v1', 'true', 'RoleBinding'],
  ['roles', '', 'rbac.authorization.k8s.io/v1', 'true', 'Role'],
  ['priorityclasses', 'pc', 'scheduling.k8s.io/v1', 'false', 'PriorityClass'],
  ['csidrivers', '', 'storage.k8s.io/v1', 'false', 'CSIDriver'],
  ['csinodes', '', 'storage.k8s.io/v1', 'false', 'CSINode'],
  ['csistoragecapacities', '', 'storage.k8s.io/v1', 'true', 'CSIStorageCapacity'],
  ['storageclasses', 'sc', 'storage.k8s.io/v1', 'false', 'StorageClass'],
  ['volumeattachments', '', 'storage.k8s.io/v1', 'false', 'VolumeAttachment'],
];

/** The kinds the acceptance scenarios (bookinfo, Istio, Gateway API) touch. */
const scenarioKinds = new Set([
  'configmaps',
  'endpoints',
  'events',
  'namespaces',
  'nodes',
  'pods',
  'secrets',
  'serviceaccounts',
  'services',
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'customresourcedefinitions',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'cronjobs',
  'leases',
  'endpointslices',
  'poddisruptionbudgets',
  'horizontalpodautoscalers',
  'roles',
  'rolebindings',
  'clusterroles',
  'clusterrolebindings',
  'tokenreviews',
  'subjectaccessreviews',
  'selfsubjectaccessreviews',
  'ingresses',
  'ingressclasses',
  'networkpolicies',
]);

const rowKey = (r: Record<string, string>) => `${r.NAME} ${r.APIVERSION}`;
const apiResources = () => {
  const t = parseTable(cluster.kubectlOk(['api-resources']));
  assert.deepEqual(t.header, ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
  return new Map(t.rows.map((r) => [rowKey(r), [r.NAME, r.SHORTNAMES, r.APIVERSION, r.NAMESPACED, r.KIND]]));
};

test('kubectl version reports a v1.32 server', () => {
  const r = cluster.kubectl(['version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Server Version: v1\.32\.\d+$/m);
  const json = JSON.parse(cluster.kubectlOk(['version', '-o', 'json']));
  assert.equal(json.serverVersion.major, '1');
  assert.equal(json.serverVersion.minor, '32');
  assert.match(json.serverVersion.gitVersion, /^v1\.32\.\d+$/);
});

test('kubectl api-resources lists the built-ins the scenarios use, with upstream names, short names and scope', () => {
  const served = apiResources();
  // events.k8s.io is the newer view of core events; the scenarios only use the core one.
  for (const row of upstreamBuiltins.filter((r) => scenarioKinds.has(r[0]) && r[2] !== 'events.k8s.io/v1')) {
    assert.deepEqual(served.get(`${row[0]} ${row[2]}`), row, `api-resources row for ${row[0]} (${row[2]})`);
  }
});

test('kubectl api-resources lists every built-in a v1.32 kube-apiserver serves', () => {
  const served = apiResources();
  const missing = upstreamBuiltins
    .filter((r) => !served.has(`${r[0]} ${r[2]}`))
    .map((r) => `${r[0]} (${r[2]})`);
  const wrong = upstreamBuiltins
    .filter(
      (r) =>
        served.has(`${r[0]} ${r[2]}`) && JSON.stringify(served.get(`${r[0]} ${r[2]}`)) !== JSON.stringify(r),
    )
    .map((r) => `${JSON.stringify(served.get(`${r[0]} ${r[2]}`))} should be ${JSON.stringify(r)}`);
  assert.deepEqual({ missing, wrong }, { missing: [], wrong: [] });
});

test('kubectl get ns shows the four system namespaces as Active', () => {
  const t = parseTable(cluster.kubectlOk(['get', 'ns']));
  assert.deepEqual(t.header, ['NAME', 'STATUS', 'AGE']);
  assert.deepEqual(
    t.rows.map((r) => [r.NAME, r.STATUS]),
    ['default', 'kube-node-lease', 'kube-public', 'kube-system'].map((n) => [n, 'Active']),
  );
  for (const r of t.rows) assert.match(r.AGE, /^\d+(s|m)/);
});

test('create and label a namespace, then get ns --show-labels', () => {
  assert.equal(cluster.kubectlOk(['create', 'namespace', 'bookinfo']), 'namespace/bookinfo created\n');
  assert.equal(
    cluster.kubectlOk(['label', 'namespace', 'bookinfo', 'istio-injection=enabled']),
    'namespace/bookinfo labeled\n',
  );
  const t = parseTable(cluster.kubectlOk(['get', 'ns', '--show-labels']));
  assert.deepEqual(t.header, ['NAME', 'STATUS', 'AGE', 'LABELS']);
  const row = t.rows.find((r) => r.NAME === 'bookinfo');
  assert.ok(row, 'bookinfo listed');
  assert.equal(row.STATUS, 'Active');
  assert.equal(row.LABELS, 'istio-injection=enabled,kubernetes.io/metadata.name=bookinfo');
  assert.equal(t.rows.find((r) => r.NAME === 'default')?.LABELS, 'kubernetes.io/metadata.name=default');

  const again = cluster.kubectl(['create', 'namespace', 'bookinfo']);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'Error from server (AlreadyExists): namespaces "bookinfo" already exists\n');
});

test('create secret generic --from-file stores every file byte for byte, binary included', () => {
  const contents: Record<string, Buffer> = {
    'ca-cert.pem': Buffer.from(
      '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n',
    ),
    'ca-key.pem': Buffer.from(
      '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n',
    ),
    'root-cert.pem': Buffer.from('no trailing newline, trailing spaces   '),
    'cert-chain.pem': Buffer.from(''),
    'keystore.bin': Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      randomBytes(4096),
      Buffer.from([0, 0xff, 0xfe, 0xc3]),
    ]),
  };
  const args = ['create', 'secret', 'generic', 'cacerts', '-n', 'bookinfo'];
  for (const [name, data] of Object.entries(contents)) {
    writeFileSync(join(files, name), data);
    args.push(`--from-file=${join(files, name)}`);
  }
  assert.equal(cluster.kubectlOk(args), 'secret/cacerts created\n');

  const secret = JSON.parse(cluster.kubectlOk(['get', 'secret', 'cacerts', '-n', 'bookinfo', '-o', 'json']));
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(Object.keys(secret.data).sort(), Object.keys(contents).sort());
  for (const [name, data] of Object.entries(contents)) {
    assert.ok(
      Buffer.from(secret.data[name], 'base64').equals(data),
      `secret key ${name} differs from the file`,
    );
    assert.ok(Buffer.from(secret.data[name], 'base64').equals(readFileSync(join(files, name))));
  }

  const t = parseTable(cluster.kubectlOk(['get', 'secret', 'cacerts', '-n', 'bookinfo']));
  assert.deepEqual(t.header, ['NAME', 'TYPE', 'DATA', 'AGE']);
  assert.deepEqual([t.rows[0].NAME, t.rows[0].TYPE, t.rows[0].DATA], ['cacerts', 'Opaque', '5']);
});

test('create configmap stores literals, text files and binary files exactly as sent', () => {
  const text = 'mesh:\n  accessLogFile: /dev/stdout\n\ttab and unicode ✓ é\n  trailing   \n\n';
  const blob = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x80]);
  writeFileSync(join(files, 'mesh.yaml'), text);
  writeFileSync(join(files, 'logo.png'), blob);
  const out = cluster.kubectlOk([
    'create',
    'configmap',
    'istio-config',
    '-n',
    'bookinfo',
    '--from-literal=greeting=héllo wörld',
    '--from-literal=empty=',
    '--from-literal=spaces=  a  b  ',
    `--from-file=${join(files, 'mesh.yaml')}`,
    `--from-file=${join(files, 'logo.png')}`,
  ]);
  assert.equal(out, 'configmap/istio-config created\n');
  const cm = JSON.parse(
    cluster.kubectlOk(['get', 'configmap', 'istio-config', '-n', 'bookinfo', '-o', 'json']),
  );
  assert.deepEqual(cm.data, { greeting: 'héllo wörld', empty: '', spaces: '  a  b  ', 'mesh.yaml': text });
  assert.deepEqual(Object.keys(cm.binaryData), ['logo.png']);
  assert.ok(Buffer.from(cm.binaryData['logo.png'], 'base64').equals(blob));

  writeFileSync(join(files, 'app.env'), '# comment\nLOG_LEVEL=debug\nEMPTY=\nQUOTED="x y"\n');
  cluster.kubectlOk([
    'create',
    'configmap',
    'env-config',
    '-n',
    'bookinfo',
    `--from-env-file=${join(files, 'app.env')}`,
  ]);
  const env = JSON.parse(
    cluster.kubectlOk(['get', 'configmap', 'env-config', '-n', 'bookinfo', '-o', 'json']),
  );
  assert.deepEqual(env.data, { LOG_LEVEL: 'debug', EMPTY: '', QUOTED: '"x y"' });

  const t = parseTable(
    cluster.kubectlOk(['get', 'configmap', 'istio-config', 'env-config', '-n', 'bookinfo']),
  );
  assert.deepEqual(t.header, ['NAME', 'DATA', 'AGE']);
  assert.deepEqual(
    t.rows.map((r) => [r.NAME, r.DATA]),
    [
      ['istio-config', '5'],
      ['env-config', '3'],
    ],
  );
});

test('kubectl describe deployment shows defaults the server filled in', () => {
  assert.equal(
    cluster.kubectlOk([
      'create',
      'deployment',
      'web',
      '-n',
      'bookinfo',
      '--image=nginx:1.27',
      '--replicas=2',
      '--port=80',
    ]),
    'deployment.apps/web created\n',
  );
  const out = cluster.kubectlOk(['describe', 'deployment', 'web', '-n', 'bookinfo']);
  const expectLine = (re: RegExp) => assert.match(out, re, out);
  expectLine(/^Name:\s+web$/m);
  expectLine(/^Namespace:\s+bookinfo$/m);
  expectLine(/^CreationTimestamp:\s+\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
  expectLine(/^Labels:\s+app=web$/m);
  expectLine(/^Selector:\s+app=web$/m);
  expectLine(/^Replicas:\s+2 desired \| \d+ updated \| \d+ total \| \d+ available \| \d+ unavailable$/m);
  expectLine(/^StrategyType:\s+RollingUpdate$/m);
  expectLine(/^MinReadySeconds:\s+0$/m);
  expectLine(/^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
  expectLine(
    /^Pod Template:\n {2}Labels:\s+app=web\n {2}Containers:\n {3}nginx:\n {4}Image:\s+nginx:1\.27\n {4}Port:\s+80\/TCP\n {4}Host Port:\s+0\/TCP$/m,
  );
  expectLine(/^Events:/m);
});

test('kubectl describe namespace', () => {
  const out = cluster.kubectlOk(['describe', 'namespace', 'bookinfo']);
  assert.match(
    out,
    /^Name:\s+bookinfo\nLabels:\s+istio-injection=enabled\n\s+kubernetes\.io\/metadata\.name=bookinfo\nAnnotations:\s+<none>\nStatus:\s+Active\n/,
    out,
  );
  assert.match(out, /^No resource quota\.$/m);
  assert.match(out, /^No LimitRange resource\.$/m);
});
