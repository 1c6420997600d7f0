import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { StatusError } from '../errors.js';
import { matchingWebhooks, ruleMatches } from './matching.js';
import { selectorMatches } from './labelselector.js';
import { buildAdmissionReview } from './review.js';
import type { AdmissionAttributes, RuleWithOperations, WebhookSpec } from './types.js';

const pod = (labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', labels },
});

function podAttrs(over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    kind: 'Pod',
    resource: 'pods',
    namespace: 'default',
    name: 'p',
    object: pod(),
    dryRun: false,
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    ...over,
  };
}

const rule = (over: Partial<RuleWithOperations> = {}): RuleWithOperations => ({
  operations: ['CREATE'],
  apiGroups: [''],
  apiVersions: ['v1'],
  resources: ['pods'],
  ...over,
});

const hook = (name: string, over: Partial<WebhookSpec> = {}): WebhookSpec => ({
  name,
  clientConfig: { url: 'https://127.0.0.1:1/x' },
  rules: [rule()],
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  ...over,
});

const config = (
  name: string,
  webhooks: WebhookSpec[],
  kind = 'MutatingWebhookConfiguration',
): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind,
  metadata: { name },
  webhooks,
});

const nsLabels: Record<string, Record<string, string>> = {
  default: { env: 'dev' },
  prod: { env: 'prod', team: 'a' },
};
const lookup = (ns: string): Record<string, string> | undefined => nsLabels[ns];

const names = (cfgs: KubeObject[], attrs: AdmissionAttributes): string[] =>
  matchingWebhooks(cfgs, attrs, lookup).map((r) => r.webhook.name);

test('operations: exact and *', () => {
  assert.equal(ruleMatches(rule({ operations: ['CREATE'] }), podAttrs()), true);
  assert.equal(ruleMatches(rule({ operations: ['UPDATE', 'DELETE'] }), podAttrs()), false);
  assert.equal(ruleMatches(rule({ operations: ['*'] }), podAttrs({ operation: 'CONNECT' })), true);
});

test('apiGroups and apiVersions: exact and *', () => {
  const deploy = podAttrs({ group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' });
  assert.equal(ruleMatches(rule({ apiGroups: [''], resources: ['*'] }), deploy), false);
  assert.equal(ruleMatches(rule({ apiGroups: ['apps'], resources: ['*'] }), deploy), true);
  assert.equal(ruleMatches(rule({ apiGroups: ['*'], resources: ['deployments'] }), deploy), true);
  assert.equal(
    ruleMatches(rule({ apiGroups: ['apps'], apiVersions: ['v1beta1'], resources: ['*'] }), deploy),
    false,
  );
  assert.equal(
    ruleMatches(rule({ apiGroups: ['apps'], apiVersions: ['*'], resources: ['*'] }), deploy),
    true,
  );
});

test('resources: * excludes subresources, */* and pods/* and */status include them', () => {
  const status = podAttrs({ operation: 'UPDATE', subresource: 'status', oldObject: pod() });
  const exec = podAttrs({ operation: 'CONNECT', subresource: 'exec', object: undefined });
  const r = (resources: string[]) => rule({ operations: ['*'], resources });
  assert.equal(ruleMatches(r(['*']), podAttrs()), true);
  assert.equal(ruleMatches(r(['*']), status), false);
  assert.equal(ruleMatches(r(['pods']), status), false);
  assert.equal(ruleMatches(r(['*/*']), status), true);
  assert.equal(ruleMatches(r(['*/*']), podAttrs()), true);
  assert.equal(ruleMatches(r(['*/*']), exec), true);
  assert.equal(ruleMatches(r(['pods/*']), status), true);
  assert.equal(ruleMatches(r(['pods/*']), exec), true);
  assert.equal(
    ruleMatches(r(['pods/*']), podAttrs()),
    true,
    'the "*" subresource slot also covers the main resource',
  );
  assert.equal(ruleMatches(r(['services/*']), status), false);
  assert.equal(ruleMatches(r(['*/status']), status), true);
  assert.equal(ruleMatches(r(['*/status']), exec), false);
  assert.equal(ruleMatches(r(['*/status']), podAttrs()), false);
  assert.equal(ruleMatches(r(['pods/status']), status), true);
  assert.equal(ruleMatches(r(['pods/exec']), status), false);
});

test('scope: Namespaced, Cluster, * (Namespace objects count as cluster-scoped)', () => {
  const node = podAttrs({ kind: 'Node', resource: 'nodes', namespace: undefined, name: 'n1' });
  const ns = podAttrs({ kind: 'Namespace', resource: 'namespaces', namespace: 'team', name: 'team' });
  const r = (scope: RuleWithOperations['scope']) => rule({ resources: ['*'], scope });
  assert.equal(ruleMatches(r('Namespaced'), podAttrs()), true);
  assert.equal(ruleMatches(r('Namespaced'), node), false);
  assert.equal(ruleMatches(r('Namespaced'), ns), false);
  assert.equal(ruleMatches(r('Cluster'), podAttrs()), false);
  assert.equal(ruleMatches(r('Cluster'), node), true);
  assert.equal(ruleMatches(r('Cluster'), ns), true);
  assert.equal(ruleMatches(r('*'), node), true);
  assert.equal(ruleMatches(r(undefined), podAttrs()), true);
});

test('label selector operators', () => {
  const labels = { app: 'web', tier: 'front' };
  assert.equal(selectorMatches({ matchLabels: { app: 'web' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { app: 'db' } }, labels), false);
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }, labels),
    true,
  );
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] }, labels),
    false,
  );
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels),
    false,
  );
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels),
    true,
  );
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels), false);
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels),
    true,
  );
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels),
    false,
  );
  assert.equal(
    selectorMatches(
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] },
      labels,
    ),
    false,
    'all requirements must hold',
  );
});

test("namespaceSelector uses the labels of the object's namespace", () => {
  const cfgs = [
    config('c', [
      hook('dev.example.com', { namespaceSelector: { matchLabels: { env: 'dev' } } }),
      hook('prod.example.com', {
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      }),
      hook('any.example.com', { namespaceSelector: {} }),
    ]),
  ];
  assert.deepEqual(names(cfgs, podAttrs()), ['dev.example.com', 'any.example.com']);
  assert.deepEqual(names(cfgs, podAttrs({ namespace: 'prod' })), ['prod.example.com', 'any.example.com']);
});

test('namespaceSelector: a missing namespace is a 404, cluster-scoped objects always match', () => {
  const cfgs = [
    config('c', [
      hook('sel.example.com', {
        namespaceSelector: { matchLabels: { env: 'nowhere' } },
        rules: [rule({ resources: ['*'], operations: ['*'] })],
      }),
    ]),
  ];
  assert.throws(
    () => names(cfgs, podAttrs({ namespace: 'ghost' })),
    (e: unknown) =>
      e instanceof StatusError && e.code === 404 && e.message === 'namespaces "ghost" not found',
  );
  const node = podAttrs({
    kind: 'Node',
    resource: 'nodes',
    namespace: undefined,
    name: 'n1',
    object: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
  });
  assert.deepEqual(names(cfgs, node), ['sel.example.com']);
});

test('namespaceSelector on a Namespace object uses its own (new) labels', () => {
  const cfgs = [
    config('c', [
      hook('ns.example.com', {
        namespaceSelector: { matchLabels: { watched: 'yes' } },
        rules: [rule({ resources: ['namespaces'], operations: ['*'] })],
      }),
    ]),
  ];
  const nsObj = (labels: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'fresh', labels },
  });
  const attrs = (labels: Record<string, string>) =>
    podAttrs({
      kind: 'Namespace',
      resource: 'namespaces',
      namespace: undefined,
      name: 'fresh',
      object: nsObj(labels),
    });
  assert.deepEqual(names(cfgs, attrs({ watched: 'yes' })), ['ns.example.com']);
  assert.deepEqual(names(cfgs, attrs({ watched: 'no' })), []);
  // DELETE: the stored namespace's labels.
  nsLabels.doomed = { watched: 'yes' };
  const del = podAttrs({
    operation: 'DELETE',
    kind: 'Namespace',
    resource: 'namespaces',
    namespace: undefined,
    name: 'doomed',
    object: undefined,
  });
  assert.deepEqual(names(cfgs, del), ['ns.example.com']);
  delete nsLabels.doomed;
});

test('objectSelector matches the new or the old object; no object never matches', () => {
  const cfgs = [
    config('c', [
      hook('obj.example.com', {
        objectSelector: { matchLabels: { inject: 'true' } },
        rules: [rule({ operations: ['*'] })],
      }),
    ]),
  ];
  assert.deepEqual(names(cfgs, podAttrs({ object: pod({ inject: 'true' }) })), ['obj.example.com']);
  assert.deepEqual(names(cfgs, podAttrs({ object: pod({ inject: 'false' }) })), []);
  assert.deepEqual(
    names(cfgs, podAttrs({ operation: 'UPDATE', object: pod(), oldObject: pod({ inject: 'true' }) })),
    ['obj.example.com'],
  );
  assert.deepEqual(
    names(cfgs, podAttrs({ operation: 'DELETE', object: undefined, oldObject: pod({ inject: 'true' }) })),
    ['obj.example.com'],
  );
  assert.deepEqual(
    names(cfgs, podAttrs({ operation: 'DELETE', object: undefined, oldObject: undefined })),
    [],
  );
  const everything = [
    config('c', [hook('all.example.com', { objectSelector: {}, rules: [rule({ operations: ['*'] })] })]),
  ];
  assert.deepEqual(names(everything, podAttrs({ operation: 'DELETE', object: undefined })), [
    'all.example.com',
  ]);
});

test('order: configurations by name, then list order', () => {
  const cfgs = [
    config('zeta', [hook('z1.example.com')]),
    config('alpha', [hook('a1.example.com'), hook('a2.example.com')]),
    config('mid', [
      hook('m1.example.com', { rules: [rule({ resources: ['services'] })] }),
      hook('m2.example.com'),
    ]),
  ];
  const refs = matchingWebhooks(cfgs, podAttrs(), lookup);
  assert.deepEqual(
    refs.map((r) => r.webhook.name),
    ['a1.example.com', 'a2.example.com', 'm2.example.com', 'z1.example.com'],
  );
  assert.deepEqual(
    refs.map((r) => r.configurationName),
    ['alpha', 'alpha', 'mid', 'zeta'],
  );
  assert.deepEqual(
    refs.map((r) => r.index),
    [0, 1, 3, 4],
  );
});

test('webhook configuration objects are never sent to webhooks', () => {
  const cfgs = [
    config('c', [
      hook('all.example.com', {
        rules: [rule({ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] })],
      }),
    ]),
  ];
  const vwc = podAttrs({
    group: 'admissionregistration.k8s.io',
    kind: 'ValidatingWebhookConfiguration',
    resource: 'validatingwebhookconfigurations',
    namespace: undefined,
  });
  assert.deepEqual(names(cfgs, vwc), []);
  assert.deepEqual(
    names(cfgs, { ...vwc, kind: 'MutatingWebhookConfiguration', resource: 'mutatingwebhookconfigurations' }),
    [],
  );
  assert.deepEqual(names(cfgs, podAttrs()), ['all.example.com']);
});

test('an invalid selector is a 500', () => {
  const cfgs = [
    config('c', [
      hook('bad.example.com', {
        objectSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      }),
    ]),
  ];
  assert.throws(
    () => names(cfgs, podAttrs()),
    (e: unknown) => e instanceof StatusError && e.code === 500,
  );
});

test('AdmissionReview request shape', () => {
  const attrs = podAttrs({
    operation: 'UPDATE',
    subresource: 'status',
    oldObject: pod({ old: 'y' }),
    options: { fieldManager: 'kubectl' },
    userInfo: { username: 'bob', uid: 'u-1', groups: ['g'], extra: { scopes: ['s'] } },
  });
  const review = buildAdmissionReview('uid-1', attrs, attrs.object);
  assert.deepEqual(review, {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: 'uid-1',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      subResource: 'status',
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      requestSubResource: 'status',
      name: 'p',
      namespace: 'default',
      operation: 'UPDATE',
      userInfo: { username: 'bob', uid: 'u-1', groups: ['g'], extra: { scopes: ['s'] } },
      object: pod(),
      oldObject: pod({ old: 'y' }),
      dryRun: false,
      options: { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl' },
    },
  });
  const del = buildAdmissionReview(
    'u',
    podAttrs({ operation: 'DELETE', object: undefined, oldObject: pod() }),
    undefined,
  ) as any;
  assert.equal(del.request.object, null);
  assert.equal(del.request.options, null);
  assert.equal('subResource' in del.request, false);
});
