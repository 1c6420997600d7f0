import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { builtinTableConvertor, parseIncludeObject, toTable } from './index.js';

const now = new Date('2024-06-01T12:00:00Z');

const cm = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: 'default',
    resourceVersion: '12',
    creationTimestamp: '2024-06-01T11:00:00Z',
    labels: { a: 'b' },
  },
  data: { k: 'v' },
});

test('a list becomes a meta.k8s.io/v1 Table with PartialObjectMetadata rows', () => {
  const t = toTable(builtinTableConvertor('', 'configmaps')!, [cm('one'), cm('two')], now, {
    includeObject: 'Metadata',
    resourceVersion: '42',
    continue: 'tok',
    remainingItemCount: 3,
  });
  assert.deepEqual(JSON.parse(JSON.stringify(t)), {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 },
    columnDefinitions: JSON.parse(JSON.stringify(builtinTableConvertor('', 'configmaps')!.columns)),
    rows: [
      {
        cells: ['one', 1, '60m'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm('one').metadata },
      },
      {
        cells: ['two', 1, '60m'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm('two').metadata },
      },
    ],
  });
  assert.deepEqual(Object.keys(t), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
});

test('includeObject None and Object, empty metadata, no headers', () => {
  const conv = builtinTableConvertor('', 'configmaps')!;
  const none = toTable(conv, [cm('a')], now, { includeObject: 'None' });
  assert.equal(none.rows[0].object, null);
  assert.deepEqual(none.metadata, {});
  const full = toTable(conv, [cm('a')], now, { includeObject: 'Object', resourceVersion: '7' });
  assert.deepEqual(full.rows[0].object, cm('a'));
  assert.deepEqual(full.metadata, { resourceVersion: '7' });
  const noHeaders = toTable(conv, [], now, { includeObject: 'Metadata', noHeaders: true });
  assert.equal(noHeaders.columnDefinitions, null);
  assert.deepEqual(noHeaders.rows, []);
  assert.deepEqual(toTable(conv, [], now, { includeObject: 'Metadata', remainingItemCount: 0 }).metadata, {
    remainingItemCount: 0,
  });
});

test('finished pods carry the Completed row condition', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'job-x', creationTimestamp: '2024-06-01T11:00:00Z' },
    spec: { containers: [{ name: 'c' }] },
    status: {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    },
  };
  const t = toTable(builtinTableConvertor('', 'pods')!, [pod], now, { includeObject: 'Metadata' });
  assert.deepEqual(t.rows[0].conditions, [
    {
      type: 'Completed',
      status: 'True',
      reason: 'Succeeded',
      message: 'The pod has completed successfully.',
    },
  ]);
  assert.deepEqual(Object.keys(t.rows[0]), ['cells', 'conditions', 'object']);
  assert.deepEqual(
    Object.keys(
      toTable(builtinTableConvertor('', 'pods')!, [{ ...pod, status: {} }], now, {
        includeObject: 'Metadata',
      }).rows[0],
    ),
    ['cells', 'object'],
  );
});

test('parseIncludeObject defaults to Metadata and rejects unknown values', () => {
  assert.equal(parseIncludeObject(undefined), 'Metadata');
  assert.equal(parseIncludeObject(''), 'Metadata');
  assert.equal(parseIncludeObject('None'), 'None');
  assert.equal(parseIncludeObject('Object'), 'Object');
  assert.equal(parseIncludeObject('object'), undefined);
});
