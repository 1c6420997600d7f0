import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from './endpoints-logic.js';
import { node, pod } from './testing.js';

const svc = (o: { ports?: any[]; publish?: boolean; headless?: boolean } = {}): any => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'svc1', labels: { team: 'a' } },
  spec: {
    selector: { app: 'x' },
    clusterIP: o.headless ? 'None' : '10.96.0.5',
    publishNotReadyAddresses: o.publish,
    ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }],
  },
});
const webPort = [{ name: 'web', containerPort: 8080, protocol: 'TCP' }];
const nodes = new Map([['n1', node('n1', { labels: { 'topology.kubernetes.io/zone': 'z1' } })]]);

test('named targetPort resolves against container ports; pods differing in ports get their own slice', () => {
  const pods = [
    pod('a', { node: 'n1', ready: true, ip: '10.244.1.5', ports: webPort }),
    pod('b', { node: 'n1', ready: true, ip: '10.244.1.6', ports: [{ name: 'web', containerPort: 9090 }] }),
    pod('noip', { node: 'n1', ready: true, ports: webPort }),
    pod('other', { node: 'n1', ready: true, ip: '10.244.1.7', labels: { app: 'y' }, ports: webPort }),
  ];
  const slices = E.desiredSlices(svc(), pods, nodes);
  assert.equal(slices.length, 2);
  assert.deepEqual(slices.map((s) => s.ports[0].port).sort(), [8080, 9090]);
  const a = slices.find((s) => s.ports[0].port === 8080)!;
  assert.deepEqual(a.endpoints, [
    {
      addresses: ['10.244.1.5'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: pods[0].metadata.uid },
      nodeName: 'n1',
      zone: 'z1',
    },
  ]);
  assert.deepEqual(E.findPort(pods[0], { targetPort: 'missing' }), undefined);
  assert.equal(E.findPort(pods[0], { port: 80 }), 80);
});

test('conditions: not ready, terminating, publishNotReadyAddresses', () => {
  const pods = [
    pod('nr', { node: 'n1', ready: false, phase: 'Running', ip: '10.0.0.1', ports: webPort }),
    pod('term', { node: 'n1', ready: true, ip: '10.0.0.2', deleting: true, ports: webPort }),
  ];
  const eps = E.desiredSlices(svc(), pods, nodes)[0].endpoints;
  assert.deepEqual(
    eps.map((e: any) => e.conditions),
    [
      { ready: false, serving: false, terminating: false },
      { ready: false, serving: true, terminating: true },
    ],
  );
  const pub = E.desiredSlices(svc({ publish: true }), pods, nodes)[0].endpoints;
  assert.deepEqual(pub[0].conditions, { ready: true, serving: true, terminating: false });
});

test('placeholder slice without pods; labels; reconcile reuses, updates and deletes', () => {
  const empty = E.desiredSlices(svc(), [], nodes);
  assert.deepEqual(empty, [{ addressType: 'IPv4', ports: [], endpoints: [] }]);
  const body = E.buildSlice(svc({ headless: true }), empty[0]);
  assert.equal(body.metadata.generateName, 'web-');
  assert.deepEqual(body.metadata.labels, {
    team: 'a',
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    'service.kubernetes.io/headless': '',
  });
  assert.equal(body.ports, null);
  assert.deepEqual(body.metadata.ownerReferences[0], {
    apiVersion: 'v1',
    kind: 'Service',
    name: 'web',
    uid: 'svc1',
    controller: true,
    blockOwnerDeletion: true,
  });
  const s = svc();
  const desired = E.desiredSlices(
    s,
    [pod('a', { node: 'n1', ready: true, ip: '10.0.0.1', ports: webPort })],
    nodes,
  );
  const existing = [
    {
      ...E.buildSlice(s, desired[0]),
      metadata: { ...E.buildSlice(s, desired[0]).metadata, name: 'web-aaaaa' },
    },
    { ...E.buildSlice(s, empty[0]), metadata: { ...E.buildSlice(s, empty[0]).metadata, name: 'web-bbbbb' } },
  ];
  const same = E.reconcileSlices(s, existing, desired);
  assert.deepEqual(
    [same.create.length, same.update.length, same.delete.map((x) => x.metadata.name)],
    [0, 0, ['web-bbbbb']],
  );
  const changed = E.reconcileSlices(s, [existing[1]], desired);
  assert.deepEqual([changed.create.length, changed.update.length, changed.delete.length], [0, 1, 0]);
});

test('Endpoints subsets: ready and not-ready addresses, sorted by IP, terminating excluded', () => {
  const pods = [
    pod('b', { node: 'n1', ready: true, ip: '10.244.1.10', ports: webPort }),
    pod('a', { node: 'n1', ready: true, ip: '10.244.1.9', ports: webPort }),
    pod('c', { node: 'n1', ready: false, phase: 'Running', ip: '10.244.1.2', ports: webPort }),
    pod('d', { node: 'n1', ready: true, ip: '10.244.1.3', deleting: true, ports: webPort }),
  ];
  const subsets = E.endpointSubsets(svc(), pods);
  assert.equal(subsets.length, 1);
  assert.deepEqual(
    subsets[0].addresses.map((a: any) => a.ip),
    ['10.244.1.9', '10.244.1.10'],
  );
  assert.deepEqual(
    subsets[0].notReadyAddresses.map((a: any) => a.ip),
    ['10.244.1.2'],
  );
  assert.deepEqual(subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(subsets[0].addresses[0].targetRef, {
    kind: 'Pod',
    namespace: 'ns',
    name: 'a',
    uid: pods[1].metadata.uid,
  });
  assert.equal(subsets[0].addresses[0].nodeName, 'n1');
  assert.deepEqual(E.endpointSubsets(svc(), []), []);
  assert.equal(E.endpointsLabels(svc())['endpointslice.kubernetes.io/skip-mirror'], 'true');
});
