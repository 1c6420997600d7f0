import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequest } from './request-info.js';

const p = (method: string, path: string, query = '') =>
  parseRequest(method, path, new URLSearchParams(query));

test('resource paths follow the apiserver request-info rules', () => {
  assert.deepEqual(pick(p('GET', '/api/v1/namespaces/ns/pods')), {
    group: '',
    version: 'v1',
    namespace: 'ns',
    resource: 'pods',
    name: undefined,
    subresource: undefined,
    verb: 'list',
  });
  assert.deepEqual(pick(p('GET', '/apis/apps/v1/namespaces/ns/deployments/d/scale')), {
    group: 'apps',
    version: 'v1',
    namespace: 'ns',
    resource: 'deployments',
    name: 'd',
    subresource: 'scale',
    verb: 'get',
  });
  assert.deepEqual(pick(p('GET', '/api/v1/pods', 'watch=true')), {
    group: '',
    version: 'v1',
    namespace: undefined,
    resource: 'pods',
    name: undefined,
    subresource: undefined,
    verb: 'watch',
  });
  assert.equal(p('GET', '/api/v1/watch/namespaces/ns/pods/x').verb, 'watch');
  assert.equal(p('DELETE', '/api/v1/namespaces/ns/pods').verb, 'deletecollection');
  assert.equal(p('DELETE', '/api/v1/namespaces/ns/pods/x').verb, 'delete');
});

test('namespaces address themselves, with status and finalize subresources', () => {
  assert.deepEqual(pick(p('GET', '/api/v1/namespaces/ns')), {
    group: '',
    version: 'v1',
    namespace: undefined,
    resource: 'namespaces',
    name: 'ns',
    subresource: undefined,
    verb: 'get',
  });
  assert.deepEqual(pick(p('PUT', '/api/v1/namespaces/ns/finalize')), {
    group: '',
    version: 'v1',
    namespace: undefined,
    resource: 'namespaces',
    name: 'ns',
    subresource: 'finalize',
    verb: 'update',
  });
  assert.equal(p('GET', '/api/v1/namespaces').verb, 'list');
});

test('non-resource paths are not resources', () => {
  assert.equal(p('GET', '/version').isResource, false);
  assert.equal(p('GET', '/apis/apps/v1').isResource, false);
  assert.equal(p('GET', '/api').isResource, false);
});

function pick(i: ReturnType<typeof p>) {
  return {
    group: i.group,
    version: i.version,
    namespace: i.namespace,
    resource: i.resource,
    name: i.name,
    subresource: i.subresource,
    verb: i.verb,
  };
}
