import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { applyJsonPatch } from './json-patch.js';

const doc = () => ({ metadata: { name: 'p', labels: { a: '1' } }, spec: { list: ['x', 'y'], n: 1 } });

function expectStatus(fn: () => unknown, code: number, reason: string, message: string | RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof StatusError, `expected a StatusError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.reason, reason);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  return caught;
}

test('json patch applies all six operations in order', () => {
  const out = applyJsonPatch(doc(), [
    { op: 'add', path: '/metadata/labels/b', value: '2' },
    { op: 'remove', path: '/metadata/labels/a' },
    { op: 'replace', path: '/spec/n', value: 5 },
    { op: 'add', path: '/spec/list/-', value: 'z' },
    { op: 'move', from: '/spec/list/0', path: '/spec/first' },
    { op: 'copy', from: '/spec/n', path: '/spec/m' },
    { op: 'test', path: '/spec/m', value: 5 },
  ]);
  assert.deepEqual(out, {
    metadata: { name: 'p', labels: { b: '2' } },
    spec: { list: ['y', 'z'], n: 5, first: 'x', m: 5 },
  });
});

test('json patch does not mutate the document', () => {
  const d = doc();
  applyJsonPatch(d, [
    { op: 'replace', path: '/spec/n', value: 2 },
    { op: 'remove', path: '/spec/list/0' },
  ]);
  assert.deepEqual(d, doc());
});

test('a failing test op is 422 Invalid with the generic upstream text', () => {
  const e = expectStatus(
    () => applyJsonPatch(doc(), [{ op: 'test', path: '/spec/n', value: 2 }]),
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
  );
  assert.deepEqual(e.toStatus().details, {});
});

test('operations on missing paths and unknown ops are 422', () => {
  for (const op of [
    { op: 'remove', path: '/spec/missing' },
    { op: 'add', path: '/nope/deeper/x', value: 1 },
    { op: 'replace', path: '/spec/list/7', value: 1 },
    { op: 'move', from: '/spec/missing', path: '/spec/x' },
    { op: 'frobnicate', path: '/spec/n' },
    { op: 'add', value: 1 },
  ]) {
    expectStatus(
      () => applyJsonPatch(doc(), [op]),
      422,
      'Invalid',
      'the server rejected our request due to an error in our request',
    );
  }
});

test('replace of a missing object key adds it, as the Go library does', () => {
  const out = applyJsonPatch(doc(), [{ op: 'replace', path: '/metadata/labels/new', value: 'v' }]) as any;
  assert.equal(out.metadata.labels.new, 'v');
});

test('a body that is not a JSON array is 400 BadRequest', () => {
  expectStatus(
    () => applyJsonPatch(doc(), { op: 'add', path: '/a', value: 1 }),
    400,
    'BadRequest',
    'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  );
  expectStatus(() => applyJsonPatch(doc(), 'x'), 400, 'BadRequest', /cannot unmarshal string/);
  expectStatus(() => applyJsonPatch(doc(), null), 400, 'BadRequest', /cannot unmarshal null/);
  expectStatus(
    () => applyJsonPatch(doc(), ['x']),
    400,
    'BadRequest',
    /cannot unmarshal string into Go value of type jsonpatch.Operation/,
  );
});

test('more than 10000 operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/n', value: 1 }));
  expectStatus(
    () => applyJsonPatch(doc(), ops),
    413,
    'RequestEntityTooLarge',
    /maximum operations in a JSON patch is 10000, got 10001/,
  );
});
