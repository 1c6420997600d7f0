import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodIpAllocator } from './ipam.js';

test('hands out addresses from .2 up, reuses released ones, and reports exhaustion', () => {
  const a = new PodIpAllocator('10.244.3.0/29');
  const got = [a.allocate(), a.allocate(), a.allocate(), a.allocate(), a.allocate()];
  assert.deepEqual(got, ['10.244.3.2', '10.244.3.3', '10.244.3.4', '10.244.3.5', '10.244.3.6']);
  assert.throws(() => a.allocate(), /exhausted/);
  a.release('10.244.3.4');
  assert.equal(a.allocate(), '10.244.3.4');
});

test('normalises the CIDR and rejects bad ones', () => {
  assert.equal(new PodIpAllocator('10.244.1.77/24').allocate(), '10.244.1.2');
  assert.throws(() => new PodIpAllocator('10.244.1.0'), /between/);
  assert.throws(() => new PodIpAllocator('300.1.1.0/24'), /invalid/);
});
