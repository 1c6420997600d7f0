import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, dashedIp, inZone, normalizeName, parseDashedIp, reverseName } from './names.js';

test('reverse names for IPv4 and IPv6', () => {
  assert.equal(reverseName('10.96.0.10'), '10.0.96.10.in-addr.arpa');
  assert.equal(
    reverseName('fd00::1'),
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa',
  );
  assert.throws(() => reverseName('nope'));
});

test('dashed IP labels both ways', () => {
  assert.equal(dashedIp('10.244.1.5'), '10-244-1-5');
  assert.equal(parseDashedIp('10-244-1-5'), '10.244.1.5');
  assert.equal(dashedIp('fd00:0::5'), 'fd00--5');
  assert.equal(parseDashedIp('fd00--5'), 'fd00::5');
  for (const bad of ['10-244-1', '10-244-1-256', 'web-0', 'a-b-c-d', '1-2-3-4-5', 'abc'])
    assert.equal(parseDashedIp(bad), undefined, bad);
});

test('canonical IPs, normalised names, zone membership', () => {
  assert.equal(canonicalIp('FD00:0:0::0:1'), 'fd00::1');
  assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
  assert.equal(normalizeName('Web.Default.SVC.cluster.local.'), 'web.default.svc.cluster.local');
  assert.ok(inZone('a.cluster.local', 'cluster.local'));
  assert.ok(inZone('cluster.local', 'cluster.local'));
  assert.ok(!inZone('evilcluster.local', 'cluster.local'));
});
