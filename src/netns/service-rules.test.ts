import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { composeRestore } from './apply-rules.js';
import { serviceRules, svcChainName, type EndpointSliceLike, type ServiceLike } from './service-rules.js';

// Tests run from dist/src/netns; the golden files stay in the source tree.
const golden = (name: string) => new URL(`../../../src/netns/testdata/${name}`, import.meta.url);

function checkGolden(name: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden(name), actual);
  assert.equal(actual, readFileSync(golden(name), 'utf8'));
}

const svc = (
  ns: string,
  name: string,
  spec: ServiceLike['spec'],
  status?: ServiceLike['status'],
): ServiceLike => ({
  metadata: { namespace: ns, name },
  spec,
  ...(status ? { status } : {}),
});

const slice = (
  ns: string,
  svcName: string,
  ports: EndpointSliceLike['ports'],
  endpoints: EndpointSliceLike['endpoints'],
  addressType = 'IPv4',
): EndpointSliceLike => ({
  metadata: { namespace: ns, name: `${svcName}-abcde`, labels: { 'kubernetes.io/service-name': svcName } },
  addressType,
  ports,
  endpoints,
});

const basicServices = [
  svc('default', 'web', {
    type: 'ClusterIP',
    clusterIP: '10.96.0.20',
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  }),
];
const basicSlices = [
  slice(
    'default',
    'web',
    [{ name: 'http', port: 8080, protocol: 'TCP' }],
    [
      { addresses: ['10.244.0.3'], conditions: { ready: true } },
      { addresses: ['10.244.0.2'] },
      { addresses: ['10.244.0.9'], conditions: { ready: false } },
    ],
  ),
];

const mixedServices: ServiceLike[] = [
  svc('kube-system', 'kube-dns', {
    clusterIP: '10.96.0.10',
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  }),
  svc(
    'shop',
    'front',
    { type: 'LoadBalancer', clusterIP: '10.96.5.5', ports: [{ port: 80 }] },
    { loadBalancer: { ingress: [{ ip: '172.30.0.10' }, { hostname: 'x.example' }] } },
  ),
  svc('shop', 'db', { clusterIP: 'None', ports: [{ port: 5432 }] }),
  svc('shop', 'ext', { type: 'ExternalName', ports: [{ port: 80 }] }),
  svc('shop', 'idle', { clusterIP: '10.96.5.6', ports: [{ port: 80 }] }),
  svc('shop', 'draining', { clusterIP: '10.96.5.7', ports: [{ port: 9080 }] }),
];
const mixedSlices: EndpointSliceLike[] = [
  slice(
    'kube-system',
    'kube-dns',
    [
      { name: 'dns', port: 5353, protocol: 'UDP' },
      { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
    ],
    [{ addresses: ['10.244.0.5'] }],
  ),
  slice('shop', 'front', [{ port: 8080 }], [{ addresses: ['10.244.1.2'] }, { addresses: ['10.244.1.3'] }]),
  slice('shop', 'front', [{ port: 8080 }], [{ addresses: ['10.244.1.4'] }, { addresses: ['10.244.1.3'] }]), // a second slice, one endpoint repeated
  slice('shop', 'front', [{ port: 8080 }], [{ addresses: ['fd00::1'] }], 'IPv6'),
  slice('shop', 'db', [{ port: 5432 }], [{ addresses: ['10.244.1.9'] }]),
  slice(
    'shop',
    'draining',
    [{ port: 9080 }],
    [
      { addresses: ['10.244.2.2'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['10.244.2.3'], conditions: { ready: false, serving: false, terminating: true } },
    ],
  ),
  slice('other', 'front', [{ port: 1 }], [{ addresses: ['10.244.9.9'] }]), // same name, other namespace
];

describe('serviceRules', () => {
  it('balances a ClusterIP over its ready endpoints (golden)', () => {
    checkGolden('services-basic.rules', serviceRules(basicServices, basicSlices));
  });

  it('covers UDP, LoadBalancer IPs, several slices, terminating endpoints and skipped services (golden)', () => {
    checkGolden('services-mixed.rules', serviceRules(mixedServices, mixedSlices));
  });

  it('does not depend on the order of its inputs', () => {
    const a = serviceRules(mixedServices, mixedSlices);
    const b = serviceRules([...mixedServices].reverse(), [...mixedSlices].reverse());
    assert.equal(b, a);
  });

  it('gives each of n endpoints an equal chance', () => {
    const endpoints = ['10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5'].map((ip) => ({
      addresses: [ip],
    }));
    const text = serviceRules(basicServices, [
      slice('default', 'web', [{ name: 'http', port: 8080 }], endpoints),
    ]);
    const chain = svcChainName('default/web:http', 'TCP');
    const probs = text
      .split('\n')
      .filter((l) => l.startsWith(`-A ${chain} `))
      .map((l) => Number(/--probability (\S+)/.exec(l)?.[1] ?? 1));
    assert.deepEqual(probs, [0.25, 0.3333333333, 0.5, 1]);
    // Chance of reaching endpoint i = p_i * prod(1 - p_j, j < i) = 1/4 each.
    let left = 1;
    for (const p of probs) {
      assert.ok(Math.abs(left * p - 0.25) < 1e-9);
      left *= 1 - p;
    }
  });

  it('keeps chain names within iptables limits', () => {
    const text = serviceRules(mixedServices, mixedSlices);
    for (const line of text.split('\n').filter((l) => l.startsWith(':'))) {
      const name = line.slice(1).split(' ')[0]!;
      assert.ok(name.startsWith('MIZZEN-') && name.length <= 28, name);
    }
  });

  it('emits only the fixed chains when nothing has endpoints', () => {
    const text = serviceRules(basicServices, []);
    assert.doesNotMatch(text, /MIZZEN-SVC-|DNAT/);
    assert.match(text, /^\*nat\n/);
  });
});

const nodePortServices: ServiceLike[] = [
  svc('shop', 'np', {
    type: 'NodePort',
    clusterIP: '10.96.6.1',
    ports: [
      { name: 'http', port: 80, nodePort: 30080 },
      { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
    ],
  }),
  svc(
    'shop',
    'lb',
    { type: 'LoadBalancer', clusterIP: '10.96.6.2', ports: [{ port: 8000, nodePort: 31000 }] },
    { loadBalancer: { ingress: [{ ip: '172.30.7.2' }] } },
  ),
  // A nodePort left on a ClusterIP service (the API server forbids it) opens nothing.
  svc('shop', 'plain', { type: 'ClusterIP', clusterIP: '10.96.6.3', ports: [{ port: 80, nodePort: 30081 }] }),
  svc('shop', 'empty', { type: 'NodePort', clusterIP: '10.96.6.4', ports: [{ port: 80, nodePort: 30082 }] }),
];
const nodePortSlices: EndpointSliceLike[] = [
  slice(
    'shop',
    'np',
    [
      { name: 'http', port: 8080 },
      { name: 'dns', port: 5353, protocol: 'UDP' },
    ],
    [{ addresses: ['10.244.1.2'] }],
  ),
  slice('shop', 'lb', [{ port: 8080 }], [{ addresses: ['10.244.2.2'] }, { addresses: ['10.244.1.3'] }]),
  slice('shop', 'plain', [{ port: 8080 }], [{ addresses: ['10.244.1.4'] }]),
  slice('shop', 'empty', [{ port: 8080 }], []),
];

describe('serviceRules node ports', () => {
  const lines = (text: string) => text.split('\n');

  it('sends node ports of NodePort and LoadBalancer services to the service chains (golden)', () => {
    checkGolden('services-nodeports.rules', serviceRules(nodePortServices, nodePortSlices));
  });

  it('jumps to MIZZEN-NODEPORTS for local non-loopback addresses, after every other portal', () => {
    const l = lines(serviceRules(nodePortServices, nodePortSlices));
    const portals = l.filter((x) => x.startsWith('-A MIZZEN-SERVICES '));
    assert.match(
      portals.at(-1)!,
      /^-A MIZZEN-SERVICES ! -d 127\.0\.0\.0\/8 -m addrtype --dst-type LOCAL .*-j MIZZEN-NODEPORTS$/,
    );
    assert.equal(portals.filter((x) => x.includes('MIZZEN-NODEPORTS')).length, 1);
    const nodePorts = l.filter((x) => x.startsWith('-A MIZZEN-NODEPORTS '));
    assert.deepEqual(
      nodePorts.map((x) => [/-p (\w+)/.exec(x)![1], /--dport (\d+)/.exec(x)![1], /-j (\S+)$/.exec(x)![1]]),
      [
        ['tcp', '31000', svcChainName('shop/lb', 'TCP')],
        ['udp', '30053', svcChainName('shop/np:dns', 'UDP')],
        ['tcp', '30080', svcChainName('shop/np:http', 'TCP')],
      ],
    );
  });

  it('limits node ports to the given node addresses', () => {
    const text = serviceRules(nodePortServices, nodePortSlices, {
      nodePortAddresses: ['169.254.9.2', '10.0.0.5', '169.254.9.2'],
    });
    assert.deepEqual(
      lines(text).filter((x) => x.endsWith('-j MIZZEN-NODEPORTS')),
      [
        '-A MIZZEN-SERVICES -d 10.0.0.5/32 -m comment --comment "node ports; the last rule of this chain" -j MIZZEN-NODEPORTS',
        '-A MIZZEN-SERVICES -d 169.254.9.2/32 -m comment --comment "node ports; the last rule of this chain" -j MIZZEN-NODEPORTS',
      ],
    );
    assert.doesNotMatch(text, /addrtype/);
    assert.throws(() => serviceRules([], [], { nodePortAddresses: ['node1'] }));
  });

  it('declares no node port chain when no node port has endpoints', () => {
    const text = serviceRules(nodePortServices.slice(2), nodePortSlices);
    assert.doesNotMatch(text, /NODEPORTS|addrtype/);
    assert.equal(serviceRules(mixedServices, mixedSlices).includes('NODEPORTS'), false);
  });

  it('passes the restore checks', () => {
    const out = composeRestore(
      '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n',
      serviceRules(nodePortServices, nodePortSlices),
    );
    assert.ok(out.split('\n').includes(':MIZZEN-NODEPORTS - [0:0]'));
  });
});

describe('composeRestore', () => {
  const current = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':OTHER - [0:0]',
    ':MIZZEN-SERVICES - [0:0]',
    ':MIZZEN-SVC-OLD - [0:0]',
    '-A PREROUTING -j MIZZEN-SERVICES',
    '-A POSTROUTING -j OTHER',
    '-A MIZZEN-SERVICES -d 10.96.0.99/32 -j MIZZEN-SVC-OLD',
    'COMMIT',
  ].join('\n');

  it('replaces MIZZEN- chains, deletes stale ones and adds only missing entry jumps', () => {
    const text = serviceRules(basicServices, basicSlices);
    const out = composeRestore(current, text);
    const lines = out.split('\n');
    assert.ok(lines.includes(':MIZZEN-SVC-OLD - [0:0]'));
    assert.equal(lines.at(-3), '-X MIZZEN-SVC-OLD');
    assert.ok(lines.includes('-I OUTPUT 1 -j MIZZEN-SERVICES'));
    assert.ok(lines.includes('-I POSTROUTING 1 -j MIZZEN-POSTROUTING'));
    assert.ok(!lines.some((l) => l.startsWith('-I PREROUTING')));
    assert.ok(!out.includes('OTHER'));
  });

  it('refuses rules that would touch chains other than MIZZEN-', () => {
    assert.throws(
      () => composeRestore(current, '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n'),
      /only declare MIZZEN- chains/,
    );
    assert.throws(
      () => composeRestore(current, '*nat\n-A PREROUTING -j ACCEPT\nCOMMIT\n'),
      /undeclared chain PREROUTING/,
    );
    assert.throws(() => composeRestore(current, '*filter\nCOMMIT\n'), /nat table/);
  });
});
