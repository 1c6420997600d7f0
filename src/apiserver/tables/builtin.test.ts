// Golden expectations: one realistic object per built-in resource and the exact cells (and column
// headers, "(w)" marking priority-1 columns) a 1.32 API server produces for it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { builtinTableConvertor } from './index.js';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString().replace('.000Z', 'Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

function golden(group: string, resource: string, obj: KubeObject, headers: string[], cells: unknown[]): void {
  const t = builtinTableConvertor(group, resource);
  assert.ok(t, `no convertor for ${group}/${resource}`);
  assert.deepEqual(
    t.columns.map((c) => (c.priority > 0 ? `${c.name}(w)` : c.name)),
    headers,
    `${resource} headers`,
  );
  for (const c of t.columns) {
    assert.ok(
      ['string', 'integer', 'number', 'boolean', 'date'].includes(c.type),
      `${resource}.${c.name} type`,
    );
    assert.ok(c.description.length > 0, `${resource}.${c.name} description`);
  }
  assert.deepEqual(t.row(obj, now), cells, `${resource} cells`);
  assert.equal(t.row(obj, now).length, t.columns.length, `${resource} cell count`);
}

const meta = (name: string, age: number, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'default',
  uid: 'uid-' + name,
  creationTimestamp: ago(age),
  ...extra,
});

const template = (containers: [string, string][], extra: Record<string, unknown> = {}) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: containers.map(([name, image]) => ({ name, image })), ...extra },
});

test('services', () => {
  const headers = ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector(w)'];
  golden(
    '',
    'services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web', 3 * D),
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.12.7',
        clusterIPs: ['10.96.12.7'],
        ports: [
          { port: 80, protocol: 'TCP', targetPort: 8080 },
          { port: 53, protocol: 'UDP' },
        ],
        selector: { tier: 'fe', app: 'web' },
      },
    },
    headers,
    ['web', 'ClusterIP', '10.96.12.7', '<none>', '80/TCP,53/UDP', '3d', 'app=web,tier=fe'],
  );
  golden(
    '',
    'services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('np', 90 * S),
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.0.9',
        ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
        externalIPs: ['1.2.3.4'],
      },
    },
    headers,
    ['np', 'NodePort', '10.96.0.9', '1.2.3.4', '80:30080/TCP', '90s', '<none>'],
  );
  golden(
    '',
    'services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('lb', 2 * H),
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.10',
        ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }],
      },
      status: {
        loadBalancer: {
          ingress: [{ ip: '203.0.113.9' }, { hostname: 'a-very-long-load-balancer-host.example.com' }],
        },
      },
    },
    headers,
    [
      'lb',
      'LoadBalancer',
      '10.96.0.10',
      '203.0.113.9,a-very-long-load-balancer-host.example.com',
      '443:31443/TCP',
      '120m',
      '<none>',
    ],
  );
  golden(
    '',
    'services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('pending', 10 * M),
      spec: { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [{ port: 80, protocol: 'TCP' }] },
    },
    headers,
    ['pending', 'LoadBalancer', '10.96.0.11', '<pending>', '80/TCP', '10m', '<none>'],
  );
  golden(
    '',
    'services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('ext', 5 * M),
      spec: { type: 'ExternalName', externalName: 'db.example.com' },
    },
    headers,
    ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '5m', '<none>'],
  );
  golden(
    '',
    'services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('headless', 5 * M),
      spec: {
        type: 'ClusterIP',
        clusterIP: 'None',
        ports: [{ port: 5432, protocol: 'TCP' }],
        selector: { app: 'pg' },
      },
    },
    headers,
    ['headless', 'ClusterIP', 'None', '<none>', '5432/TCP', '5m', 'app=pg'],
  );
});

test('endpoints', () => {
  const headers = ['Name', 'Endpoints', 'Age'];
  golden(
    '',
    'endpoints',
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('web', 3 * D),
      subsets: [
        {
          addresses: [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }],
          ports: [
            { port: 8080, protocol: 'TCP' },
            { name: 'metrics', port: 9090 },
          ],
        },
      ],
    },
    headers,
    ['web', '10.244.0.5:8080,10.244.0.6:8080,10.244.0.5:9090 + 1 more...', '3d'],
  );
  golden('', 'endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('empty', 3 * D) }, headers, [
    'empty',
    '<none>',
    '3d',
  ]);
  golden(
    '',
    'endpoints',
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('v6', 1 * M),
      subsets: [
        { addresses: [{ ip: 'fd00::5' }], ports: [{ port: 80 }] },
        { addresses: [{ ip: '10.0.0.1' }] },
      ],
    },
    headers,
    ['v6', '[fd00::5]:80,10.0.0.1', '60s'],
  );
});

test('endpointslices', () => {
  golden(
    'discovery.k8s.io',
    'endpointslices',
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: meta('web-abc12', 3 * D),
      addressType: 'IPv4',
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'grpc', port: 9090 },
        { name: 'named' },
        { port: 1 },
        {},
      ],
      endpoints: [{ addresses: ['10.244.0.5'] }, { addresses: ['10.244.0.6', '10.244.0.7', '10.244.0.8'] }],
    },
    ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
    [
      'web-abc12',
      'IPv4',
      '8080,9090,named + 2 more...',
      '10.244.0.5,10.244.0.6,10.244.0.7 + 1 more...',
      '3d',
    ],
  );
  golden(
    'discovery.k8s.io',
    'endpointslices',
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: meta('none', 3 * D),
      addressType: 'IPv6',
      endpoints: [],
    },
    ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
    ['none', 'IPv6', '<unset>', '<unset>', '3d'],
  );
});

test('configmaps, secrets, serviceaccounts, namespaces', () => {
  golden(
    '',
    'configmaps',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('kube-root-ca.crt', 12 * D),
      data: { 'ca.crt': 'x', extra: 'y' },
      binaryData: { blob: 'AA==' },
    },
    ['Name', 'Data', 'Age'],
    ['kube-root-ca.crt', 3, '12d'],
  );
  golden(
    '',
    'configmaps',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('empty', 30 * S) },
    ['Name', 'Data', 'Age'],
    ['empty', 0, '30s'],
  );
  golden(
    '',
    'secrets',
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('tls', 400 * D),
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'x', 'tls.key': 'y' },
    },
    ['Name', 'Type', 'Data', 'Age'],
    ['tls', 'kubernetes.io/tls', 2, '400d'],
  );
  golden(
    '',
    'serviceaccounts',
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta('default', 9 * D),
      secrets: [{ name: 'default-token' }],
    },
    ['Name', 'Secrets', 'Age'],
    ['default', 1, '9d'],
  );
  golden(
    '',
    'serviceaccounts',
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('builder', 9 * D) },
    ['Name', 'Secrets', 'Age'],
    ['builder', 0, '9d'],
  );
  golden(
    '',
    'namespaces',
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'kube-system', creationTimestamp: ago(3 * 365 * D + 40 * D) },
      status: { phase: 'Active' },
    },
    ['Name', 'Status', 'Age'],
    ['kube-system', 'Active', '3y40d'],
  );
});

test('nodes', () => {
  const headers = [
    'Name',
    'Status',
    'Roles',
    'Age',
    'Version',
    'Internal-IP(w)',
    'External-IP(w)',
    'OS-Image(w)',
    'Kernel-Version(w)',
    'Container-Runtime(w)',
  ];
  golden(
    '',
    'nodes',
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'cp-1',
        creationTimestamp: ago(2 * D + 17 * H),
        labels: {
          'node-role.kubernetes.io/control-plane': '',
          'node-role.kubernetes.io/master': '',
          'kubernetes.io/role': 'etcd',
        },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
        addresses: [
          { type: 'Hostname', address: 'cp-1' },
          { type: 'InternalIP', address: '192.168.1.10' },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.32.4',
          osImage: 'Ubuntu 24.04 LTS',
          kernelVersion: '6.8.0-31-generic',
          containerRuntimeVersion: 'containerd://1.7.13',
        },
      },
    },
    headers,
    [
      'cp-1',
      'Ready,SchedulingDisabled',
      'control-plane,etcd,master',
      '2d17h',
      'v1.32.4',
      '192.168.1.10',
      '<none>',
      'Ubuntu 24.04 LTS',
      '6.8.0-31-generic',
      'containerd://1.7.13',
    ],
  );
  golden(
    '',
    'nodes',
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'w', creationTimestamp: ago(5 * M) },
      status: {
        conditions: [{ type: 'Ready', status: 'Unknown' }],
        addresses: [{ type: 'ExternalIP', address: '8.8.8.8' }],
      },
    },
    headers,
    ['w', 'NotReady', '<none>', '5m', '', '<none>', '8.8.8.8', '<unknown>', '<unknown>', '<unknown>'],
  );
  golden(
    '',
    'nodes',
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'new', creationTimestamp: ago(5 * S) } },
    headers,
    ['new', 'Unknown', '<none>', '5s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  );
});

test('events', () => {
  const headers = [
    'Last Seen',
    'Type',
    'Reason',
    'Object',
    'Subobject(w)',
    'Source(w)',
    'Message',
    'First Seen(w)',
    'Count(w)',
    'Name(w)',
  ];
  golden(
    '',
    'events',
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web-1.17d9a', 10 * M),
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(10 * M),
      lastTimestamp: ago(30 * S),
      count: 42,
      type: 'Warning',
    },
    headers,
    [
      '30s',
      'Warning',
      'BackOff',
      'pod/web-1',
      'spec.containers{app}',
      'kubelet, node-1',
      'Back-off restarting failed container',
      '10m',
      42,
      'web-1.17d9a',
    ],
  );
  // Events written through the new API: eventTime only, no count, reporting controller as source.
  golden(
    '',
    'events',
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('x.1', 2 * M),
      involvedObject: { kind: 'Node' },
      reason: 'Starting',
      message: 'Starting kubelet.',
      eventTime: '2024-06-01T11:57:59.654321Z',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
      type: 'Normal',
    },
    headers,
    ['2m', 'Normal', 'Starting', 'node', '', 'kubelet, node-1', 'Starting kubelet.', '2m', 1, 'x.1'],
  );
  // A series overrides last-seen and count.
  golden(
    '',
    'events',
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('s', 2 * H),
      involvedObject: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up',
      eventTime: ago(2 * H),
      series: { count: 7, lastObservedTime: ago(4 * M) },
      source: { component: 'deployment-controller' },
      type: 'Normal',
    },
    headers,
    [
      '4m',
      'Normal',
      'ScalingReplicaSet',
      'deployment/web',
      '',
      'deployment-controller',
      'Scaled up',
      '120m',
      7,
      's',
    ],
  );
  golden(
    'events.k8s.io',
    'events',
    {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: meta('e2', 1 * M),
      regarding: { kind: 'Pod', name: 'web-2' },
      reason: 'Scheduled',
      note: 'Successfully assigned default/web-2 to node-1',
      eventTime: ago(1 * M),
      reportingController: 'default-scheduler',
      reportingInstance: 'default-scheduler-cp-1',
      type: 'Normal',
    },
    headers,
    [
      '60s',
      'Normal',
      'Scheduled',
      'pod/web-2',
      '',
      'default-scheduler, default-scheduler-cp-1',
      'Successfully assigned default/web-2 to node-1',
      '60s',
      1,
      'e2',
    ],
  );
});

test('deployments', () => {
  const headers = [
    'Name',
    'Ready',
    'Up-to-date',
    'Available',
    'Age',
    'Containers(w)',
    'Images(w)',
    'Selector(w)',
  ];
  golden(
    'apps',
    'deployments',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web', 47 * H),
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'track', operator: 'NotIn', values: ['canary'] }],
        },
        template: template([
          ['app', 'nginx:1.27'],
          ['proxy', 'envoy:v1.30'],
        ]),
      },
      status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
    },
    headers,
    ['web', '2/3', 3, 2, '47h', 'app,proxy', 'nginx:1.27,envoy:v1.30', 'app=web,track notin (canary)'],
  );
  golden(
    'apps',
    'deployments',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('fresh', 3 * S),
      spec: { replicas: 0, selector: {}, template: template([['c', 'busybox']]) },
    },
    headers,
    ['fresh', '0/0', 0, 0, '3s', 'c', 'busybox', ''],
  );
});

test('replicasets, daemonsets, statefulsets', () => {
  golden(
    'apps',
    'replicasets',
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('web-7d4b9c', 47 * H),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c' } },
        template: template([['app', 'nginx:1.27']]),
      },
      status: { replicas: 3, readyReplicas: 1 },
    },
    ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers(w)', 'Images(w)', 'Selector(w)'],
    ['web-7d4b9c', 3, 3, 1, '47h', 'app', 'nginx:1.27', 'app=web,pod-template-hash=7d4b9c'],
  );
  golden(
    'apps',
    'daemonsets',
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('kube-proxy', 30 * D),
      spec: {
        selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
        template: template([['kube-proxy', 'registry.k8s.io/kube-proxy:v1.32.4']], {
          nodeSelector: { 'kubernetes.io/os': 'linux' },
        }),
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      },
    },
    [
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers(w)',
      'Images(w)',
      'Selector(w)',
    ],
    [
      'kube-proxy',
      3,
      3,
      2,
      3,
      2,
      'kubernetes.io/os=linux',
      '30d',
      'kube-proxy',
      'registry.k8s.io/kube-proxy:v1.32.4',
      'k8s-app=kube-proxy',
    ],
  );
  golden(
    'apps',
    'statefulsets',
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('pg', 6 * H + 5 * M),
      spec: {
        replicas: 3,
        serviceName: 'pg',
        selector: { matchLabels: { app: 'pg' } },
        template: template([['pg', 'postgres:16']]),
      },
      status: { replicas: 3, readyReplicas: 3 },
    },
    ['Name', 'Ready', 'Age', 'Containers(w)', 'Images(w)'],
    ['pg', '3/3', '6h5m', 'pg', 'postgres:16'],
  );
});

test('jobs', () => {
  const headers = [
    'Name',
    'Status',
    'Completions',
    'Duration',
    'Age',
    'Containers(w)',
    'Images(w)',
    'Selector(w)',
  ];
  const job = (name: string, spec: any, status: any, extra: any = {}): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(name, 20 * M, extra),
    spec: {
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
      template: template([['pi', 'perl:5.34']]),
      ...spec,
    },
    status,
  });
  golden(
    'batch',
    'jobs',
    job(
      'pi',
      { completions: 1, parallelism: 1 },
      {
        succeeded: 1,
        startTime: ago(20 * M),
        completionTime: ago(20 * M - 37 * S),
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True' },
          { type: 'Complete', status: 'True' },
        ],
      },
    ),
    headers,
    ['pi', 'Complete', '1/1', '37s', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1'],
  );
  golden(
    'batch',
    'jobs',
    job('run', { completions: 5, parallelism: 2 }, { succeeded: 2, active: 2, startTime: ago(3 * M) }),
    headers,
    ['run', 'Running', '2/5', '3m', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1'],
  );
  golden('batch', 'jobs', job('wq', { parallelism: 4 }, {}), headers, [
    'wq',
    'Running',
    '0/1 of 4',
    '',
    '20m',
    'pi',
    'perl:5.34',
    'batch.kubernetes.io/controller-uid=u1',
  ]);
  golden('batch', 'jobs', job('one', {}, { succeeded: 0, startTime: ago(5 * S) }), headers, [
    'one',
    'Running',
    '0/1',
    '5s',
    '20m',
    'pi',
    'perl:5.34',
    'batch.kubernetes.io/controller-uid=u1',
  ]);
  golden(
    'batch',
    'jobs',
    job(
      'bad',
      { completions: 1 },
      {
        failed: 7,
        startTime: ago(10 * M),
        conditions: [
          { type: 'FailureTarget', status: 'True' },
          { type: 'Failed', status: 'True' },
        ],
      },
    ),
    headers,
    ['bad', 'Failed', '0/1', '10m', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1'],
  );
  golden(
    'batch',
    'jobs',
    job('ft', { completions: 1 }, { conditions: [{ type: 'FailureTarget', status: 'True' }] }),
    headers,
    ['ft', 'FailureTarget', '0/1', '', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1'],
  );
  golden(
    'batch',
    'jobs',
    job('sus', { completions: 1, suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }),
    headers,
    ['sus', 'Suspended', '0/1', '', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1'],
  );
  golden(
    'batch',
    'jobs',
    job(
      'gone',
      { completions: 1 },
      { conditions: [{ type: 'Suspended', status: 'True' }] },
      { deletionTimestamp: ago(1 * S) },
    ),
    headers,
    ['gone', 'Terminating', '0/1', '', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1'],
  );
});

test('cronjobs', () => {
  const headers = [
    'Name',
    'Schedule',
    'Timezone',
    'Suspend',
    'Active',
    'Last Schedule',
    'Age',
    'Containers(w)',
    'Images(w)',
    'Selector(w)',
  ];
  golden(
    'batch',
    'cronjobs',
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('backup', 8 * D),
      spec: {
        schedule: '*/5 * * * *',
        suspend: false,
        jobTemplate: { spec: { template: template([['backup', 'restic:0.16']]) } },
      },
      status: { active: [{ name: 'backup-28620000' }], lastScheduleTime: ago(65 * S) },
    },
    headers,
    ['backup', '*/5 * * * *', '<none>', 'False', 1, '65s', '8d', 'backup', 'restic:0.16', '<none>'],
  );
  golden(
    'batch',
    'cronjobs',
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('nightly', 1 * H),
      spec: {
        schedule: '0 3 * * *',
        timeZone: 'Europe/Berlin',
        suspend: true,
        jobTemplate: { spec: { selector: { matchLabels: { a: 'b' } }, template: template([['x', 'y']]) } },
      },
    },
    headers,
    ['nightly', '0 3 * * *', 'Europe/Berlin', 'True', 0, '<none>', '60m', 'x', 'y', 'a=b'],
  );
});

test('horizontalpodautoscalers (autoscaling/v2 and v1)', () => {
  const headers = ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'];
  const hpa = (
    name: string,
    metrics: any[],
    currentMetrics: any[] | undefined,
    extra: any = {},
  ): KubeObject => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(name, 3 * H),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics,
      ...extra,
    },
    status: { currentReplicas: 2, desiredReplicas: 2, ...(currentMetrics ? { currentMetrics } : {}) },
  });
  const cpu80 = {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
  };
  golden(
    'autoscaling',
    'horizontalpodautoscalers',
    hpa(
      'web',
      [cpu80],
      [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 10, averageValue: '12m' } },
        },
      ],
    ),
    headers,
    ['web', 'Deployment/web', 'cpu: 10%/80%', '1', 10, 2, '3h'],
  );
  golden('autoscaling', 'horizontalpodautoscalers', hpa('fresh', [cpu80], undefined), headers, [
    'fresh',
    'Deployment/web',
    'cpu: <unknown>/80%',
    '1',
    10,
    2,
    '3h',
  ]);
  golden(
    'autoscaling',
    'horizontalpodautoscalers',
    hpa(
      'multi',
      [
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
        },
        {
          type: 'Pods',
          pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } },
        },
        { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } },
      ],
      [
        { type: 'Resource', resource: { name: 'memory', current: { averageValue: '200Mi' } } },
        { type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: '42' } } },
      ],
      { minReplicas: undefined },
    ),
    headers,
    ['multi', 'Deployment/web', 'memory: 200Mi/500Mi, 42/100 + 1 more...', '<unset>', 10, 2, '3h'],
  );
  golden(
    'autoscaling',
    'horizontalpodautoscalers',
    hpa(
      'obj',
      [
        {
          type: 'Object',
          object: {
            describedObject: { kind: 'Ingress', name: 'main' },
            metric: { name: 'hits' },
            target: { type: 'AverageValue', averageValue: '2k' },
          },
        },
        {
          type: 'ContainerResource',
          containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization' } },
        },
      ],
      [],
    ),
    headers,
    ['obj', 'Deployment/web', '<unknown>/2k (avg), cpu: <unknown>/<auto>', '1', 10, 2, '3h'],
  );
  golden('autoscaling', 'horizontalpodautoscalers', hpa('none', [], undefined), headers, [
    'none',
    'Deployment/web',
    '<none>',
    '1',
    10,
    2,
    '3h',
  ]);
  golden(
    'autoscaling',
    'horizontalpodautoscalers',
    {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('v1', 3 * H),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 50,
      },
      status: { currentReplicas: 3, currentCPUUtilizationPercentage: 61 },
    },
    headers,
    ['v1', 'Deployment/web', 'cpu: 61%/50%', '2', 5, 3, '3h'],
  );
});

test('poddisruptionbudgets and leases', () => {
  const headers = ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'];
  golden(
    'policy',
    'poddisruptionbudgets',
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('web', 2 * D),
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
      status: { disruptionsAllowed: 1 },
    },
    headers,
    ['web', '2', 'N/A', 1, '2d'],
  );
  golden(
    'policy',
    'poddisruptionbudgets',
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('pct', 2 * D),
      spec: { maxUnavailable: '25%' },
      status: {},
    },
    headers,
    ['pct', 'N/A', '25%', 0, '2d'],
  );
  golden(
    'coordination.k8s.io',
    'leases',
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: meta('kube-controller-manager', 5 * D),
      spec: { holderIdentity: 'cp-1_3c1f', leaseDurationSeconds: 15 },
    },
    ['Name', 'Holder', 'Age'],
    ['kube-controller-manager', 'cp-1_3c1f', '5d'],
  );
  golden(
    'coordination.k8s.io',
    'leases',
    { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('free', 5 * D), spec: {} },
    ['Name', 'Holder', 'Age'],
    ['free', '', '5d'],
  );
});

test('webhook configurations', () => {
  const hooks = { webhooks: [{ name: 'a.example.com' }, { name: 'b.example.com' }] };
  golden(
    'admissionregistration.k8s.io',
    'mutatingwebhookconfigurations',
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'istio-sidecar-injector', creationTimestamp: ago(4 * H) },
      ...hooks,
    },
    ['Name', 'Webhooks', 'Age'],
    ['istio-sidecar-injector', 2, '4h'],
  );
  golden(
    'admissionregistration.k8s.io',
    'validatingwebhookconfigurations',
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'empty', creationTimestamp: ago(4 * H) },
    },
    ['Name', 'Webhooks', 'Age'],
    ['empty', 0, '4h'],
  );
});

test('rbac bindings, and the NAME / CREATED AT default for roles and CRDs', () => {
  const subjects = [
    { kind: 'User', name: 'alice' },
    { kind: 'User', name: 'bob' },
    { kind: 'Group', name: 'system:masters' },
    { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
  ];
  golden(
    'rbac.authorization.k8s.io',
    'rolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('edit', 1 * D),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects,
    },
    ['Name', 'Role', 'Age', 'Users(w)', 'Groups(w)', 'ServiceAccounts(w)'],
    ['edit', 'ClusterRole/edit', '24h', 'alice, bob', 'system:masters', 'ci/builder'],
  );
  golden(
    'rbac.authorization.k8s.io',
    'clusterrolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'cluster-admin', creationTimestamp: ago(1 * D) },
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
    },
    ['Name', 'Role', 'Age', 'Users(w)', 'Groups(w)', 'ServiceAccounts(w)'],
    ['cluster-admin', 'ClusterRole/cluster-admin', '24h', '', '', ''],
  );
  for (const [group, resource, kind] of [
    ['rbac.authorization.k8s.io', 'roles', 'Role'],
    ['rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole'],
    ['apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition'],
  ]) {
    golden(
      group,
      resource,
      { apiVersion: `${group}/v1`, kind, metadata: { name: 'x', creationTimestamp: '2024-05-30T08:00:00Z' } },
      ['Name', 'Created At'],
      ['x', '2024-05-30T08:00:00Z'],
    );
    assert.equal(builtinTableConvertor(group, resource)!.columns[1].type, 'date');
  }
});

test('unknown resources have no built-in printer', () => {
  assert.equal(builtinTableConvertor('', 'widgets'), undefined);
  assert.equal(builtinTableConvertor('example.com', 'pods'), undefined);
});
