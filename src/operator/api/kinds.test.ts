import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';
import {
  applyDefaults,
  ISTIO,
  ISTIO_CONFIG_KINDS,
  ISTIO_REVISION,
  validate,
  ZTUNNEL,
  type Istio,
  type IstioRevision,
} from './index.js';

const samples = new URL('../../../../../shared/upstream/sail-operator/chart/samples/', import.meta.url);

test('kind constants', () => {
  assert.deepEqual(ISTIO, {
    group: 'sailoperator.io',
    version: 'v1',
    apiVersion: 'sailoperator.io/v1',
    kind: 'Istio',
    plural: 'istios',
    namespaced: false,
  });
  assert.equal(ISTIO_REVISION.plural, 'istiorevisions');
  assert.equal(ZTUNNEL.version, 'v1');
  assert.equal(ISTIO_CONFIG_KINDS.VirtualService.apiVersion, 'networking.istio.io/v1');
  assert.equal(ISTIO_CONFIG_KINDS.Telemetry.version, 'v1alpha1');
  assert.equal(ISTIO_CONFIG_KINDS.PeerAuthentication.namespaced, true);
});

test('Istio defaults: whole spec when absent, fields when missing', () => {
  const bare = applyDefaults('Istio', {
    apiVersion: 'sailoperator.io/v1',
    kind: 'Istio',
    metadata: { name: 'x' },
  });
  assert.deepEqual((bare as any).spec, {
    version: 'v1.31.0-beta.1',
    namespace: 'istio-system',
    updateStrategy: { type: 'InPlace' },
  });
  const partial = applyDefaults('Istio', {
    metadata: { name: 'x' },
    spec: { version: 'v1.30.3', updateStrategy: { inactiveRevisionDeletionGracePeriodSeconds: 10 } },
  } as Istio);
  assert.deepEqual(partial.spec, {
    version: 'v1.30.3',
    namespace: 'istio-system',
    updateStrategy: { type: 'InPlace', inactiveRevisionDeletionGracePeriodSeconds: 10 },
  });
});

test('defaults of the other kinds', () => {
  const spec = (kind: string, obj: object) =>
    (applyDefaults(kind, { metadata: { name: 'default' }, ...obj }) as any).spec;
  assert.deepEqual(spec('IstioCNI', {}), { version: 'v1.31.0-beta.1', namespace: 'istio-cni' });
  assert.deepEqual(spec('ZTunnel', {}), { version: 'v1.31.0-beta.1', namespace: 'ztunnel' });
  assert.deepEqual(spec('ZTunnel', { apiVersion: 'sailoperator.io/v1alpha1' }), {
    version: 'v1.31.0-beta.1',
    namespace: 'ztunnel',
    profile: 'ambient',
  });
  assert.equal(spec('IstioRevision', {}), undefined);
  assert.throws(() => applyDefaults('Nope', {}), /unknown kind Nope/);
});

test('the upstream samples are valid after defaulting', () => {
  for (const f of [
    'istio-sample.yaml',
    'istio-sample-revisionbased.yaml',
    'istiocni-sample.yaml',
    'ztunnel-sample.yaml',
  ]) {
    for (const doc of parseAllDocuments(readFileSync(new URL(f, samples), 'utf8'))) {
      const obj = doc.toJS();
      assert.deepEqual(validate(obj.kind, applyDefaults(obj.kind, obj)), [], f);
    }
  }
});

test('validate names the offending field', () => {
  const istio: Istio = {
    metadata: { name: 'default' },
    spec: { version: 'v1.30.3', namespace: 'istio-system', values: { global: { istioNamespace: 'other' } } },
  };
  assert.deepEqual(validate('Istio', istio), [
    'spec.values.global.istioNamespace: Invalid value: "other": spec.values.global.istioNamespace must match spec.namespace',
  ]);
  const moved = { metadata: { name: 'default' }, spec: { version: 'v1.30.3', namespace: 'b' } };
  assert.deepEqual(validate('Istio', moved, { ...moved, spec: { ...moved.spec, namespace: 'a' } }), [
    'spec.namespace: Invalid value: "b": Value is immutable',
  ]);

  const rev = (name: string, revision?: string): IstioRevision => ({
    metadata: { name },
    spec: {
      version: 'v1.30.3',
      namespace: 'istio-system',
      values: { revision, global: { istioNamespace: 'istio-system' } },
    },
  });
  assert.deepEqual(validate('IstioRevision', rev('default')), []);
  assert.deepEqual(validate('IstioRevision', rev('default-v1-30-3', 'default-v1-30-3')), []);
  assert.match(
    validate('IstioRevision', rev('default', 'x'))[0],
    /^spec\.values\.revision: .*empty when the name is 'default'/,
  );
  assert.match(validate('IstioRevision', rev('canary'))[0], /^spec\.values\.revision: Invalid value: ""/);
  const noNs = rev('default');
  delete noNs.spec.values!.global;
  assert.match(validate('IstioRevision', noNs)[0], /^spec\.values\.global\.istioNamespace: /);

  assert.deepEqual(validate('IstioCNI', { metadata: { name: 'cni' }, spec: {} }), [
    `metadata.name: Invalid value: "cni": metadata.name must be 'default'`,
  ]);
  assert.deepEqual(validate('ZTunnel', { metadata: { name: 'default' }, spec: {} }), []);
  assert.deepEqual(validate('IstioRevisionTag', { metadata: { name: 't' }, spec: {} }), [
    'spec.targetRef: Required value',
  ]);
});
