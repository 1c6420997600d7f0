import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import type { KubeObject } from '../types.js';
import {
  crdFieldsFor,
  escapeFieldValue,
  fieldSelectorMatcher,
  fieldSelectorToString,
  fieldsFor,
  parseFieldSelector,
  requiredFieldValue,
  type FieldSetFn,
} from './index.js';

function rejects(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, 'expected a StatusError');
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.equal(e.message, message);
    return;
  }
  assert.fail('expected a 400');
}

const match = (sel: string, fields: FieldSetFn, obj: KubeObject): boolean =>
  fieldSelectorMatcher(parseFieldSelector(sel), fields)(obj);

test('parses =, == and != terms, sorted like upstream', () => {
  assert.deepEqual(parseFieldSelector('b!=2,a==1').requirements, [
    { field: 'a', operator: '=', value: '1' },
    { field: 'b', operator: '!=', value: '2' },
  ]);
  assert.equal(
    fieldSelectorToString(parseFieldSelector('metadata.name==x,status.phase!=Running')),
    'metadata.name=x,status.phase!=Running',
  );
  assert.deepEqual(parseFieldSelector('').requirements, []);
  assert.deepEqual(parseFieldSelector('a=').requirements, [{ field: 'a', operator: '=', value: '' }]);
  assert.equal(requiredFieldValue(parseFieldSelector('metadata.name=p3'), 'metadata.name'), 'p3');
  assert.equal(requiredFieldValue(parseFieldSelector('metadata.name!=p3'), 'metadata.name'), undefined);
});

test('escaping of backslash, comma and equals round-trips', () => {
  const sel = parseFieldSelector('a=x\\,y\\=z\\\\w,b=c');
  assert.deepEqual(sel.requirements[0], { field: 'a', operator: '=', value: 'x,y=z\\w' });
  assert.equal(fieldSelectorToString(sel), 'a=x\\,y\\=z\\\\w,b=c');
  assert.equal(escapeFieldValue('a,b=c\\'), 'a\\,b\\=c\\\\');
});

test('malformed selectors are 400 with upstream messages', () => {
  rejects(() => parseFieldSelector('abc'), "invalid selector: 'abc'; can't understand 'abc'");
  rejects(() => parseFieldSelector('a=b,xyz'), "invalid selector: 'a=b,xyz'; can't understand 'xyz'");
  rejects(() => parseFieldSelector('a=b=c'), 'invalid field selector: unescaped character in value: 61');
  rejects(() => parseFieldSelector('a=x\\y'), 'invalid field selector: invalid escape sequence: \\y');
  rejects(() => parseFieldSelector('a=x\\'), 'invalid field selector: invalid escape sequence: \\');
});

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: {
    nodeName: 'node1',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    serviceAccountName: 'default',
    hostNetwork: true,
  },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }], nominatedNodeName: '' },
};

test('pod fields', () => {
  const f = fieldsFor('', 'pods');
  assert.deepEqual(f(pod), {
    'metadata.name': 'web-1',
    'metadata.namespace': 'default',
    'spec.nodeName': 'node1',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'default',
    'spec.hostNetwork': 'true',
    'status.phase': 'Running',
    'status.podIP': '10.0.0.7',
    'status.nominatedNodeName': '',
  });
  assert.equal(match('spec.nodeName=node1,status.phase=Running', f, pod), true);
  assert.equal(match('spec.nodeName!=node1', f, pod), false);
  assert.equal(match('spec.host=node1', f, pod), true, 'spec.host is the legacy name of spec.nodeName');
  assert.equal(
    match('spec.nodeName=', f, { ...pod, spec: {} }),
    true,
    'unscheduled pods have an empty nodeName',
  );
  assert.equal(match('spec.hostNetwork=false', f, { ...pod, spec: {} }), true);
  assert.equal(match('metadata.namespace=default,metadata.name=web-1', f, pod), true);
  rejects(
    () => fieldSelectorMatcher(parseFieldSelector('spec.containers=x'), f),
    'field label not supported: spec.containers',
  );
  rejects(
    () => fieldSelectorMatcher(parseFieldSelector('status.podIPs=x'), f),
    'field label not supported: status.podIPs',
  );
});

test('event fields, including the kubectl describe selector', () => {
  const f = fieldsFor('', 'events');
  const ev: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: {
      kind: 'Pod',
      namespace: 'default',
      name: 'web',
      uid: 'u-1',
      apiVersion: 'v1',
      fieldPath: 'spec.containers{c}',
    },
    reason: 'Pulled',
    type: 'Normal',
    reportingComponent: 'kubelet',
    source: {},
  };
  assert.equal(
    match('involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u-1', f, ev),
    true,
  );
  assert.equal(match('involvedObject.uid=other', f, ev), false);
  assert.equal(match('source=kubelet', f, ev), true, 'source falls back to reportingComponent');
  assert.equal(match('reportingComponent=kubelet,type=Normal,reason=Pulled', f, ev), true);
  assert.equal(match('involvedObject.fieldPath=spec.containers{c}', f, ev), true);
  rejects(
    () => fieldSelectorMatcher(parseFieldSelector('message=x'), f),
    'field label not supported: message',
  );
  const newApi = fieldsFor('events.k8s.io', 'events');
  const ev2: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'e', namespace: 'ns' },
    regarding: { name: 'web', kind: 'Pod' },
    reportingController: 'ctl',
  };
  assert.equal(match('involvedObject.name=web,source=ctl', newApi, ev2), true);
});

test('node, namespace, secret, service, replicaset, job and default kinds', () => {
  const node = fieldsFor('', 'nodes');
  assert.equal(
    match('spec.unschedulable=true', node, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n' },
      spec: { unschedulable: true },
    }),
    true,
  );
  assert.equal(
    match('spec.unschedulable=false', node, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }),
    true,
  );
  rejects(
    () => fieldSelectorMatcher(parseFieldSelector('metadata.namespace=x'), node),
    'field label not supported: metadata.namespace',
  );

  const ns = fieldsFor('', 'namespaces');
  assert.equal(
    match('status.phase=Terminating', ns, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
      status: { phase: 'Terminating' },
    }),
    true,
  );

  const secret = fieldsFor('', 'secrets');
  assert.equal(
    match('type=kubernetes.io/tls', secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      type: 'kubernetes.io/tls',
    }),
    true,
  );
  assert.equal(
    match('type!=Opaque', secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      type: 'Opaque',
    }),
    false,
  );

  const rs = fieldsFor('apps', 'replicasets');
  assert.equal(
    match('status.replicas=0', rs, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      status: {},
    }),
    true,
  );
  assert.equal(
    match('status.replicas=3', rs, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      status: { replicas: 3 },
    }),
    true,
  );

  const job = fieldsFor('batch', 'jobs');
  assert.equal(
    match('status.successful=1', job, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      status: { succeeded: 1 },
    }),
    true,
  );
  rejects(
    () => fieldSelectorMatcher(parseFieldSelector('status.failed=1'), job),
    'field label "status.failed" not supported for batchv1.Job',
  );

  const svc = fieldsFor('', 'services');
  assert.equal(
    match('spec.type=NodePort', svc, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { type: 'NodePort' },
    }),
    true,
  );

  const cm = fieldsFor('', 'configmaps');
  assert.equal(
    match('metadata.name=a', cm, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'd' },
    }),
    true,
  );
  rejects(
    () => fieldSelectorMatcher(parseFieldSelector('data.key=x'), cm),
    '"data.key" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  // Unknown resources (and CRs without selectable fields) use the same default.
  rejects(
    () => fieldSelectorMatcher(parseFieldSelector('spec.x=1'), fieldsFor('example.com', 'widgets')),
    '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
});

test('CRD selectable fields', () => {
  const f = crdFieldsFor([
    { jsonPath: '.spec.color' },
    { jsonPath: '.spec.size' },
    { jsonPath: '.spec.enabled' },
  ]);
  const obj: KubeObject = {
    apiVersion: 'acme.io/v1',
    kind: 'Gadget',
    metadata: { name: 'g', namespace: 'ns' },
    spec: { color: 'red', size: 3, enabled: false },
  };
  assert.equal(match('spec.color=red,spec.size=3,spec.enabled=false', f, obj), true);
  assert.equal(match('spec.color=blue', f, obj), false);
  rejects(
    () => fieldSelectorMatcher(parseFieldSelector('spec.shape=x'), f),
    'field label not supported: spec.shape',
  );
});

test('an empty selector matches everything without consulting the field set', () => {
  let called = false;
  const f = Object.assign(() => {
    called = true;
    return {};
  }, {}) as FieldSetFn;
  assert.equal(fieldSelectorMatcher(parseFieldSelector(''), f)(pod), true);
  assert.equal(called, false);
});
