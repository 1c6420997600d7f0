import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderKubeconfig } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('client-cert kubeconfig: base64 data fields, context named after the cluster, current-context set', () => {
  const doc = parse(
    renderKubeconfig({
      clusterName: 'mizzen',
      server: 'https://127.0.0.1:6443',
      caPem: 'CA PEM\n',
      user: { certPem: 'CERT PEM\n', keyPem: 'KEY PEM\n' },
      namespace: 'apps',
    }),
  );
  assert.deepEqual(doc, {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'mizzen',
        cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA PEM\n') },
      },
    ],
    contexts: [{ name: 'mizzen', context: { cluster: 'mizzen', user: 'mizzen', namespace: 'apps' } }],
    'current-context': 'mizzen',
    preferences: {},
    users: [
      {
        name: 'mizzen',
        user: { 'client-certificate-data': b64('CERT PEM\n'), 'client-key-data': b64('KEY PEM\n') },
      },
    ],
  });
});

test('token kubeconfig has no namespace unless asked and a custom user name', () => {
  const doc = parse(
    renderKubeconfig({
      clusterName: 'c1',
      server: 'https://h:1',
      caPem: 'x',
      user: { token: 'abc.def.ghi' },
      userName: 'robot',
    }),
  );
  assert.deepEqual(doc.users, [{ name: 'robot', user: { token: 'abc.def.ghi' } }]);
  assert.deepEqual(doc.contexts[0].context, { cluster: 'c1', user: 'robot' });
});
