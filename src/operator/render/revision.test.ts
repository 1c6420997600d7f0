import { test } from 'node:test';
import assert from 'node:assert/strict';
import { istioToRevision, revisionDependencies, revisionNameFor, validateRevision } from './revision.js';
import { profileValues, resolveProfiles } from './profiles.js';
import { RenderValidationError, type IstioLike } from './types.js';

const istio = (name: string, spec: IstioLike['spec'] = {}): IstioLike => ({ metadata: { name }, spec });

test('InPlace (and unset) strategy names the revision after the Istio', () => {
  assert.equal(revisionNameFor(istio('default', { version: 'v1.24.3' })), 'default');
  assert.equal(revisionNameFor(istio('my-mesh', { updateStrategy: { type: 'InPlace' } })), 'my-mesh');
});

test('RevisionBased appends the literal spec.version with dots as dashes', () => {
  const rb = { type: 'RevisionBased' as const };
  assert.equal(
    revisionNameFor(istio('default', { version: 'v1.24.3', updateStrategy: rb })),
    'default-v1-24-3',
  );
  assert.equal(
    revisionNameFor(istio('my-mesh', { version: 'v1.23.0', updateStrategy: rb })),
    'my-mesh-v1-23-0',
  );
  assert.equal(
    revisionNameFor(istio('default', { version: 'v1.24-latest', updateStrategy: rb })),
    'default-v1-24-latest',
  );
  assert.equal(
    revisionNameFor(istio('default', { version: 'v1.31.0-beta.1', updateStrategy: rb })),
    'default-v1-31-0-beta-1',
  );
});

test('the revision carries the resolved version, namespace, owner and forced values', () => {
  const rev = istioToRevision({
    metadata: { name: 'default', uid: 'u-1' },
    spec: {
      version: 'v1.24-latest',
      values: { defaultRevision: 'x', revision: 'bogus', global: { istioNamespace: 'x' } },
    },
  });
  assert.equal(rev.metadata.name, 'default');
  assert.equal(rev.spec.version, 'v1.24.6');
  assert.equal(rev.spec.namespace, 'istio-system');
  assert.equal(rev.spec.values.revision, '');
  assert.equal((rev.spec.values.global as any).istioNamespace, 'istio-system');
  assert.equal((rev.spec.values.global as any).configValidation, true);
  assert.ok(!('defaultRevision' in rev.spec.values));
  assert.deepEqual(rev.metadata.ownerReferences, [
    {
      apiVersion: 'sailoperator.io/v1',
      kind: 'Istio',
      name: 'default',
      uid: 'u-1',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.doesNotThrow(() => validateRevision(rev));
});

test('a non-default revision sets values.revision to its name', () => {
  const rev = istioToRevision(istio('mesh-1', { namespace: 'istio-system-1' }));
  assert.equal(rev.spec.values.revision, 'mesh-1');
  assert.equal((rev.spec.values.global as any).istioNamespace, 'istio-system-1');
});

test('user values override profile values; the profile is recorded in values.profile', () => {
  const rev = istioToRevision(
    istio('default', { profile: 'demo', values: { profile: 'demo', pilot: { replicaCount: 3 } } }),
  );
  assert.equal(rev.spec.values.profile, 'demo');
  assert.equal((rev.spec.values.pilot as any).replicaCount, 3);
});

test('profiles: default always first; a chosen profile replaces the platform one', () => {
  assert.deepEqual(resolveProfiles(undefined), ['default']);
  assert.deepEqual(resolveProfiles('default', 'openshift'), ['default', 'openshift']);
  assert.deepEqual(resolveProfiles(undefined, 'openshift'), ['default', 'openshift']);
  assert.deepEqual(resolveProfiles('ambient', 'openshift'), ['default', 'ambient']);
  assert.equal(profileValues('openshift-ambient').profile, 'ambient');
  assert.throws(() => profileValues('external'), RenderValidationError);
});

test('on OpenShift global.platform is set unless the user chose one', () => {
  const a = istioToRevision(istio('default', { profile: 'ambient' }), { platform: 'openshift' });
  assert.equal((a.spec.values.global as any).platform, 'openshift');
  const b = istioToRevision(istio('default', { values: { global: { platform: 'k3d' } } }), {
    platform: 'openshift',
  });
  assert.equal((b.spec.values.global as any).platform, 'k3d');
  const c = istioToRevision(istio('default'));
  assert.equal((c.spec.values.global as any).platform, undefined);
});

test('unknown and end-of-life versions are validation errors', () => {
  assert.throws(() => istioToRevision(istio('default', { version: 'v2.0.0' })), RenderValidationError);
  assert.throws(() => istioToRevision(istio('default', { version: 'v1.22.8' })), /end-of-life/);
});

test('validateRevision enforces the revision/name and namespace rules', () => {
  const ok = istioToRevision(istio('my-mesh'));
  assert.throws(
    () => validateRevision({ ...ok, spec: { ...ok.spec, values: { ...ok.spec.values, revision: 'x' } } }),
    /must match/,
  );
  assert.throws(() => validateRevision({ ...ok, metadata: { name: 'default' } }), /must be ""/);
  assert.throws(
    () => validateRevision({ ...ok, spec: { ...ok.spec, namespace: 'other' } }),
    /istioNamespace/,
  );
});

test('dependencies: CNI when pilot.cni.enabled (or OpenShift unless disabled), ZTunnel for ambient', () => {
  assert.deepEqual(revisionDependencies({}), { cni: false, ztunnel: false });
  assert.deepEqual(revisionDependencies({ pilot: { cni: { enabled: true } } }), {
    cni: true,
    ztunnel: false,
  });
  assert.deepEqual(revisionDependencies({ global: { platform: 'openshift' } }), {
    cni: true,
    ztunnel: false,
  });
  assert.deepEqual(
    revisionDependencies({ global: { platform: 'openshift' }, pilot: { cni: { enabled: false } } }),
    {
      cni: false,
      ztunnel: false,
    },
  );
  assert.deepEqual(revisionDependencies({ profile: 'ambient' }), { cni: false, ztunnel: true });
  assert.deepEqual(revisionDependencies({ pilot: { env: { PILOT_ENABLE_AMBIENT: 'true' } } }), {
    cni: false,
    ztunnel: true,
  });
});
