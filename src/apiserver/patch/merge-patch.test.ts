import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';

// The examples of RFC 7386, appendix A.
const rfcCases: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

test('merge patch follows the RFC 7386 examples', () => {
  for (const [target, patch, want] of rfcCases) {
    assert.deepEqual(applyMergePatch(target, patch), want, JSON.stringify({ target, patch }));
  }
});

test('merge patch: kubectl label adds and removes keys', () => {
  const pod = { metadata: { name: 'p', labels: { a: '1', b: '2' } }, spec: { x: 1 } };
  const out = applyMergePatch(pod, { metadata: { labels: { b: null, c: '3' } } });
  assert.deepEqual(out, { metadata: { name: 'p', labels: { a: '1', c: '3' } }, spec: { x: 1 } });
});

test('merge patch never mutates its inputs nor aliases them', () => {
  const target = { a: { b: 1 }, keep: { deep: [1, 2] } };
  const patch = { a: { c: { d: 2 } } };
  const before = JSON.stringify([target, patch]);
  const out = applyMergePatch(target, patch) as any;
  assert.equal(JSON.stringify([target, patch]), before);
  out.keep.deep.push(3);
  out.a.c.d = 9;
  assert.equal(JSON.stringify([target, patch]), before);
});
