import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLoadBalancerRange, checkUnicast, cidrOverlaps, formatCidr, parseCidr } from './addresses.js';
import { hostLinkNames, isClusterNetnsName, podNetnsName, podVethName } from './names.js';

describe('names', () => {
  it('derives every name from the cluster, within the 15-character link limit', () => {
    const longest = 'a'.repeat(40);
    const link = hostLinkNames(longest);
    assert.match(link.host, /^mz[0-9a-f]{6}h$/);
    assert.match(link.cluster, /^mz[0-9a-f]{6}c$/);
    assert.match(podVethName(longest, 'some-pod-uid'), /^mz[0-9a-f]{10}$/);
    assert.ok(podVethName(longest, 'some-pod-uid').length <= 15);
    assert.match(podNetnsName('dev', 'uid-1'), /^mizzen-dev-[0-9a-f]{10}$/);
    assert.notEqual(podNetnsName('dev', 'uid-1'), podNetnsName('dev2', 'uid-1'));
    assert.notEqual(hostLinkNames('dev').host, hostLinkNames('dev2').host);
  });

  it('refuses names that are not cluster names', () => {
    assert.throws(() => hostLinkNames('Bad_Name'), /invalid cluster name/);
    assert.throws(() => podNetnsName('a'.repeat(41), 'x'), /invalid cluster name/);
  });

  it('recognises the namespaces of a cluster and no other', () => {
    assert.ok(isClusterNetnsName('dev', 'mizzen-dev'));
    assert.ok(isClusterNetnsName('dev', podNetnsName('dev', 'p')));
    assert.ok(!isClusterNetnsName('dev', 'mizzen-dev-two'));
    assert.ok(!isClusterNetnsName('dev', 'mizzen-devx'));
    assert.ok(!isClusterNetnsName('dev', 'mizzen-de'));
  });
});

describe('addresses', () => {
  it('parses and compares CIDRs', () => {
    assert.equal(formatCidr(parseCidr('172.30.4.0/24')), '172.30.4.0/24');
    assert.throws(() => parseCidr('172.30.4.1/24'), /host bits set/);
    assert.throws(() => parseCidr('300.0.0.0/8'), /not an IPv4/);
    assert.ok(cidrOverlaps(parseCidr('10.0.0.0/8'), parseCidr('10.1.2.0/24')));
    assert.ok(!cidrOverlaps(parseCidr('10.0.0.0/24'), parseCidr('10.0.1.0/24')));
  });

  it('accepts only private LoadBalancer ranges no wider than /16', () => {
    assert.doesNotThrow(() => checkLoadBalancerRange('172.30.0.0/24'));
    assert.doesNotThrow(() => checkLoadBalancerRange('192.168.77.0/24'));
    assert.throws(() => checkLoadBalancerRange('8.8.8.0/24'), /not inside a private block/);
    assert.throws(() => checkLoadBalancerRange('172.15.0.0/24'), /not inside a private block/);
    assert.throws(() => checkLoadBalancerRange('0.0.0.0/0'), /wider than a \/16/);
    assert.throws(() => checkLoadBalancerRange('10.0.0.0/8'), /wider than a \/16/);
  });

  it('refuses loopback, link-local and multicast as pod or service addresses', () => {
    assert.doesNotThrow(() => checkUnicast('10.244.0.2', 'pod IP'));
    for (const bad of ['127.0.0.2', '169.254.1.1', '224.0.0.1', '0.0.0.0', '255.255.255.255'])
      assert.throws(() => checkUnicast(bad, 'pod IP'), /not a usable unicast/);
  });
});
