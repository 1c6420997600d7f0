import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepMerge, mergeAll } from './merge.js';

test('maps merge recursively; scalars and lists from the overlay replace', () => {
  const base = { pilot: { autoscaleEnabled: true, autoscaleMin: 1, env: { A: '1' } }, list: [1, 2, 3] };
  const overlay = { pilot: { autoscaleEnabled: false, env: { B: '2' } }, list: [9] };
  assert.deepEqual(deepMerge(base, overlay), {
    pilot: { autoscaleEnabled: false, autoscaleMin: 1, env: { A: '1', B: '2' } },
    list: [9],
  });
});

test('a list replaces a map and a map replaces a scalar', () => {
  assert.deepEqual(deepMerge({ a: { x: 1 }, b: 1 }, { a: [1], b: { y: 2 } }), { a: [1], b: { y: 2 } });
});

test('undefined keeps the base value; null removes the key', () => {
  assert.deepEqual(deepMerge({ a: 1, b: 2 }, { a: undefined, b: null }), { a: 1 });
});

test('inputs are not modified and outputs share no references with them', () => {
  const base = { m: { list: [1] } };
  const overlay = { m: { other: { deep: true } } };
  const out = deepMerge(base, overlay);
  (out.m as any).list.push(2);
  (out.m as any).other.deep = false;
  assert.deepEqual(base, { m: { list: [1] } });
  assert.deepEqual(overlay, { m: { other: { deep: true } } });
});

test('mergeAll applies layers left to right', () => {
  assert.deepEqual(mergeAll({ a: 1, m: { x: 1 } }, undefined, { a: 2 }, { m: { y: 2 } }), {
    a: 2,
    m: { x: 1, y: 2 },
  });
});
