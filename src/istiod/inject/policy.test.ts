import { test } from 'node:test';
import assert from 'node:assert/strict';
import { injectRequired, labelSelectorMatches, shouldInject, type ShouldInjectConfig } from './policy.js';

type Row = [
  string,
  Record<string, string>,
  Record<string, string>,
  Partial<ShouldInjectConfig> & { revision: string },
  boolean,
];

// The guide's chapter 3 rules (namespace and pod labels, revision names, tags), decided per revision.
const rows: Row[] = [
  ['ns istio-injection=enabled, default rev', { 'istio-injection': 'enabled' }, {}, { revision: 'default' }, true],
  ['ns istio-injection=enabled, rev my-mesh without tag', { 'istio-injection': 'enabled' }, {}, { revision: 'my-mesh' }, false],
  ['ns istio-injection=enabled, rev my-mesh with tag default', { 'istio-injection': 'enabled' }, {}, { revision: 'my-mesh', tags: ['default'] }, true],
  ['ns istio-injection=disabled', { 'istio-injection': 'disabled' }, {}, { revision: 'default' }, false],
  ['ns istio-injection=disabled, pod inject=true', { 'istio-injection': 'disabled' }, { 'sidecar.istio.io/inject': 'true' }, { revision: 'default' }, false],
  ['ns enabled, pod inject=false opts out', { 'istio-injection': 'enabled' }, { 'sidecar.istio.io/inject': 'false' }, { revision: 'default' }, false],
  ['ns istio.io/rev=default', { 'istio.io/rev': 'default' }, {}, { revision: 'default' }, true],
  ['ns istio.io/rev=my-mesh picks my-mesh', { 'istio.io/rev': 'my-mesh' }, {}, { revision: 'my-mesh' }, true],
  ['ns istio.io/rev=my-mesh is not default', { 'istio.io/rev': 'my-mesh' }, {}, { revision: 'default' }, false],
  ['ns rev label, pod inject=false', { 'istio.io/rev': 'my-mesh' }, { 'sidecar.istio.io/inject': 'false' }, { revision: 'my-mesh' }, false],
  ['both ns labels: istio-injection wins (default)', { 'istio-injection': 'enabled', 'istio.io/rev': 'my-mesh' }, {}, { revision: 'default' }, true],
  ['both ns labels: istio-injection wins (not my-mesh)', { 'istio-injection': 'enabled', 'istio.io/rev': 'my-mesh' }, {}, { revision: 'my-mesh' }, false],
  ['unlabelled ns, pod istio.io/rev=my-mesh', {}, { 'istio.io/rev': 'my-mesh' }, { revision: 'my-mesh' }, true],
  ['unlabelled ns, pod istio.io/rev=default', {}, { 'istio.io/rev': 'default' }, { revision: 'default' }, true],
  ['unlabelled ns, pod inject=true, default rev', {}, { 'sidecar.istio.io/inject': 'true' }, { revision: 'default' }, true],
  ['unlabelled ns, pod inject=true, rev my-mesh', {}, { 'sidecar.istio.io/inject': 'true' }, { revision: 'my-mesh' }, false],
  ['unlabelled ns, pod inject=true and rev: rev wins', {}, { 'sidecar.istio.io/inject': 'true', 'istio.io/rev': 'my-mesh' }, { revision: 'default' }, false],
  ['unlabelled ns, unlabelled pod', {}, {}, { revision: 'default' }, false],
  ['enableNamespacesByDefault', {}, {}, { revision: 'default', enableNamespacesByDefault: true }, true],
  ['enableNamespacesByDefault skips kube-system', {}, {}, { revision: 'default', enableNamespacesByDefault: true, namespace: 'kube-system' }, false],
  ['policy disabled: namespace label alone is not enough', { 'istio-injection': 'enabled' }, {}, { revision: 'default', policy: 'disabled' }, false],
  ['policy disabled: pod inject=true still injects', {}, { 'sidecar.istio.io/inject': 'true' }, { revision: 'default', policy: 'disabled' }, true],
  ['neverInjectSelector', { 'istio-injection': 'enabled' }, { app: 'db' }, { revision: 'default', neverInjectSelector: [{ matchLabels: { app: 'db' } }] }, false],
  ['alwaysInjectSelector beats policy disabled', { 'istio-injection': 'enabled' }, { app: 'web' }, { revision: 'default', policy: 'disabled', alwaysInjectSelector: [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }] }, true],
  ['hostNetwork pods are skipped', { 'istio-injection': 'enabled' }, {}, { revision: 'default', hostNetwork: true }, false],
]; // prettier-ignore

for (const [name, nsLabels, podLabels, cfg, want] of rows) {
  test(`shouldInject: ${name}`, () => {
    const config: ShouldInjectConfig = { namespace: 'bookinfo', ...cfg };
    assert.equal(shouldInject(nsLabels, podLabels, {}, config).inject, want);
  });
}

test('injectRequired: label beats the legacy annotation; yaml booleans; system namespaces', () => {
  const cfg = { policy: 'disabled' as const };
  const ns = 'bookinfo';
  assert.equal(
    injectRequired(
      {
        namespace: ns,
        labels: { 'sidecar.istio.io/inject': 'false' },
        annotations: { 'sidecar.istio.io/inject': 'true' },
      },
      cfg,
    ).inject,
    false,
  );
  assert.equal(
    injectRequired({ namespace: ns, annotations: { 'sidecar.istio.io/inject': 'yes' } }, cfg).inject,
    true,
  );
  assert.equal(
    injectRequired({ namespace: ns, labels: { 'sidecar.istio.io/inject': 'maybe' } }, {}).inject,
    false,
  );
  assert.equal(
    injectRequired({ namespace: 'kube-system', labels: { 'sidecar.istio.io/inject': 'true' } }, {}).inject,
    false,
  );
  assert.equal(injectRequired({ namespace: ns }, {}).inject, true);
});

test('labelSelectorMatches operators', () => {
  const labels = { a: '1', b: '2' };
  assert.ok(labelSelectorMatches({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, labels));
  assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: 'c', operator: 'Exists' }] }, labels));
  assert.ok(labelSelectorMatches({ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }, labels));
  assert.ok(
    !labelSelectorMatches({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['2'] }] }, labels),
  );
  assert.ok(labelSelectorMatches({}, labels));
});
