import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDiscoverySelectors, labelSelectorMatches } from './selectors.js';
import { bookinfoSnapshot } from './testdata-bookinfo.js';

test('no discoverySelectors: every namespace is visible', () => {
  const s = bookinfoSnapshot();
  assert.equal(applyDiscoverySelectors(s).services.length, s.services.length);
});

test('discoverySelectors keep only services and endpoints of selected namespaces', () => {
  const s = bookinfoSnapshot();
  s.services.push({
    name: 'httpbin',
    namespace: 'other',
    clusterIP: '10.96.0.50',
    ports: [{ name: 'http', port: 8000 }],
  });
  s.endpoints.push({
    service: 'httpbin',
    namespace: 'other',
    ip: '10.244.3.3',
    ports: [{ name: 'http', port: 8080 }],
    ready: true,
  });
  s.namespaces = [
    { name: 'default', labels: { 'istio-discovery': 'enabled' } },
    { name: 'other', labels: {} },
  ];
  s.meshConfig = { discoverySelectors: [{ matchLabels: { 'istio-discovery': 'enabled' } }] };
  const out = applyDiscoverySelectors(s);
  assert.ok(out.services.every((x) => x.namespace === 'default'));
  assert.ok(out.endpoints.every((x) => x.namespace === 'default'));
  s.meshConfig.discoverySelectors!.push({
    matchExpressions: [{ key: 'istio-discovery', operator: 'DoesNotExist' }],
  });
  assert.ok(applyDiscoverySelectors(s).services.some((x) => x.namespace === 'other'));
});

test('label selector operators', () => {
  const labels = { a: '1', b: '2' };
  assert.equal(
    labelSelectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] }, labels),
    true,
  );
  assert.equal(
    labelSelectorMatches({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['2'] }] }, labels),
    false,
  );
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'c', operator: 'Exists' }] }, labels), false);
  assert.equal(labelSelectorMatches({ matchLabels: { a: '1' } }, labels), true);
});
