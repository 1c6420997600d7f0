import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  daemonSetReady,
  dependenciesCondition,
  deploymentReady,
  deriveState,
  istioStatus,
  namespaceRevision,
  objectsToPrune,
  podInjectedBy,
  podIntent,
  remoteReady,
  revisionInUse,
  revisionsToPrune,
  setConditions,
  tagInUse,
  takesPrecedence,
  type Obj,
} from './logic.js';

const t0 = new Date('2026-01-01T00:00:00.500Z');
const t1 = new Date('2026-01-01T00:01:00Z');
const ns = (name: string, labels: Record<string, string> = {}): Obj => ({ metadata: { name, labels } });
const pod = (
  namespace: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
  phase = 'Running',
): Obj => ({ metadata: { name: 'p', namespace, labels, annotations }, status: { phase } });
const cond = (type: string, status: string, lastTransitionTime = '2026-01-01T00:00:00Z') => ({
  type,
  status,
  reason: status === 'True' ? type : 'X',
  message: '',
  lastTransitionTime,
});

test('conditions: True uses the type as reason; transition time moves only on a status flip', () => {
  const a = setConditions(undefined, [{ type: 'Ready', status: 'False', reason: 'IstiodNotReady' }], t0);
  assert.deepEqual(a, [
    {
      type: 'Ready',
      status: 'False',
      reason: 'IstiodNotReady',
      message: '',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    },
  ]);
  const b = setConditions(a, [{ type: 'Ready', status: 'False', reason: 'Other', message: 'm' }], t1);
  assert.equal(b[0].lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(b[0].reason, 'Other');
  const c = setConditions(b, [{ type: 'Ready', status: 'True', reason: 'ignored' }], t1);
  assert.equal(c[0].reason, 'Ready');
  assert.equal(c[0].lastTransitionTime, '2026-01-01T00:01:00Z');
});

test('state is the reason of the first non-True condition in order', () => {
  const conds = [
    { type: 'Reconciled', status: 'True' as const },
    { type: 'Ready', status: 'False' as const, reason: 'IstiodNotReady' },
    { type: 'InUse', status: 'False' as const, reason: 'NotReferencedByAnything' },
  ];
  assert.equal(deriveState(conds, ['Reconciled', 'Ready']), 'IstiodNotReady');
  assert.equal(deriveState(conds.slice(0, 1), ['Reconciled', 'Ready']), 'Healthy');
  assert.equal(deriveState(conds, ['Reconciled', 'InUse']), 'NotReferencedByAnything');
});

test('istiod readiness from the Deployment', () => {
  assert.equal(deploymentReady(undefined, 'istiod').reason, 'IstiodNotReady');
  const d = (replicas: number, ready: number): Obj => ({
    metadata: {},
    spec: { replicas },
    status: { readyReplicas: ready },
  });
  assert.equal(deploymentReady(d(1, 0), 'istiod').status, 'False');
  assert.match(deploymentReady(d(0, 0), 'istiod').message!, /scaled to 0/);
  assert.equal(deploymentReady(d(2, 2), 'istiod').status, 'True');
});

test('remote istiod readiness from the injector webhook annotation', () => {
  assert.equal(remoteReady(undefined, 'w').reason, 'RemoteIstiodNotReady');
  const mwc = (v: string): Obj => ({
    metadata: { annotations: { 'sailoperator.io/readinessProbe.status': v } },
  });
  assert.equal(remoteReady(mwc('false'), 'w').status, 'False');
  assert.equal(remoteReady(mwc('true'), 'w').status, 'True');
});

test('DaemonSet readiness needs scheduled pods all ready', () => {
  const ds = (scheduled: number, ready: number): Obj => ({
    metadata: {},
    status: { desiredNumberScheduled: scheduled, currentNumberScheduled: scheduled, numberReady: ready },
  });
  assert.equal(daemonSetReady(undefined, 'ztunnel').reason, 'DaemonSetNotReady');
  assert.equal(daemonSetReady(ds(0, 0), 'ztunnel').status, 'False');
  assert.equal(daemonSetReady(ds(2, 1), 'ztunnel').status, 'False');
  assert.equal(daemonSetReady(ds(2, 2), 'ztunnel').status, 'True');
});

test('dependencies: CNI and ZTunnel must exist and be Healthy when needed', () => {
  const healthy: Obj = { metadata: {}, status: { state: 'Healthy' } };
  const sick: Obj = { metadata: {}, status: { state: 'DaemonSetNotReady' } };
  assert.equal(dependenciesCondition({ cni: false, ztunnel: false }, undefined, undefined).status, 'True');
  assert.equal(
    dependenciesCondition({ cni: true, ztunnel: false }, undefined, undefined).reason,
    'IstioCNINotFound',
  );
  assert.equal(
    dependenciesCondition({ cni: true, ztunnel: false }, sick, undefined).reason,
    'IstioCNINotHealthy',
  );
  assert.equal(
    dependenciesCondition({ cni: true, ztunnel: true }, healthy, undefined).reason,
    'ZTunnelNotFound',
  );
  assert.equal(dependenciesCondition({ cni: true, ztunnel: true }, healthy, healthy).status, 'True');
});

test('namespace and pod references (reference §3.3)', () => {
  assert.equal(namespaceRevision(ns('a', { 'istio-injection': 'enabled', 'istio.io/rev': 'x' })), 'default');
  assert.equal(namespaceRevision(ns('a', { 'istio.io/rev': 'x' })), 'x');
  assert.equal(podIntent(pod('a', { 'istio.io/rev': 'x', 'sidecar.istio.io/inject': 'false' })), '');
  assert.equal(podIntent(pod('a', { 'sidecar.istio.io/inject': 'true' })), 'default');
  assert.equal(podInjectedBy(pod('a', {}, { 'istio.io/rev': 'r1' })), 'r1');
  assert.equal(podInjectedBy(pod('a', {}, { 'sidecar.istio.io/status': '{"revision":"r2"}' })), 'r2');
  assert.equal(podInjectedBy(pod('a', {}, { 'sidecar.istio.io/status': 'not json' })), '');
});

test('revision InUse: tags, namespaces, pods, enableNamespacesByDefault', () => {
  const empty = { namespaces: [], pods: [], tags: [] };
  assert.equal(revisionInUse('r1', {}, empty).status, 'False');
  assert.equal(revisionInUse('r1', {}, empty).reason, 'NotReferencedByAnything');
  const tag: Obj = { metadata: { name: 't' }, status: { istioRevision: 'r1' } };
  assert.equal(revisionInUse('r1', {}, { ...empty, tags: [tag] }).status, 'True');
  assert.equal(
    revisionInUse('r1', {}, { ...empty, namespaces: [ns('a', { 'istio.io/rev': 'r1' })] }).status,
    'True',
  );
  // A pod's label counts only when its namespace references nothing.
  const labelled = pod('a', { 'istio.io/rev': 'r1' });
  assert.equal(revisionInUse('r1', {}, { ...empty, namespaces: [ns('a')], pods: [labelled] }).status, 'True');
  const overridden = { ...empty, namespaces: [ns('a', { 'istio.io/rev': 'r2' })], pods: [labelled] };
  assert.equal(revisionInUse('r1', {}, overridden).status, 'False');
  // The injected-by annotation always counts, except on finished pods.
  const injected = pod('a', {}, { 'istio.io/rev': 'r1' });
  assert.equal(revisionInUse('r1', {}, { ...overridden, pods: [injected] }).status, 'True');
  const done = pod('a', {}, { 'istio.io/rev': 'r1' }, 'Succeeded');
  assert.equal(revisionInUse('r1', {}, { ...overridden, pods: [done] }).status, 'False');
  const byDefault = { sidecarInjectorWebhook: { enableNamespacesByDefault: true } };
  assert.equal(revisionInUse('default', byDefault, empty).status, 'True');
  assert.equal(revisionInUse('r1', byDefault, empty).status, 'False');
});

test('tag InUse ignores pod annotations', () => {
  const world = { namespaces: [ns('a')], pods: [pod('a', {}, { 'istio.io/rev': 'prod' })], tags: [] };
  assert.equal(tagInUse('prod', {}, world).status, 'False');
  world.pods = [pod('a', { 'istio.io/rev': 'prod' })];
  assert.equal(tagInUse('prod', {}, world).status, 'True');
});

test('name clash: the older object wins, then the smaller uid', () => {
  const a: Obj = { metadata: { uid: 'b', creationTimestamp: '2026-01-01T00:00:00Z' } };
  const b: Obj = { metadata: { uid: 'a', creationTimestamp: '2026-01-01T00:00:01Z' } };
  assert.equal(takesPrecedence(a, b), true);
  assert.equal(takesPrecedence(b, a), false);
  const c: Obj = { metadata: { uid: 'a', creationTimestamp: '2026-01-01T00:00:00Z' } };
  assert.equal(takesPrecedence(c, a), true);
});

test('RevisionBased pruning after the grace period, requeue at the earliest expiry', () => {
  const rev = (name: string, inUse?: string, since = '2026-01-01T00:00:00Z'): Obj => ({
    metadata: { name },
    status: { conditions: inUse ? [cond('InUse', inUse, since)] : [] },
  });
  const revs = [
    rev('active', 'False'),
    rev('old-expired', 'False', '2026-01-01T00:00:00Z'),
    rev('old-pending', 'False', '2026-01-01T00:00:50Z'),
    rev('old-used', 'True'),
    rev('old-unknown', 'Unknown'),
    rev('old-new'),
  ];
  assert.deepEqual(revisionsToPrune(revs, 'active', 30, t1), {
    delete: ['old-expired'],
    requeueAfterMs: 20_000,
  });
  assert.deepEqual(revisionsToPrune(revs.slice(0, 1), 'active', 30, t1), { delete: [] });
});

test('Istio status mirrors the active revision and counts owned revisions', () => {
  const istio: Obj = { metadata: { name: 'default', generation: 3 } };
  const active: Obj = {
    metadata: { name: 'default' },
    status: { state: 'IstiodNotReady', conditions: [cond('Reconciled', 'True'), cond('Ready', 'False')] },
  };
  const s = istioStatus(istio, { activeName: 'default' }, [active], t1) as any;
  assert.equal(s.state, 'IstiodNotReady');
  assert.equal(s.activeRevisionName, 'default');
  assert.equal(s.observedGeneration, 3);
  assert.deepEqual(s.revisions, { total: 1, ready: 0, inUse: 0 });
  assert.deepEqual(
    s.conditions.map((c: any) => [c.type, c.status]),
    [
      ['Reconciled', 'True'],
      ['Ready', 'False'],
    ],
  );
  const failed = istioStatus(
    istio,
    { error: { message: 'bad version', validation: true } },
    undefined,
    t1,
  ) as any;
  assert.equal(failed.state, 'ReconcileError');
  assert.equal(failed.conditions[0].message, 'bad version');
  assert.equal(failed.conditions[1].status, 'Unknown');
  assert.deepEqual(failed.revisions, { total: -1, ready: -1, inUse: -1 });
  const missing = istioStatus(istio, { activeName: 'x' }, [], t1) as any;
  assert.equal(missing.state, 'ActiveRevisionNotFound');
});

test('objects no longer rendered are pruned', () => {
  const o = (kind: string, name: string, namespace?: string): Obj => ({
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace },
  });
  const existing = [o('ConfigMap', 'a', 'ns'), o('ConfigMap', 'b', 'ns'), o('Service', 'a', 'ns')];
  assert.deepEqual(
    objectsToPrune(existing, [o('ConfigMap', 'a', 'ns'), o('Service', 'a', 'ns')]).map(
      (x) => x.metadata.name,
    ),
    ['b'],
  );
  assert.equal(objectsToPrune(existing, []).length, 3);
});
