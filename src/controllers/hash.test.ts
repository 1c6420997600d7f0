import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, fnv32a, templateHash } from './hash.js';

test('fnv32a matches the reference vectors', () => {
  assert.equal(fnv32a(''), 0x811c9dc5);
  assert.equal(fnv32a('a'), 0xe40c292c);
  assert.equal(fnv32a('foobar'), 0xbf9cf968);
});

test('template hash: ten safe characters, stable across key order, sensitive to content and collisions', () => {
  const a = {
    metadata: { labels: { app: 'x', tier: 'y' } },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  };
  const b = {
    spec: { containers: [{ image: 'i', name: 'c' }] },
    metadata: { labels: { tier: 'y', app: 'x' } },
  };
  assert.match(templateHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  assert.equal(templateHash(a), templateHash(b));
  assert.notEqual(templateHash(a), templateHash({ ...a, spec: { containers: [{ name: 'c', image: 'j' }] } }));
  assert.notEqual(templateHash(a), templateHash(a, 1));
  assert.equal(canonicalJson({ b: 1, a: null, c: [2, { z: 1, y: undefined }] }), '{"b":1,"c":[2,{"z":1}]}');
});
