import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type LabelSelector,
  matchesLabelSelector,
  namespaceDiscovered,
  wantsRootCert,
} from './namespace-selection.js';

test('label selectors: matchLabels and every matchExpressions operator', () => {
  const l = { 'istio-discovery': 'enabled', env: 'prod' };
  assert.equal(matchesLabelSelector(l, {}), true);
  assert.equal(matchesLabelSelector(l, { matchLabels: { 'istio-discovery': 'enabled' } }), true);
  assert.equal(matchesLabelSelector(l, { matchLabels: { 'istio-discovery': 'disabled' } }), false);
  assert.equal(
    matchesLabelSelector(l, { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }),
    true,
  );
  assert.equal(
    matchesLabelSelector(l, { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }),
    false,
  );
  assert.equal(
    matchesLabelSelector(l, { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }),
    true,
  );
  assert.equal(matchesLabelSelector(l, { matchExpressions: [{ key: 'env', operator: 'Exists' }] }), true);
  assert.equal(
    matchesLabelSelector(l, { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }),
    false,
  );
  assert.equal(matchesLabelSelector(l, { matchExpressions: [{ key: 'env', operator: 'Bogus' }] }), false);
  assert.equal(
    matchesLabelSelector(l, {
      matchLabels: { env: 'prod' },
      matchExpressions: [{ key: 'istio-discovery', operator: 'In', values: ['x'] }],
    }),
    false,
  );
});

test('discovery selectors are ORed; none selects every namespace', () => {
  const sel: LabelSelector[] = [
    { matchLabels: { 'istio-discovery': 'enabled' } },
    { matchLabels: { mesh: 'a' } },
  ];
  assert.equal(namespaceDiscovered({ mesh: 'a' }, sel), true);
  assert.equal(namespaceDiscovered({ 'istio-discovery': 'enabled' }, sel), true);
  assert.equal(namespaceDiscovered({}, sel), false);
  assert.equal(namespaceDiscovered(undefined, undefined), true);
  assert.equal(namespaceDiscovered({}, []), true);
});

test('istio-ca-root-cert goes everywhere selected except kube-public and kube-node-lease', () => {
  assert.equal(wantsRootCert({ name: 'kube-system' }, undefined), true);
  assert.equal(wantsRootCert({ name: 'kube-public' }, undefined), false);
  assert.equal(wantsRootCert({ name: 'kube-node-lease' }, undefined), false);
  const sel = [{ matchLabels: { 'istio-discovery': 'enabled' } }];
  assert.equal(wantsRootCert({ name: 'bookinfo', labels: {} }, sel), false);
  assert.equal(wantsRootCert({ name: 'bookinfo', labels: { 'istio-discovery': 'enabled' } }, sel), true);
});
