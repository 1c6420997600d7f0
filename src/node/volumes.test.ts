import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PodFacts } from './env.js';
import {
  projectVolume,
  volumeReferences,
  writeAtomic,
  type ProjectedFile,
  type TokenSource,
  type VolumeInputs,
} from './volumes.js';

const pod: PodFacts = {
  name: 'web-1',
  namespace: 'shop',
  uid: 'u-1',
  podIP: '10.244.1.9',
  nodeName: 'n',
  serviceAccountName: 'web',
  hostIP: '169.254.9.2',
  labels: { app: 'web' },
  annotations: {},
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const tokens: TokenSource[] = [];
const inputs: VolumeInputs = {
  configMap: (n) =>
    n === 'cfg'
      ? { data: { 'app.conf': 'port=80\n', extra: 'e' }, binaryData: { blob: b64('\x00\x01') } }
      : n === 'kube-root-ca.crt'
        ? { data: { 'ca.crt': 'PEM' } }
        : undefined,
  secret: (n) => (n === 'creds' ? { data: { password: b64('s3cret') } } : undefined),
  token: (t) => {
    tokens.push(t);
    return 'jwt-for-' + (t.audience ?? 'api');
  },
  pod,
  podSpec: { containers: [{ name: 'c', resources: { limits: { memory: '1Gi' } } }] },
};

const files = (vol: any) => {
  const p = projectVolume(vol, inputs);
  assert.ok(p && 'files' in p, JSON.stringify(p));
  return Object.fromEntries(p.files.map((f) => [f.path, [f.data.toString(), f.mode.toString(8)]]));
};

test('configMap: every key, or items to paths with modes; defaultMode', () => {
  assert.deepEqual(files({ name: 'v', configMap: { name: 'cfg' } }), {
    'app.conf': ['port=80\n', '644'],
    extra: ['e', '644'],
    blob: ['\x00\x01', '644'],
  });
  assert.deepEqual(
    files({
      name: 'v',
      configMap: {
        name: 'cfg',
        defaultMode: 0o600,
        items: [
          { key: 'app.conf', path: 'etc/app.conf', mode: 0o400 },
          { key: 'extra', path: 'x' },
        ],
      },
    }),
    { 'etc/app.conf': ['port=80\n', '400'], x: ['e', '600'] },
  );
});

test('missing objects and keys fail unless optional', () => {
  assert.deepEqual(projectVolume({ name: 'v', configMap: { name: 'gone' } }, inputs), {
    error: 'configmap "gone" not found',
  });
  assert.deepEqual(projectVolume({ name: 'v', secret: { secretName: 'gone' } }, inputs), {
    error: 'secret "gone" not found',
  });
  assert.deepEqual(projectVolume({ name: 'v', configMap: { name: 'gone', optional: true } }, inputs), {
    files: [],
  });
  assert.deepEqual(
    projectVolume({ name: 'v', configMap: { name: 'cfg', items: [{ key: 'k', path: 'k' }] } }, inputs),
    {
      error: 'configmap references non-existent config key: k',
    },
  );
  assert.match(
    JSON.stringify(
      projectVolume(
        { name: 'v', configMap: { name: 'cfg', items: [{ key: 'extra', path: '../x' }] } },
        inputs,
      ),
    ),
    /must not contain '\.\.'/,
  );
  assert.equal(projectVolume({ name: 'v', emptyDir: {} }, inputs), undefined);
});

test('secret data is base64-decoded', () => {
  assert.deepEqual(files({ name: 'v', secret: { secretName: 'creds', defaultMode: 0o440 } }), {
    password: ['s3cret', '440'],
  });
});

test('downwardAPI: metadata fields and resources', () => {
  assert.deepEqual(
    files({
      name: 'v',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } },
          {
            path: 'mem',
            resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' },
          },
        ],
      },
    }),
    { labels: ['app="web"', '644'], name: ['web-1', '644'], app: ['web', '644'], mem: ['1024', '644'] },
  );
});

test('the kube-api-access projected volume: token, ca.crt and namespace', () => {
  const vol = {
    name: 'kube-api-access-x7k2p',
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
        { serviceAccountToken: { audience: 'istio-ca', path: 'istio-token' } },
        { secret: { name: 'creds', items: [{ key: 'password', path: 'pw' }] } },
      ],
    },
  };
  tokens.length = 0;
  assert.deepEqual(files(vol), {
    token: ['jwt-for-api', '644'],
    'ca.crt': ['PEM', '644'],
    namespace: ['shop', '644'],
    'istio-token': ['jwt-for-istio-ca', '644'],
    pw: ['s3cret', '644'],
  });
  assert.deepEqual(tokens, [
    { audience: undefined, expirationSeconds: 3607 },
    { audience: 'istio-ca', expirationSeconds: 3600 },
  ]);
  const refs = volumeReferences([vol, { name: 'c', configMap: { name: 'cfg' } }]);
  assert.deepEqual([...refs.configMaps], ['kube-root-ca.crt', 'cfg']);
  assert.deepEqual([...refs.secrets], ['creds']);
  assert.equal(refs.tokens.length, 2);
});

const dir = mkdtempSync(join(tmpdir(), 'mizzen-volumes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const f = (path: string, data: string, mode = 0o644): ProjectedFile => ({
  path,
  data: Buffer.from(data),
  mode,
});

test('writeAtomic: ..data points at a timestamped dir; entries link through it; updates swap it', () => {
  const v = join(dir, 'cfg');
  writeAtomic(v, [f('a', 'one'), f('sub/b', 'two', 0o600)]);
  const first = readlinkSync(join(v, '..data'));
  assert.match(first, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
  assert.equal(readlinkSync(join(v, 'a')), '..data/a');
  assert.equal(readlinkSync(join(v, 'sub')), '..data/sub');
  assert.equal(readFileSync(join(v, 'a'), 'utf8'), 'one');
  assert.equal(readFileSync(join(v, 'sub/b'), 'utf8'), 'two');
  assert.equal(statSync(join(v, 'sub/b')).mode & 0o777, 0o600);

  writeAtomic(v, [f('a', 'uno'), f('c', 'three')]);
  const second = readlinkSync(join(v, '..data'));
  assert.notEqual(second, first);
  assert.equal(readFileSync(join(v, 'a'), 'utf8'), 'uno');
  assert.equal(readFileSync(join(v, 'c'), 'utf8'), 'three');
  assert.deepEqual(readdirSync(v).sort(), ['..data', second, 'a', 'c'].sort());
  assert.ok(lstatSync(join(v, 'a')).isSymbolicLink());
});
