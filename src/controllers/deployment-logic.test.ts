import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './deployment-logic.js';
import { templateHash } from './hash.js';
import { T, at } from './testing.js';

const deploy = (
  replicas: number,
  o: {
    surge?: any;
    unavailable?: any;
    strategy?: string;
    annotations?: any;
    generation?: number;
    status?: any;
  } = {},
): any => ({
  metadata: {
    name: 'web',
    namespace: 'ns',
    uid: 'd1',
    generation: o.generation ?? 1,
    annotations: o.annotations,
  },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    strategy:
      o.strategy === 'Recreate'
        ? { type: 'Recreate' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: { maxSurge: o.surge ?? '25%', maxUnavailable: o.unavailable ?? '25%' },
          },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } },
    revisionHistoryLimit: 2,
    progressDeadlineSeconds: 600,
  },
  status: o.status ?? {},
});
const rs = (
  name: string,
  replicas: number,
  available: number,
  created: number,
  o: { image?: string; revision?: number; annotations?: any } = {},
): any => ({
  metadata: {
    name,
    uid: `u-${name}`,
    creationTimestamp: at(created),
    generation: 1,
    annotations: { ...(o.revision ? { [L.REVISION]: String(o.revision) } : {}), ...(o.annotations ?? {}) },
  },
  spec: {
    replicas,
    template: {
      metadata: { labels: { app: 'web', 'pod-template-hash': name } },
      spec: { containers: [{ name: 'c', image: o.image ?? 'v1' }] },
    },
  },
  status: { replicas, availableReplicas: available, readyReplicas: available, observedGeneration: 1 },
});

test('fenceposts: surge rounds up, unavailable down, never both zero', () => {
  assert.deepEqual(L.resolveFenceposts(deploy(3)), { surge: 1, unavailable: 0 });
  assert.deepEqual(L.resolveFenceposts(deploy(10)), { surge: 3, unavailable: 2 });
  assert.deepEqual(L.resolveFenceposts(deploy(4, { surge: 0, unavailable: 0 })), {
    surge: 0,
    unavailable: 1,
  });
  assert.deepEqual(L.resolveFenceposts(deploy(4, { surge: 2, unavailable: '50%' })), {
    surge: 2,
    unavailable: 2,
  });
});

test('new ReplicaSet is found by template, ignoring the hash label, oldest first', () => {
  const d = deploy(3);
  const a = rs('a', 0, 0, 5, { image: 'v2' });
  const b = rs('b', 0, 0, 1, { image: 'v2' });
  const c = rs('c', 3, 3, 0, { image: 'v1' });
  assert.equal(L.findNewReplicaSet(d, [a, b, c]).metadata.name, 'b');
  assert.equal(L.findNewReplicaSet(d, [c]), undefined);
});

test('rolling update walks from old to new within maxSurge and maxUnavailable', () => {
  const d = deploy(4, { surge: 1, unavailable: 1 });
  const old = rs('old', 4, 4, 0);
  const nw = rs('new', 0, 0, 10, { image: 'v2' });
  // Step 1: surge one new pod.
  assert.equal(L.newRSNewReplicas(d, [old, nw], nw), 1);
  nw.spec.replicas = 1;
  // Step 2: one may be unavailable: old goes down by one (new pod not ready yet: 5 - 3 - 1 = 1).
  assert.deepEqual([...L.scaleDownOld(d, [old], nw)], [['old', 3]]);
  old.spec.replicas = 3;
  old.status.availableReplicas = 3;
  // Now at 4 pods with one unavailable: nothing more may go.
  assert.equal(L.newRSNewReplicas(d, [old, nw], nw), 2);
  nw.spec.replicas = 2;
  assert.deepEqual([...L.scaleDownOld(d, [old], nw)], []);
  // The new pods become available: two old ones may go.
  nw.status.availableReplicas = 2;
  assert.deepEqual([...L.scaleDownOld(d, [old], nw)], [['old', 1]]);
});

test('unhealthy old replicas are scaled down first', () => {
  const d = deploy(3, { surge: 1, unavailable: 0 });
  const old = rs('old', 3, 1, 0);
  const nw = rs('new', 1, 1, 10, { image: 'v2' });
  // all=4, minAvailable=3, new unavailable=0: at most 1 may go, and it is an unhealthy one.
  assert.deepEqual([...L.scaleDownOld(d, [old], nw)], [['old', 2]]);
});

test('proportional scaling splits added replicas by size', () => {
  const d = deploy(20, { surge: 3, unavailable: 2 });
  const old = rs('old', 8, 8, 0, { annotations: { [L.MAX_REPLICAS]: '13', [L.DESIRED_REPLICAS]: '10' } });
  const nw = rs('new', 5, 0, 10, {
    image: 'v2',
    annotations: { [L.MAX_REPLICAS]: '13', [L.DESIRED_REPLICAS]: '10' },
  });
  assert.equal(L.isScalingEvent(d, [old, nw]), true);
  const sizes = L.proportionalScale(d, nw, [old]);
  const total = (sizes.get('old') ?? 8) + (sizes.get('new') ?? 5);
  assert.equal(total, 23, 'replicas + maxSurge');
  assert.ok((sizes.get('old') ?? 0) > (sizes.get('new') ?? 0));
  // A single active ReplicaSet simply takes the new count.
  assert.deepEqual(
    [...L.proportionalScale(deploy(5), rs('only', 2, 2, 0, { image: 'v2' }), [rs('x', 0, 0, 0)])],
    [['only', 5]],
  );
});

test('revision annotations: new revision, history kept when an old ReplicaSet comes back', () => {
  const d = deploy(1, {
    annotations: {
      'kubernetes.io/change-cause': 'v2',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    },
  });
  const fresh = L.newRSAnnotations(d, undefined, 3, false);
  assert.deepEqual(fresh, {
    'kubernetes.io/change-cause': 'v2',
    [L.REVISION]: '3',
    [L.DESIRED_REPLICAS]: '1',
    [L.MAX_REPLICAS]: '2',
  });
  const back = L.newRSAnnotations(d, rs('a', 0, 0, 0, { revision: 1 }), 4, true);
  assert.equal(back[L.REVISION], '4');
  assert.equal(back[L.REVISION_HISTORY], '1');
});

test('ReplicaSet from a deployment: name, hash label in labels, selector and template', () => {
  const d = deploy(2);
  const hash = templateHash(d.spec.template);
  const r = L.buildReplicaSet(d, hash, 2, {});
  assert.equal(r.metadata.name, `web-${hash}`);
  assert.equal(r.metadata.labels['pod-template-hash'], hash);
  assert.equal(r.spec.selector.matchLabels['pod-template-hash'], hash);
  assert.equal(r.spec.template.metadata.labels['pod-template-hash'], hash);
  assert.equal(d.spec.template.metadata.labels['pod-template-hash'], undefined, 'deployment untouched');
  assert.ok(L.templatesEqual(r.spec.template, d.spec.template));
});

test('history cleanup keeps revisionHistoryLimit scaled-down ReplicaSets', () => {
  const d = deploy(1);
  const olds = [
    rs('r1', 0, 0, 0, { revision: 1 }),
    rs('r2', 0, 0, 1, { revision: 2 }),
    rs('r3', 0, 0, 2, { revision: 3 }),
    rs('r4', 1, 1, 3, { revision: 4 }),
  ];
  assert.deepEqual(
    L.historyToDelete(d, olds).map((r) => r.metadata.name),
    ['r1', 'r2'],
  );
});

test('status and conditions through a rollout', () => {
  const d = deploy(2, { surge: 1, unavailable: 0 });
  const old = rs('old', 2, 2, 0);
  const nw = rs('new', 1, 0, 10, { image: 'v2' });
  nw.status.replicas = 1;
  const s1 = L.rolloutStatus(d, [old, nw], nw, T(20));
  assert.deepEqual(
    [
      s1.status.replicas,
      s1.status.updatedReplicas,
      s1.status.availableReplicas,
      s1.status.unavailableReplicas,
    ],
    [3, 1, 2, 1],
  );
  const avail = s1.status.conditions.find((c: any) => c.type === 'Available');
  assert.equal(avail.reason, 'MinimumReplicasAvailable');
  const prog = s1.status.conditions.find((c: any) => c.type === 'Progressing');
  assert.equal(prog.reason, 'ReplicaSetUpdated');
  assert.equal(prog.message, 'ReplicaSet "new" is progressing.');
  assert.ok(s1.recheckAfterMs! > 0);
  d.status = s1.status;
  const done = rs('new', 2, 2, 10, { image: 'v2' });
  const s2 = L.rolloutStatus(d, [rs('old', 0, 0, 0), done], done, T(30));
  const prog2 = s2.status.conditions.find((c: any) => c.type === 'Progressing');
  assert.equal(prog2.reason, 'NewReplicaSetAvailable');
  assert.equal(prog2.message, 'ReplicaSet "new" has successfully progressed.');
  assert.equal(prog2.lastTransitionTime, prog.lastTransitionTime, 'still True: transition time kept');
  // Nothing available: Available False.
  const s3 = L.calculateStatus(deploy(2, { surge: 1, unavailable: 0 }), [rs('z', 2, 0, 0)], undefined, T(1));
  assert.equal(s3.conditions[0].reason, 'MinimumReplicasUnavailable');
});

test('a rollout that stops progressing past its deadline times out', () => {
  const d = deploy(1, {
    status: {
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 0,
      availableReplicas: 0,
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          lastUpdateTime: at(0),
          lastTransitionTime: at(0),
        },
      ],
    },
  });
  const nw = rs('new', 1, 0, 0, { image: 'v2' });
  const s = L.rolloutStatus(d, [nw], nw, T(601));
  const c = s.status.conditions.find((x: any) => x.type === 'Progressing');
  assert.equal(c.status, 'False');
  assert.equal(c.reason, 'ProgressDeadlineExceeded');
  assert.equal(c.message, 'ReplicaSet "new" has timed out progressing.');
  // Before the deadline nothing changes.
  assert.equal(
    L.rolloutStatus(d, [nw], nw, T(599)).status.conditions.find((x: any) => x.type === 'Progressing').reason,
    'ReplicaSetUpdated',
  );
});

test('paused and resumed conditions', () => {
  const d = deploy(1);
  d.spec.paused = true;
  const c = L.pausedConditions(d, T(0))!;
  assert.equal(c[0].reason, 'DeploymentPaused');
  assert.equal(c[0].status, 'Unknown');
  d.status = { conditions: c };
  d.spec.paused = false;
  assert.equal(L.pausedConditions(d, T(1))![0].reason, 'DeploymentResumed');
});
