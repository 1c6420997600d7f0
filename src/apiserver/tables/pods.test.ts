import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { builtinTableConvertor } from './index.js';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString().replace('.000Z', 'Z');
const MIN = 60_000;

const table = builtinTableConvertor('', 'pods')!;

function pod(spec: any, status: any, meta: any = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(5 * MIN), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

/** READY, STATUS, RESTARTS of a pod. */
const summary = (p: KubeObject): unknown[] => table.row(p, now).slice(1, 4);

const running = { running: { startedAt: ago(4 * MIN) } };

test('column definitions are the 1.32 pod columns', () => {
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ],
  );
});

test('a running pod with restarts prints all nine cells', () => {
  const p = pod(
    {
      nodeName: 'node-1',
      containers: [
        { name: 'app', image: 'nginx' },
        { name: 'proxy', image: 'envoy' },
      ],
      readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
    },
    {
      phase: 'Running',
      podIP: '10.244.0.5',
      podIPs: [{ ip: '10.244.0.5' }],
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'example.com/lb', status: 'True' },
        { type: 'example.com/dns', status: 'False' },
      ],
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          restartCount: 2,
          state: running,
          lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * MIN) } },
        },
        {
          name: 'proxy',
          ready: true,
          restartCount: 1,
          state: running,
          lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * MIN) } },
        },
      ],
    },
    { name: 'web-7d4b9c-x2x9z' },
  );
  assert.deepEqual(table.row(p, now), [
    'web-7d4b9c-x2x9z',
    '2/2',
    'Running',
    '3 (2m ago)',
    '5m',
    '10.244.0.5',
    'node-1',
    '<none>',
    '1/2',
  ]);
  assert.equal(table.conditions?.(p), undefined);
});

test('pending pods: unscheduled, ContainerCreating, image pull errors', () => {
  const pending = pod({}, { phase: 'Pending' });
  assert.deepEqual(table.row(pending, now), [
    'p',
    '0/1',
    'Pending',
    '0',
    '5m',
    '<none>',
    '<none>',
    '<none>',
    '<none>',
  ]);
  const creating = pod(
    { nodeName: 'n' },
    {
      phase: 'Pending',
      containerStatuses: [
        { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    },
  );
  assert.deepEqual(summary(creating), ['0/1', 'ContainerCreating', '0']);
  const pull = pod(
    {},
    {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'x' } },
        },
      ],
    },
  );
  assert.deepEqual(summary(pull), ['0/1', 'ImagePullBackOff', '0']);
  const gated = pod(
    {},
    { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
  );
  assert.deepEqual(summary(gated), ['0/1', 'SchedulingGated', '0']);
  const nominated = pod({}, { phase: 'Pending', nominatedNodeName: 'node-9' });
  assert.equal(table.row(nominated, now)[7], 'node-9');
});

test('CrashLoopBackOff with restarts and a recent termination', () => {
  const p = pod(
    {},
    {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(30_000) } },
        },
      ],
    },
  );
  assert.deepEqual(summary(p), ['0/1', 'CrashLoopBackOff', '5 (30s ago)']);
  // Restarts without a recorded termination print the bare count.
  const noLast = pod(
    {},
    { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 4, state: running }] },
  );
  assert.deepEqual(summary(noLast), ['1/1', 'Running', '4']);
});

test('init container states', () => {
  const inits = [
    { name: 'a', image: 'x' },
    { name: 'b', image: 'x' },
    { name: 'c', image: 'x' },
  ];
  const done = {
    name: 'a',
    ready: false,
    restartCount: 0,
    state: { terminated: { exitCode: 0, reason: 'Completed' } },
  };
  const withInit = (second: any): KubeObject =>
    pod({ initContainers: inits }, { phase: 'Pending', initContainerStatuses: [done, second] });

  assert.deepEqual(summary(withInit({ name: 'b', ready: false, restartCount: 0, state: running })), [
    '0/1',
    'Init:1/3',
    '0',
  ]);
  assert.deepEqual(
    summary(
      withInit({
        name: 'b',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: 'PodInitializing' } },
      }),
    ),
    ['0/1', 'Init:1/3', '0'],
  );
  assert.deepEqual(
    summary(
      withInit({
        name: 'b',
        ready: false,
        restartCount: 3,
        state: { terminated: { exitCode: 1, reason: 'Error' } },
        lastState: { terminated: { exitCode: 1, finishedAt: ago(10_000) } },
      }),
    ),
    ['0/1', 'Init:Error', '3 (10s ago)'],
  );
  assert.deepEqual(
    summary(withInit({ name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } })),
    ['0/1', 'Init:ExitCode:2', '0'],
  );
  assert.deepEqual(
    summary(
      withInit({
        name: 'b',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 137, signal: 9 } },
      }),
    ),
    ['0/1', 'Init:Signal:9', '0'],
  );
  assert.deepEqual(
    summary(
      withInit({
        name: 'b',
        ready: false,
        restartCount: 6,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
      }),
    ),
    ['0/1', 'Init:CrashLoopBackOff', '6'],
  );
  // No statuses yet for init containers: the phase stays.
  assert.deepEqual(summary(pod({ initContainers: inits }, { phase: 'Pending' })), ['0/1', 'Pending', '0']);
});

test('restartable init containers (sidecars) count towards READY and RESTARTS', () => {
  const p = pod(
    { initContainers: [{ name: 'sidecar', image: 'envoy', restartPolicy: 'Always' }] },
    {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
      initContainerStatuses: [
        {
          name: 'sidecar',
          ready: true,
          started: true,
          restartCount: 2,
          state: running,
          lastState: { terminated: { exitCode: 1, finishedAt: ago(4 * MIN) } },
        },
      ],
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          restartCount: 1,
          state: running,
          lastState: { terminated: { exitCode: 1, finishedAt: ago(90_000) } },
        },
      ],
    },
  );
  assert.deepEqual(summary(p), ['2/2', 'Running', '3 (90s ago)']);
});

test('completed, failed and partially completed pods', () => {
  const done = pod(
    {},
    {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    },
  );
  assert.deepEqual(summary(done), ['0/1', 'Completed', '0']);
  assert.deepEqual(table.conditions?.(done), [
    {
      type: 'Completed',
      status: 'True',
      reason: 'Succeeded',
      message: 'The pod has completed successfully.',
    },
  ]);

  const failed = pod(
    {},
    {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 1, reason: 'Error' } },
        },
      ],
    },
  );
  assert.deepEqual(summary(failed), ['0/1', 'Error', '0']);
  assert.deepEqual(table.conditions?.(failed), [
    { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
  ]);

  const evicted = pod({}, { phase: 'Failed', reason: 'Evicted' });
  assert.deepEqual(summary(evicted), ['0/1', 'Evicted', '0']);

  const oomNoReason = pod(
    {},
    {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } },
      ],
    },
  );
  assert.deepEqual(summary(oomNoReason), ['0/1', 'ExitCode:137', '0']);
  const signalled = pod(
    {},
    {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, signal: 15 } } },
      ],
    },
  );
  assert.deepEqual(summary(signalled), ['0/1', 'Signal:15', '0']);

  // One container finished, another still running: Completed turns into Running/NotReady.
  const two = (ready: boolean): KubeObject =>
    pod(
      { containers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: running },
          {
            name: 'b',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
    );
  assert.deepEqual(summary(two(true)), ['1/2', 'Running', '0']);
  assert.deepEqual(summary(two(false)), ['1/2', 'NotReady', '0']);
});

test('the first container decides the status when several are unhealthy', () => {
  const p = pod(
    { containers: [{ name: 'a' }, { name: 'b' }] },
    {
      phase: 'Running',
      containerStatuses: [
        { name: 'a', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } },
      ],
    },
  );
  assert.deepEqual(summary(p), ['0/2', 'CrashLoopBackOff', '1']);
});

test('deletion: Terminating, and Unknown for pods on lost nodes', () => {
  const del = { deletionTimestamp: ago(10_000) };
  const terminating = pod(
    {},
    { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] },
    del,
  );
  assert.deepEqual(summary(terminating), ['1/1', 'Terminating', '0']);
  const lost = pod({}, { phase: 'Running', reason: 'NodeLost' }, del);
  assert.deepEqual(summary(lost), ['0/1', 'Unknown', '0']);
  assert.deepEqual(summary(pod({}, { phase: 'Running', reason: 'NodeLost' })), ['0/1', 'NodeLost', '0']);
  const finished = pod(
    {},
    {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    },
    del,
  );
  assert.deepEqual(
    summary(finished),
    ['0/1', 'Completed', '0'],
    'terminal pods are not shown as Terminating',
  );
});

test('pod IP falls back to podIPs and age to <unknown>', () => {
  const p: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'x' },
    spec: { containers: [] },
    status: { podIPs: [{ ip: 'fd00::1' }, { ip: '10.0.0.1' }] },
  };
  const row = table.row(p, now);
  assert.equal(row[4], '<unknown>');
  assert.equal(row[5], 'fd00::1');
  assert.equal(row[1], '0/0');
});
