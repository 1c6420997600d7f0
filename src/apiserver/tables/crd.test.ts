import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { crdTableConvertor, defaultTableConvertor, nameAgeTableConvertor } from './index.js';
import { findResults, parseJSONPath } from './jsonpath.js';
import { goFloat, jsonPathText } from './gotext.js';

const now = new Date('2024-06-01T12:00:00Z');

const gadget: KubeObject = {
  apiVersion: 'acme.io/v1',
  kind: 'Gadget',
  metadata: {
    name: 'g1',
    namespace: 'default',
    creationTimestamp: '2024-06-01T11:55:00Z',
    labels: { 'app.kubernetes.io/name': 'gadget' },
  },
  spec: {
    replicas: 3,
    ratio: 0.75,
    enabled: true,
    color: 'red',
    tags: ['b', 'a'],
    config: { z: 1, a: '<x>' },
    nothing: null,
    big: 2.5e-7,
  },
  status: {
    conditions: [
      { type: 'Progressing', status: 'True', lastTransitionTime: '2024-06-01T11:56:00Z' },
      { type: 'Ready', status: 'False', reason: 'Waiting', lastTransitionTime: '2024-06-01T11:59:30Z' },
    ],
    items: [{ n: 1 }, { n: 2 }, { n: 3 }],
  },
};

const run = (path: string): unknown[] => findResults(parseJSONPath(path), gadget);

test('JSONPath: fields, escapes, brackets, indexes, slices, wildcards, recursion', () => {
  assert.deepEqual(run('.spec.replicas'), [3]);
  assert.deepEqual(run('.spec.missing'), []);
  assert.deepEqual(run('.spec.replicas.deeper'), [], 'fields of scalars are skipped, not errors');
  assert.deepEqual(run('.metadata.labels.app\\.kubernetes\\.io/name'), ['gadget']);
  assert.deepEqual(run(".metadata.labels['app.kubernetes.io/name']"), ['gadget']);
  assert.deepEqual(run('.spec.tags[0]'), ['b']);
  assert.deepEqual(run('.spec.tags[-1]'), ['a']);
  assert.deepEqual(run('.spec.tags[5]'), []);
  assert.deepEqual(run('.status.items[*].n'), [1, 2, 3]);
  assert.deepEqual(run('.status.items[1:].n'), [2, 3]);
  assert.deepEqual(run('.status.items[0:3:2].n'), [1, 3]);
  assert.deepEqual(run('.spec.config.*'), ['<x>', 1]);
  assert.deepEqual(run('..n'), [1, 2, 3]);
  assert.deepEqual(run('$.spec.color'), ['red']);
  assert.deepEqual(run('.spec.nothing'), [null]);
  assert.throws(() => run('.spec.color[0]'));
  assert.throws(() => parseJSONPath('.spec[abc]'));
});

test('JSONPath: filters', () => {
  assert.deepEqual(run('.status.conditions[?(@.type=="Ready")].status'), ['False']);
  assert.deepEqual(run(".status.conditions[?(@.type == 'Progressing')].status"), ['True']);
  assert.deepEqual(run('.status.conditions[?(@.type!="Ready")].type'), ['Progressing']);
  assert.deepEqual(run('.status.conditions[?(@.reason)].type'), ['Ready']);
  assert.deepEqual(run('.status.items[?(@.n>1)].n'), [2, 3]);
  assert.deepEqual(run('.status.items[?(@.n<=2)].n'), [1, 2]);
  assert.deepEqual(run('.status.conditions[?(@.type=="Missing")].status'), []);
});

test('Go text rendering for string columns', () => {
  assert.equal(jsonPathText('x'), 'x');
  assert.equal(jsonPathText(3), '3');
  assert.equal(jsonPathText(true), 'true');
  assert.equal(jsonPathText(0.75), '0.75');
  assert.equal(jsonPathText(null), '<no value>');
  assert.equal(jsonPathText(['b', 'a']), '["b","a"]');
  assert.equal(jsonPathText({ z: 1, a: '<x>&' }), '{"a":"\\u003cx\\u003e\\u0026","z":1}');
  assert.equal(goFloat(2.5e-7), '2.5e-07');
  assert.equal(goFloat(1234567.5), '1.2345675e+06');
  assert.equal(goFloat(123456.5), '123456.5');
  assert.equal(goFloat(0.0001), '0.0001');
  assert.equal(goFloat(-0.00001), '-1e-05');
});

test('CRD columns: Name first, descriptions defaulted, typed cells', () => {
  const t = crdTableConvertor([
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio', description: 'how much' },
    { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled', priority: 1 },
    { name: 'Color', type: 'string', jsonPath: '.spec.color' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Tags', type: 'string', jsonPath: '.spec.tags' },
    { name: 'Config', type: 'string', jsonPath: '.spec.config' },
    { name: 'Changed', type: 'date', jsonPath: '.status.conditions[?(@.type=="Ready")].lastTransitionTime' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Missing', type: 'string', jsonPath: '.status.nope' },
    { name: 'Null', type: 'string', jsonPath: '.spec.nothing' },
    { name: 'Small', type: 'string', jsonPath: '.spec.big' },
  ]);
  assert.deepEqual(t.columns[0], {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: t.columns[0].description,
    priority: 0,
  });
  assert.match(t.columns[0].description, /^Name must be unique within a namespace/);
  assert.deepEqual(t.columns[1], {
    name: 'Replicas',
    type: 'integer',
    format: '',
    description: 'Custom resource definition column (in JSONPath format): .spec.replicas',
    priority: 0,
  });
  assert.equal(t.columns[2].description, 'how much');
  assert.equal(t.columns[3].priority, 1);
  assert.deepEqual(t.row(gadget, now), [
    'g1',
    3,
    0.75,
    true,
    'red',
    'False',
    '["b","a"]',
    '{"a":"\\u003cx\\u003e","z":1}',
    '30s',
    '5m',
    null,
    '<no value>',
    '2.5e-07',
  ]);
});

test('CRD cells of the wrong type become null; dates handle empty and invalid values', () => {
  const t = crdTableConvertor([
    { name: 'I', type: 'integer', jsonPath: '.a' },
    { name: 'N', type: 'number', jsonPath: '.a' },
    { name: 'B', type: 'boolean', jsonPath: '.a' },
    { name: 'D', type: 'date', jsonPath: '.a' },
  ]);
  const row = (a: unknown): unknown[] =>
    t.row({ apiVersion: 'v', kind: 'K', metadata: { name: 'n' }, a } as KubeObject, now).slice(1);
  assert.deepEqual(row('text'), [null, null, null, '<invalid>']);
  assert.deepEqual(row(7.9), [7, 7.9, null, null]);
  assert.deepEqual(row(false), [null, null, false, null]);
  assert.deepEqual(row(''), [null, null, null, '<unknown>']);
  assert.deepEqual(row('2024-06-01T11:00:00+02:00'), [null, null, null, '3h']);
  assert.deepEqual(row(undefined), [null, null, null, null]);
});

test('a version without printer columns gets NAME and AGE (date)', () => {
  const t = crdTableConvertor([]);
  assert.deepEqual(
    t.columns.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Age', 'date', '', 0],
    ],
  );
  assert.match(t.columns[1].description, /^CreationTimestamp is a timestamp/);
  assert.deepEqual(t.row(gadget, now), ['g1', '5m']);
  assert.deepEqual(t.row({ apiVersion: 'v', kind: 'K', metadata: { name: 'x' } }, now), ['x', null]);
});

test('an unparsable column path yields null cells instead of failing the table', () => {
  const t = crdTableConvertor([{ name: 'Bad', type: 'string', jsonPath: '.spec[oops' }]);
  assert.deepEqual(t.row(gadget, now), ['g1', null]);
});

test('default convertors', () => {
  assert.deepEqual(
    defaultTableConvertor.columns.map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Created At', 'date'],
    ],
  );
  assert.deepEqual(defaultTableConvertor.row(gadget, now), ['g1', '2024-06-01T11:55:00Z']);
  assert.deepEqual(
    defaultTableConvertor.row(
      {
        apiVersion: 'v',
        kind: 'K',
        metadata: { name: 'x', creationTimestamp: '2024-06-01T13:55:00.5+02:00' },
      },
      now,
    ),
    ['x', '2024-06-01T11:55:00Z'],
  );
  assert.deepEqual(defaultTableConvertor.row({ apiVersion: 'v', kind: 'K', metadata: { name: 'x' } }, now), [
    'x',
    '0001-01-01T00:00:00Z',
  ]);
  assert.deepEqual(
    nameAgeTableConvertor.columns.map((c) => c.name),
    ['Name', 'Age'],
  );
  assert.deepEqual(nameAgeTableConvertor.row(gadget, now), ['g1', '5m']);
});
