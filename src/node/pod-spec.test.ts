import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerEnvOf, probePort, resolvConf, type PodFacts } from './pod-spec.js';

const facts: PodFacts = {
  name: 'web-1',
  namespace: 'shop',
  uid: 'u-1',
  podIP: '10.244.1.9',
  nodeName: 'c-worker',
  serviceAccountName: 'bookinfo-web',
  hostIP: '169.254.9.2',
};

test('resolv.conf points at the cluster DNS with the namespace search path', () => {
  assert.equal(
    resolvConf('shop'),
    'nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n',
  );
});

test('env: HOSTNAME, literal values with $(VAR) expansion, downward-API fields', () => {
  const env = containerEnvOf(
    {
      name: 'c',
      image: 'x',
      env: [
        { name: 'A', value: 'one' },
        { name: 'B', value: '$(A)-$(MISSING)-$$(A)' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      ],
    },
    facts,
  );
  assert.deepEqual(env, {
    HOSTNAME: 'web-1',
    A: 'one',
    B: 'one-$(MISSING)-$(A)',
    POD: 'web-1',
    NS: 'shop',
    IP: '10.244.1.9',
    NODE: 'c-worker',
    SA: 'bookinfo-web',
  });
});

test('probe ports by number or by the name of a container port', () => {
  assert.equal(probePort(8080), 8080);
  assert.equal(probePort('9080'), 9080);
  assert.equal(probePort('http', [{ name: 'http', containerPort: 8000 }]), 8000);
  assert.throws(() => probePort('admin', []), /not a named port/);
});
