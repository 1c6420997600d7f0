import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AddressAllocator,
  inPool,
  loadBalancerStatus,
  parsePool,
  poolSize,
  statusMatches,
  type Decision,
} from './loadbalancer-logic.js';
import { at } from './testing.js';

const svc = (
  name: string,
  o: { type?: string; ip?: string; wanted?: string; lbClass?: string; created?: number } = {},
): any => ({
  metadata: { namespace: 'ns', name, uid: `uid-${name}`, creationTimestamp: at(o.created ?? 0) },
  spec: {
    type: o.type ?? 'LoadBalancer',
    ...(o.wanted ? { loadBalancerIP: o.wanted } : {}),
    ...(o.lbClass ? { loadBalancerClass: o.lbClass } : {}),
  },
  status: o.ip ? { loadBalancer: { ingress: [{ ip: o.ip, ipMode: 'VIP' }] } } : {},
});
const ipOf = (d: Decision) => (d.kind === 'assign' ? d.ip : d.kind);

test('a pool is a /16 to /30 network without its network address, first host and broadcast', () => {
  const p = parsePool('172.30.7.0/24');
  assert.equal(p.cidr, '172.30.7.0/24');
  assert.equal(poolSize(p), 253);
  assert.deepEqual(
    ['172.30.7.0', '172.30.7.1', '172.30.7.2', '172.30.7.254', '172.30.7.255', '172.30.8.2', 'x'].map((ip) =>
      inPool(p, ip),
    ),
    [false, false, true, true, false, false, false],
  );
  assert.equal(poolSize(parsePool('172.30.7.0/30')), 1);
  assert.equal(poolSize(parsePool(' 172.30.0.0/16 ')), 65533);
  assert.throws(() => parsePool('172.30.7.5/24'), /host bits set/);
  assert.throws(() => parsePool('172.30.7.0/31'), /between a \/16 and a \/30/);
  assert.throws(() => parsePool('10.0.0.0/8'), /between a \/16 and a \/30/);
  assert.throws(() => parsePool('172.30.7.0'), /not an IPv4 CIDR/);
  assert.throws(() => parsePool('172.30.300.0/24'), /not an IPv4 CIDR/);
});

test('addresses go lowest first, stay with their service and come back on delete', () => {
  const a = new AddressAllocator(parsePool('172.30.7.0/24'));
  assert.deepEqual(a.sync('ns/a', svc('a')), { kind: 'assign', ip: '172.30.7.2', fresh: true });
  assert.deepEqual(a.sync('ns/b', svc('b')), { kind: 'assign', ip: '172.30.7.3', fresh: true });
  assert.deepEqual(a.sync('ns/a', svc('a', { ip: '172.30.7.2' })), {
    kind: 'assign',
    ip: '172.30.7.2',
    fresh: false,
  });
  assert.deepEqual(a.sync('ns/a', undefined), { kind: 'ignore' });
  assert.equal(a.ownerOf('172.30.7.2'), undefined);
  assert.equal(ipOf(a.sync('ns/c', svc('c'))), '172.30.7.2');
  assert.equal(a.used, 2);
});

test('a service that stops being a LoadBalancer loses its address and its status', () => {
  const a = new AddressAllocator(parsePool('172.30.7.0/24'));
  a.sync('ns/a', svc('a'));
  assert.deepEqual(a.sync('ns/a', svc('a', { type: 'ClusterIP', ip: '172.30.7.2' })), { kind: 'clear' });
  assert.equal(a.ipOf('ns/a'), undefined);
  assert.equal(ipOf(a.sync('ns/b', svc('b'))), '172.30.7.2');
  // Another implementation's class: not ours to give or clear.
  assert.deepEqual(a.sync('ns/x', svc('x', { lbClass: 'example.com/lb' })), { kind: 'ignore' });
  assert.equal(a.ipOf('ns/x'), undefined);
});

test('spec.loadBalancerIP is honoured when in the pool and free, and fails otherwise', () => {
  const a = new AddressAllocator(parsePool('172.30.7.0/24'));
  assert.equal(ipOf(a.sync('ns/a', svc('a', { wanted: '172.30.7.50' }))), '172.30.7.50');
  const taken = a.sync('ns/b', svc('b', { wanted: '172.30.7.50' }));
  assert.equal(taken.kind, 'fail');
  assert.match((taken as any).message, /requested IP "172\.30\.7\.50" is already used by "ns\/a"/);
  const outside = a.sync('ns/c', svc('c', { wanted: '172.30.7.1' }));
  assert.match((outside as any).message, /"172\.30\.7\.1" is not in the pool 172\.30\.7\.0\/24/);
  assert.equal(a.ipOf('ns/c'), undefined);
  // Changing the request moves the service and frees the old address.
  assert.equal(ipOf(a.sync('ns/a', svc('a', { wanted: '172.30.7.60', ip: '172.30.7.50' }))), '172.30.7.60');
  assert.equal(ipOf(a.sync('ns/b', svc('b', { wanted: '172.30.7.50' }))), '172.30.7.50');
  // A request that turns bad drops the address the service had.
  assert.equal(a.sync('ns/b', svc('b', { wanted: '10.0.0.1', ip: '172.30.7.50' })).kind, 'fail');
  assert.equal(a.ownerOf('172.30.7.50'), undefined);
});

test('an exhausted pool fails until an address is released', () => {
  const a = new AddressAllocator(parsePool('172.30.7.0/30'));
  assert.equal(ipOf(a.sync('ns/a', svc('a'))), '172.30.7.2');
  const d = a.sync('ns/b', svc('b'));
  assert.equal(d.kind, 'fail');
  assert.match(
    (d as any).message,
    /^Failed to allocate IP for "ns\/b": no available IPs in the pool 172\.30\.7\.0\/30$/,
  );
  a.sync('ns/a', undefined);
  assert.equal(ipOf(a.sync('ns/b', svc('b'))), '172.30.7.2');
});

test('rebuilding from statuses keeps every address where it was', () => {
  const pool = parsePool('172.30.7.0/24');
  const services = [
    svc('late', { ip: '172.30.7.9', created: 20 }),
    svc('early', { ip: '172.30.7.9', created: 10 }), // the same address claimed twice: the older keeps it
    svc('outside', { ip: '172.30.9.9' }),
    svc('moved', { ip: '172.30.7.4', wanted: '172.30.7.5' }),
    svc('plain', { type: 'ClusterIP', ip: '172.30.7.6' }),
    svc('fresh'),
  ];
  const a = AddressAllocator.rebuild(pool, services);
  assert.equal(a.ipOf('ns/early'), '172.30.7.9');
  assert.equal(a.ipOf('ns/late'), undefined);
  assert.equal(a.ipOf('ns/outside'), undefined);
  assert.equal(a.ipOf('ns/moved'), undefined);
  assert.equal(a.ownerOf('172.30.7.6'), undefined);
  assert.deepEqual(a.sync('ns/early', services[1]), { kind: 'assign', ip: '172.30.7.9', fresh: false });
  assert.equal(ipOf(a.sync('ns/moved', services[3])), '172.30.7.5');
  assert.equal(ipOf(a.sync('ns/fresh', services[5])), '172.30.7.2');
  assert.equal(ipOf(a.sync('ns/late', services[0])), '172.30.7.3');
  assert.equal(ipOf(a.sync('ns/outside', services[2])), '172.30.7.4');
});

test('status is written as one VIP ingress and compared exactly', () => {
  assert.deepEqual(loadBalancerStatus('172.30.7.2'), { ingress: [{ ip: '172.30.7.2', ipMode: 'VIP' }] });
  assert.deepEqual(loadBalancerStatus(undefined), {});
  assert.equal(statusMatches(svc('a', { ip: '172.30.7.2' }), '172.30.7.2'), true);
  assert.equal(statusMatches(svc('a', { ip: '172.30.7.2' }), '172.30.7.3'), false);
  assert.equal(statusMatches(svc('a', { ip: '172.30.7.2' }), undefined), false);
  assert.equal(statusMatches(svc('a'), undefined), true);
  const noMode = { status: { loadBalancer: { ingress: [{ ip: '172.30.7.2' }] } } };
  assert.equal(statusMatches(noMode, '172.30.7.2'), false);
});
