import { test } from 'node:test';
import assert from 'node:assert/strict';
import { istioToRevision } from './revision.js';
import { renderIstioRevision } from './istiod.js';
import { renderIstioRevisionTag } from './tag.js';
import type { IstioLike, KubeObject } from './types.js';
import type { LabelSelector } from './webhooks.js';

// A label-selector matcher with Kubernetes' semantics, to evaluate the rendered selectors as the API server does.
function matches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const ok =
      r.operator === 'In'
        ? has && r.values!.includes(labels[r.key])
        : r.operator === 'NotIn'
          ? !has || !r.values!.includes(labels[r.key])
          : r.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

interface Webhook {
  name: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  clientConfig: { service: { name: string } };
}

function mwcs(objects: KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.kind === 'MutatingWebhookConfiguration');
}

/** The names of the configurations (and their entries) that would call out for this pod. */
function matching(
  configs: KubeObject[],
  ns: string,
  nsLabels: Record<string, string>,
  podLabels: Record<string, string>,
) {
  const all = { ...nsLabels, 'kubernetes.io/metadata.name': ns };
  const hits: string[] = [];
  for (const c of configs) {
    for (const w of c.webhooks as Webhook[]) {
      if (matches(w.namespaceSelector, all) && matches(w.objectSelector, podLabels))
        hits.push(`${c.metadata.name}/${w.name}`);
    }
  }
  // Istio's selectors are built so that at most one entry fires for any pod.
  assert.ok(hits.length <= 1, `several webhooks match: ${hits.join(', ')}`);
  return hits.map((h) => h.split('/')[0]);
}

const istio = (name: string, spec: IstioLike['spec'] = {}): IstioLike => ({
  metadata: { name },
  spec: { namespace: 'istio-system', version: 'v1.24.3', ...spec },
});
const render = (i: IstioLike) => renderIstioRevision(istioToRevision(i));

const INJECTION = 'istio-injection';
const REV = 'istio.io/rev';
const INJECT = 'sidecar.istio.io/inject';

test('selector matrix: revision "default" beside revision "my-mesh"', () => {
  const configs = mwcs([...render(istio('default')), ...render(istio('my-mesh'))]);
  assert.deepEqual(
    configs.map((c) => c.metadata.name),
    ['istio-sidecar-injector', 'istio-sidecar-injector-my-mesh'],
  );
  const D = ['istio-sidecar-injector'];
  const M = ['istio-sidecar-injector-my-mesh'];
  const cases: [Record<string, string>, Record<string, string>, string[]][] = [
    [{}, {}, []],
    [{ [INJECTION]: 'enabled' }, {}, D],
    [{ [INJECTION]: 'enabled' }, { [INJECT]: 'false' }, []],
    [{ [INJECTION]: 'enabled' }, { [INJECT]: 'true' }, D],
    [{ [INJECTION]: 'enabled' }, { [REV]: 'my-mesh' }, D],
    [{ [INJECTION]: 'disabled' }, {}, []],
    [{ [INJECTION]: 'disabled' }, { [INJECT]: 'true' }, []],
    [{ [INJECTION]: 'disabled' }, { [REV]: 'my-mesh' }, []],
    [{ [INJECTION]: 'enabled', [REV]: 'my-mesh' }, {}, D],
    [{ [REV]: 'my-mesh' }, {}, M],
    [{ [REV]: 'my-mesh' }, { [REV]: 'default' }, M],
    [{ [REV]: 'my-mesh' }, { [INJECT]: 'false' }, []],
    [{ [REV]: 'my-mesh' }, { [INJECT]: 'true' }, M],
    [{ [REV]: 'default' }, {}, D],
    [{ [REV]: 'unknown' }, {}, []],
    [{}, { [REV]: 'my-mesh' }, M],
    [{}, { [REV]: 'my-mesh', [INJECT]: 'false' }, []],
    [{}, { [REV]: 'default' }, D],
    [{}, { [INJECT]: 'true' }, D],
    [{}, { [INJECT]: 'true', [REV]: 'my-mesh' }, M],
    [{}, { [INJECT]: 'false' }, []],
  ];
  for (const [ns, pod, want] of cases) {
    assert.deepEqual(
      matching(configs, 'bookinfo', ns, pod),
      want,
      `ns ${JSON.stringify(ns)} pod ${JSON.stringify(pod)}`,
    );
  }
});

test('selector matrix: a non-default revision alone never answers istio-injection or inject=true', () => {
  const configs = mwcs(render(istio('my-mesh')));
  assert.deepEqual(matching(configs, 'bookinfo', { [INJECTION]: 'enabled' }, {}), []);
  assert.deepEqual(matching(configs, 'bookinfo', {}, { [INJECT]: 'true' }), []);
  assert.deepEqual(matching(configs, 'bookinfo', {}, { [REV]: 'my-mesh' }), [
    'istio-sidecar-injector-my-mesh',
  ]);
});

test('selector matrix: the "default" tag makes the default labels pick its RevisionBased target', () => {
  const rev = istioToRevision(istio('default', { updateStrategy: { type: 'RevisionBased' } }));
  assert.equal(rev.metadata.name, 'default-v1-24-3');
  const tag = renderIstioRevisionTag(
    { metadata: { name: 'default' }, spec: { targetRef: { kind: 'Istio', name: 'default' } } },
    rev,
  );
  const configs = mwcs([...renderIstioRevision(rev), ...tag]);
  const R = ['istio-sidecar-injector-default-v1-24-3'];
  const T = ['istio-revision-tag-default'];
  const cases: [Record<string, string>, Record<string, string>, string[]][] = [
    [{}, {}, []],
    [{ [INJECTION]: 'enabled' }, {}, T],
    [{ [INJECTION]: 'enabled' }, { [INJECT]: 'false' }, []],
    [{}, { [INJECT]: 'true' }, T],
    [{ [REV]: 'default' }, {}, T],
    [{}, { [REV]: 'default' }, T],
    [{ [REV]: 'default-v1-24-3' }, {}, R],
    [{}, { [REV]: 'default-v1-24-3' }, R],
  ];
  for (const [ns, pod, want] of cases) {
    assert.deepEqual(
      matching(configs, 'bookinfo', ns, pod),
      want,
      `ns ${JSON.stringify(ns)} pod ${JSON.stringify(pod)}`,
    );
  }
  for (const c of configs) {
    for (const w of c.webhooks as Webhook[])
      assert.equal(w.clientConfig.service.name, 'istiod-default-v1-24-3');
  }
});

test('selector matrix: enableNamespacesByDefault adds the auto entry, except in system namespaces', () => {
  const configs = mwcs(
    render(istio('default', { values: { sidecarInjectorWebhook: { enableNamespacesByDefault: true } } })),
  );
  const D = ['istio-sidecar-injector'];
  assert.deepEqual(matching(configs, 'bookinfo', {}, {}), D);
  assert.deepEqual(matching(configs, 'kube-system', {}, {}), []);
  assert.deepEqual(matching(configs, 'bookinfo', {}, { [INJECT]: 'false' }), []);
  assert.deepEqual(matching(configs, 'bookinfo', { [INJECTION]: 'disabled' }, {}), []);
  assert.deepEqual(matching(configs, 'bookinfo', { [REV]: 'other' }, {}), []);
});

test('webhook configuration names carry the namespace only outside istio-system', () => {
  const names = (i: IstioLike) =>
    render(i)
      .filter((o) => o.kind.endsWith('WebhookConfiguration'))
      .map((o) => o.metadata.name);
  assert.deepEqual(names(istio('default')), ['istio-sidecar-injector', 'istio-validator-istio-system']);
  assert.deepEqual(names(istio('mesh-1', { namespace: 'istio-system-1' })), [
    'istio-sidecar-injector-mesh-1-istio-system-1',
    'istio-validator-mesh-1-istio-system-1',
  ]);
});
