import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountServiceAccountToken, SERVICE_ACCOUNT_MOUNT_PATH } from './service-account.js';

const pod = (spec: object = {}) => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'i' }], ...spec },
});

test('every container gets the projected token volume at the service-account path', () => {
  const p: any = pod();
  mountServiceAccountToken(p, undefined, 'x7k2p');
  assert.equal(p.spec.volumes.length, 1);
  const v = p.spec.volumes[0];
  assert.equal(v.name, 'kube-api-access-x7k2p');
  assert.deepEqual(
    v.projected.sources.map((s: object) => Object.keys(s)[0]),
    ['serviceAccountToken', 'configMap', 'downwardAPI'],
  );
  assert.equal(v.projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
  for (const c of [...p.spec.containers, ...p.spec.initContainers])
    assert.deepEqual(c.volumeMounts, [
      { name: 'kube-api-access-x7k2p', readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH },
    ]);
});

test('opting out on the pod or the ServiceAccount, and existing mounts, are honoured', () => {
  const off: any = pod({ automountServiceAccountToken: false });
  mountServiceAccountToken(off, { automountServiceAccountToken: true });
  assert.equal(off.spec.volumes, undefined);

  const saOff: any = pod();
  mountServiceAccountToken(saOff, { automountServiceAccountToken: false });
  assert.equal(saOff.spec.volumes, undefined);

  const podWins: any = pod({ automountServiceAccountToken: true });
  mountServiceAccountToken(podWins, { automountServiceAccountToken: false }, 'abcde');
  assert.equal(podWins.spec.volumes[0].name, 'kube-api-access-abcde');

  const own: any = pod({
    containers: [{ name: 'a', volumeMounts: [{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] }],
    initContainers: [],
    volumes: [{ name: 'mine', secret: { secretName: 's' } }],
  });
  mountServiceAccountToken(own, undefined);
  assert.deepEqual(
    own.spec.volumes.map((v: any) => v.name),
    ['mine'],
  );
});
