import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { istioToRevision } from './revision.js';
import { renderIstioRevision } from './istiod.js';
import { renderIstioRevisionTag } from './tag.js';
import { renderIstioCNI } from './cni.js';
import { renderZTunnel } from './ztunnel.js';
import type { IstioLike, KubeObject } from './types.js';

// Tests run from dist/src/operator/render; the golden files stay in the source tree. UPDATE_GOLDEN=1 rewrites them.
const golden = (name: string) => new URL(`../../../../src/operator/render/testdata/${name}`, import.meta.url);

function checkGolden(name: string, docs: unknown[]): void {
  const actual = docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden(name), actual);
  assert.equal(actual, readFileSync(golden(name), 'utf8'));
}

const istio = (name: string, spec: IstioLike['spec']): IstioLike => ({
  metadata: { name, uid: `uid-${name}` },
  spec,
});
const kinds = (objs: KubeObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);

function renderIstio(i: IstioLike) {
  const rev = istioToRevision(i);
  return {
    rev,
    objects: renderIstioRevision({ ...rev, metadata: { ...rev.metadata, uid: `uid-${rev.metadata.name}` } }),
  };
}

test('golden: default profile Istio in istio-system', () => {
  const { rev, objects } = renderIstio(istio('default', { version: 'v1.24.6', namespace: 'istio-system' }));
  checkGolden('istio-default.yaml', [rev, ...objects]);
  assert.deepEqual(kinds(objects), [
    'ServiceAccount/istiod',
    'ConfigMap/istio',
    'ConfigMap/istio-sidecar-injector',
    'ConfigMap/values',
    'Role/istiod',
    'RoleBinding/istiod',
    'Deployment/istiod',
    'Service/istiod',
    'HorizontalPodAutoscaler/istiod',
    'ClusterRole/istiod-clusterrole-istio-system',
    'ClusterRoleBinding/istiod-clusterrole-istio-system',
    'ClusterRole/istiod-gateway-controller-istio-system',
    'ClusterRoleBinding/istiod-gateway-controller-istio-system',
    'ClusterRole/istio-reader-clusterrole-istio-system',
    'ClusterRoleBinding/istio-reader-clusterrole-istio-system',
    'MutatingWebhookConfiguration/istio-sidecar-injector',
    'ValidatingWebhookConfiguration/istio-validator-istio-system',
  ]);
  const dep = objects.find((o) => o.kind === 'Deployment') as any;
  assert.equal(dep.spec.replicas, undefined, 'autoscaling leaves replicas to the HPA');
  assert.equal(dep.spec.template.spec.containers[0].image, 'mizzen/pilot:1.24.6');
});

test('golden: RevisionBased Istio default at v1.24.3', () => {
  const { rev, objects } = renderIstio(
    istio('default', {
      version: 'v1.24.3',
      namespace: 'istio-system',
      updateStrategy: { type: 'RevisionBased' },
    }),
  );
  assert.equal(rev.metadata.name, 'default-v1-24-3');
  assert.equal(rev.spec.values.revision, 'default-v1-24-3');
  checkGolden('istio-revisionbased.yaml', [rev, ...objects]);
  assert.ok(kinds(objects).includes('Deployment/istiod-default-v1-24-3'));
  assert.ok(kinds(objects).includes('ConfigMap/istio-default-v1-24-3'));
  assert.ok(kinds(objects).includes('MutatingWebhookConfiguration/istio-sidecar-injector-default-v1-24-3'));
  assert.ok(
    kinds(objects).includes('ValidatingWebhookConfiguration/istio-validator-default-v1-24-3-istio-system'),
  );
});

test('golden: HA with a fixed replica count (guide 2.7.2)', () => {
  const { objects } = renderIstio(
    istio('default', { version: 'v1.24.6', values: { pilot: { autoscaleEnabled: false, replicaCount: 2 } } }),
  );
  const sel = objects.filter((o) =>
    ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(o.kind),
  );
  checkGolden('istio-ha-replicas.yaml', sel);
  assert.deepEqual(kinds(sel), ['Deployment/istiod', 'PodDisruptionBudget/istiod']);
  assert.equal((sel[0] as any).spec.replicas, 2);
});

test('golden: HA with autoscaling 2..5 (guide 2.7.1)', () => {
  const { objects } = renderIstio(
    istio('default', {
      version: 'v1.24.6',
      values: {
        pilot: {
          autoscaleMin: 2,
          autoscaleMax: 5,
          cpu: { targetAverageUtilization: 80 },
          memory: { targetAverageUtilization: 80 },
        },
      },
    }),
  );
  const sel = objects.filter((o) => ['HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(o.kind));
  checkGolden('istio-ha-autoscale.yaml', sel);
  assert.deepEqual(kinds(sel), ['HorizontalPodAutoscaler/istiod', 'PodDisruptionBudget/istiod']);
});

test('golden: discoverySelectors land in the mesh config', () => {
  const { objects } = renderIstio(
    istio('mesh-1', {
      version: 'v1.24.6',
      namespace: 'istio-system-1',
      values: { meshConfig: { discoverySelectors: [{ matchLabels: { 'istio-discovery': 'mesh-1' } }] } },
    }),
  );
  const cm = objects.find((o) => o.metadata.name === 'istio-mesh-1') as any;
  checkGolden('istio-discovery-selectors.yaml', [cm]);
  assert.match(cm.data.mesh, /discoverySelectors:\n- matchLabels:\n {4}istio-discovery: mesh-1/);
  assert.match(cm.data.mesh, /discoveryAddress: istiod-mesh-1\.istio-system-1\.svc:15012/);
});

test('golden: revision tag default targeting a RevisionBased revision', () => {
  const rev = istioToRevision(
    istio('default', { version: 'v1.24.3', updateStrategy: { type: 'RevisionBased' } }),
  );
  const objects = renderIstioRevisionTag(
    {
      metadata: { name: 'default', uid: 'uid-tag' },
      spec: { targetRef: { kind: 'Istio', name: 'default' } },
    },
    rev,
  );
  checkGolden('revision-tag-default.yaml', objects);
  assert.deepEqual(kinds(objects), [
    'Service/istiod-revision-tag-default',
    'MutatingWebhookConfiguration/istio-revision-tag-default',
  ]);
});

test('golden: ambient profile', () => {
  const { rev, objects } = renderIstio(
    istio('default', {
      version: 'v1.24.6',
      profile: 'ambient',
      values: { pilot: { trustedZtunnelNamespace: 'ztunnel' } },
    }),
  );
  const sel = objects.filter((o) => o.kind === 'Deployment' || o.metadata.name === 'istio');
  checkGolden('istio-ambient.yaml', [rev, ...sel]);
  const env = (sel.find((o) => o.kind === 'Deployment') as any).spec.template.spec.containers[0].env;
  assert.ok(env.some((e: any) => e.name === 'PILOT_ENABLE_AMBIENT' && e.value === 'true'));
  assert.ok(env.some((e: any) => e.name === 'CA_TRUSTED_NODE_ACCOUNTS' && e.value === 'ztunnel/ztunnel'));
});

test('golden: IstioCNI default', () => {
  const objects = renderIstioCNI({
    metadata: { name: 'default', uid: 'uid-cni' },
    spec: { version: 'v1.24.6', namespace: 'istio-cni' },
  });
  checkGolden('istiocni-default.yaml', objects);
  assert.ok(kinds(objects).includes('DaemonSet/istio-cni-node'));
});

test('golden: ZTunnel default', () => {
  const objects = renderZTunnel({
    metadata: { name: 'default', uid: 'uid-zt' },
    spec: { version: 'v1.24.6', namespace: 'ztunnel' },
  });
  checkGolden('ztunnel-default.yaml', objects);
  assert.deepEqual(kinds(objects), ['ServiceAccount/ztunnel', 'DaemonSet/ztunnel']);
});

test('remote profile renders no istiod Deployment and no mesh config map', () => {
  const { objects } = renderIstio(istio('default', { version: 'v1.24.6', profile: 'remote' }));
  const k = kinds(objects);
  assert.ok(!k.includes('Deployment/istiod'));
  assert.ok(!k.includes('ConfigMap/istio'));
  assert.ok(!k.includes('ConfigMap/istio-sidecar-injector'));
  assert.ok(k.includes('MutatingWebhookConfiguration/istio-sidecar-injector'));
});

test('rendering is deterministic', () => {
  const i = istio('default', { version: 'v1.24.6', profile: 'demo' });
  assert.deepEqual(renderIstio(i), renderIstio(i));
});

test('ZTunnel with a targetRef takes the target revision, namespace and cluster settings', () => {
  const rev = istioToRevision(
    istio('default', {
      version: 'v1.24.3',
      updateStrategy: { type: 'RevisionBased' },
      values: { global: { multiCluster: { clusterName: 'east' }, network: 'net1' } },
    }),
  );
  const [, ds] = renderZTunnel(
    { metadata: { name: 'default' }, spec: { version: 'v1.24.3' } },
    { targetRevision: rev },
  ) as any[];
  const env = Object.fromEntries(
    ds.spec.template.spec.containers[0].env
      .filter((e: any) => 'value' in e)
      .map((e: any) => [e.name, e.value]),
  );
  assert.equal(env.XDS_ADDRESS, 'istiod-default-v1-24-3.istio-system.svc:15012');
  assert.equal(env.CA_ADDRESS, 'istiod-default-v1-24-3.istio-system.svc:15012');
  assert.equal(env.ISTIO_META_CLUSTER_ID, 'east');
  assert.equal(env.NETWORK, 'net1');
  assert.equal(ds.spec.template.metadata.labels['istio.io/rev'], 'default-v1-24-3');
});

test('IstioCNI with the ambient profile enables ambient in its config and RBAC', () => {
  const objects = renderIstioCNI({
    metadata: { name: 'default' },
    spec: { version: 'v1.24.6', profile: 'ambient' },
  });
  const cm = objects.find((o) => o.kind === 'ConfigMap') as any;
  assert.equal(cm.data.AMBIENT_ENABLED, 'true');
  assert.equal(cm.metadata.namespace, 'istio-cni');
  assert.ok(kinds(objects).includes('ClusterRole/istio-cni-ambient'));
  assert.throws(() => renderIstioCNI({ metadata: { name: 'other' }, spec: {} }), /must be named "default"/);
});

test('images follow the version and honour hub/tag/variant overrides', async () => {
  const { istiodImage, proxyImage, cniImage, ztunnelImage, componentImage } = await import('./images.js');
  assert.equal(istiodImage('v1.24.6'), 'mizzen/pilot:1.24.6');
  assert.equal(proxyImage('1.24.6'), 'mizzen/proxyv2:1.24.6');
  assert.equal(cniImage('v1.24.6'), 'mizzen/install-cni:1.24.6');
  assert.equal(ztunnelImage('v1.24.6', 'distroless'), 'mizzen/ztunnel:1.24.6-distroless');
  assert.equal(
    componentImage({ pilot: { image: 'quay.io/x/pilot:9' } }, 'pilot', 'pilot', '1.24.6'),
    'quay.io/x/pilot:9',
  );
  assert.equal(
    componentImage({ global: { hub: 'reg/istio', tag: '1.2.3' } }, 'pilot', 'pilot', '1.24.6'),
    'reg/istio/pilot:1.2.3',
  );
});

test('the demo profile turns autoscaling off and sets trace sampling 100', () => {
  const { objects } = renderIstio(istio('default', { version: 'v1.24.6', profile: 'demo' }));
  const k = kinds(objects);
  assert.ok(!k.includes('HorizontalPodAutoscaler/istiod'));
  const dep = objects.find((o) => o.kind === 'Deployment') as any;
  assert.equal(dep.spec.replicas, 1);
  const env = dep.spec.template.spec.containers[0].env;
  assert.ok(env.some((e: any) => e.name === 'PILOT_TRACE_SAMPLING' && e.value === '100'));
  const mesh = (objects.find((o) => o.metadata.name === 'istio') as any).data.mesh;
  assert.match(mesh, /accessLogFile: \/dev\/stdout/);
});

test('default-base: the cluster-default validator targets the default revision or tag target', async () => {
  const { renderDefaultBase } = await import('./tag.js');
  const rev = istioToRevision(
    istio('default', { version: 'v1.24.3', updateStrategy: { type: 'RevisionBased' } }),
  );
  const objects = renderDefaultBase(rev, {
    kind: 'IstioRevisionTag',
    name: 'default',
    uid: 'uid-tag',
  }) as any[];
  assert.deepEqual(kinds(objects), [
    'ServiceAccount/istio-reader-service-account',
    'ValidatingWebhookConfiguration/istiod-default-validator',
  ]);
  assert.equal(objects[1].webhooks[0].clientConfig.service.name, 'istiod-default-v1-24-3');
  assert.equal(objects[1].webhooks[0].objectSelector, undefined);
  assert.equal(objects[1].metadata.ownerReferences[0].kind, 'IstioRevisionTag');
});
