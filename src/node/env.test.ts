import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  expandVars,
  fieldPathValue,
  formatMap,
  resolveEnv,
  resourceFieldValue,
  serviceEnvVars,
  type EnvInputs,
  type PodFacts,
} from './env.js';
import { bytesInDivisor, cpuInDivisor, quantityNanos } from './quantity.js';

const pod: PodFacts = {
  name: 'web-1',
  namespace: 'shop',
  uid: 'u-1',
  podIP: '10.244.1.9',
  nodeName: 'c-worker',
  serviceAccountName: 'web',
  hostIP: '169.254.9.2',
  labels: { app: 'web', tier: 'front' },
  annotations: { note: 'say "hi"\n' },
};

const b64 = (s: string) => Buffer.from(s).toString('base64');
const inputs = (over: Partial<EnvInputs> = {}): EnvInputs => ({
  configMaps: new Map([
    ['cfg', { data: { MODE: 'fast', 'bad key': 'x', '1st': 'y' }, binaryData: { BIN: b64('raw') } }],
  ]),
  secrets: new Map([['creds', { data: { USER: b64('alice'), PASS: b64('s3cret') } }]]),
  serviceEnv: {},
  ...over,
});

test('envFrom with a prefix skips keys that are not variable names; env overrides it', () => {
  const r = resolveEnv(
    {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'DB_', secretRef: { name: 'creds' } }],
      env: [{ name: 'MODE', value: 'slow' }],
    },
    {},
    pod,
    inputs(),
  );
  assert.ok('env' in r);
  assert.deepEqual(r.env, {
    HOSTNAME: 'web-1',
    MODE: 'slow',
    BIN: 'raw',
    DB_USER: 'alice',
    DB_PASS: 's3cret',
  });
});

test('configMapKeyRef and secretKeyRef, optional ones skipped when missing', () => {
  const r = resolveEnv(
    {
      name: 'c',
      env: [
        { name: 'M', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
        { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASS' } } },
        { name: 'O1', valueFrom: { secretKeyRef: { name: 'nope', key: 'x', optional: true } } },
        { name: 'O2', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } },
      ],
    },
    {},
    pod,
    inputs(),
  );
  assert.deepEqual(r, { env: { HOSTNAME: 'web-1', M: 'fast', P: 's3cret' } });
});

test('missing objects and keys are errors naming them, as kubelet reports them', () => {
  const err = (env: any[], envFrom: any[] = []) => resolveEnv({ name: 'c', env, envFrom }, {}, pod, inputs());
  assert.deepEqual(err([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }]), {
    error: 'configmap "gone" not found',
  });
  assert.deepEqual(err([{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }]), {
    error: 'secret "gone" not found',
  });
  assert.deepEqual(err([{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'TOKEN' } } }]), {
    error: "couldn't find key TOKEN in Secret shop/creds",
  });
  assert.deepEqual(err([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'K' } } }]), {
    error: "couldn't find key K in ConfigMap shop/cfg",
  });
  assert.deepEqual(err([], [{ configMapRef: { name: 'gone' } }]), { error: 'configmap "gone" not found' });
  assert.ok('env' in err([], [{ secretRef: { name: 'gone', optional: true } }]));
});

test('fieldRef: labels and annotations by key, whole maps in the downward-API format', () => {
  assert.equal(fieldPathValue("metadata.labels['app']", pod), 'web');
  assert.equal(fieldPathValue("metadata.labels['missing']", pod), '');
  assert.equal(fieldPathValue("metadata.annotations['note']", pod), 'say "hi"\n');
  assert.equal(fieldPathValue('metadata.labels', pod), 'app="web"\ntier="front"');
  assert.equal(formatMap({ b: 'x\ty', a: '\\' }), 'a="\\\\"\nb="x\\ty"');
  assert.equal(fieldPathValue('status.podIP', pod), '10.244.1.9');
  assert.equal(fieldPathValue('spec.bogus', pod), undefined);
});

test('resourceFieldRef: limits default to the node allocatable; divisors round up', () => {
  const spec = {
    containers: [
      { name: 'a', resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m' } } },
      { name: 'b' },
    ],
  };
  assert.equal(resourceFieldValue({ resource: 'limits.cpu' }, spec, 'a'), '1');
  assert.equal(resourceFieldValue({ resource: 'limits.cpu', divisor: '1m' }, spec, 'a'), '250');
  assert.equal(resourceFieldValue({ resource: 'requests.cpu', divisor: '1m' }, spec, 'a'), '100');
  assert.equal(resourceFieldValue({ resource: 'limits.memory', divisor: '1Mi' }, spec, 'a'), '64');
  assert.equal(resourceFieldValue({ resource: 'requests.memory' }, spec, 'a'), String(64 * 2 ** 20));
  assert.equal(resourceFieldValue({ resource: 'limits.cpu' }, spec, 'b'), '4');
  assert.equal(resourceFieldValue({ resource: 'limits.memory', divisor: '1Gi' }, spec, 'b'), '8');
  assert.equal(
    resourceFieldValue({ containerName: 'a', resource: 'limits.cpu', divisor: '1m' }, spec, 'b'),
    '250',
  );
  assert.equal(resourceFieldValue({ resource: 'limits.cpu' }, spec, 'b', { cpu: '2' }), '2');
  assert.throws(
    () => resourceFieldValue({ resource: 'limits.gpu' }, spec, 'a'),
    /unsupported container resource/,
  );
  const r = resolveEnv(
    { name: 'b', env: [{ name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] },
    spec,
    pod,
    inputs(),
  );
  assert.deepEqual(r, { env: { HOSTNAME: 'web-1', CPUS: '4' } });
});

test('quantities are exact', () => {
  assert.equal(quantityNanos('0.1'), 100_000_000n);
  assert.equal(quantityNanos('1.5Gi'), 1_610_612_736_000_000_000n);
  assert.equal(quantityNanos('2e3'), 2_000_000_000_000n);
  assert.equal(cpuInDivisor('0.1', '1m'), '100');
  assert.equal(cpuInDivisor('1500m'), '2');
  assert.equal(bytesInDivisor('1G', '1M'), '1000');
  assert.equal(bytesInDivisor('1025', '1Ki'), '2');
  assert.throws(() => quantityNanos('12 apples'));
});

const svc = (ns: string, name: string, clusterIP: string, ports: any[]) => ({
  metadata: { name, namespace: ns },
  spec: { clusterIP, ports },
});

test('service link variables: the namespace’s Services unless disabled, kubernetes always', () => {
  const services = [
    svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
    svc('shop', 'redis-main', '10.96.3.4', [
      { name: 'db', port: 6379 },
      { name: 'metrics-udp', port: 9121, protocol: 'UDP' },
    ]),
    svc('shop', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'elsewhere', '10.96.9.9', [{ port: 80 }]),
  ];
  const env = serviceEnvVars(services, 'shop');
  assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
  assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
  assert.equal(env.KUBERNETES_PORT, 'tcp://10.96.0.1:443');
  assert.equal(env.KUBERNETES_PORT_443_TCP_ADDR, '10.96.0.1');
  assert.equal(env.REDIS_MAIN_SERVICE_HOST, '10.96.3.4');
  assert.equal(env.REDIS_MAIN_SERVICE_PORT, '6379');
  assert.equal(env.REDIS_MAIN_SERVICE_PORT_DB, '6379');
  assert.equal(env.REDIS_MAIN_SERVICE_PORT_METRICS_UDP, '9121');
  assert.equal(env.REDIS_MAIN_PORT, 'tcp://10.96.3.4:6379');
  assert.equal(env.REDIS_MAIN_PORT_9121_UDP, 'udp://10.96.3.4:9121');
  assert.equal(env.REDIS_MAIN_PORT_9121_UDP_PROTO, 'udp');
  assert.equal(env.REDIS_MAIN_PORT_9121_UDP_PORT, '9121');
  assert.equal(env.HEADLESS_SERVICE_HOST, undefined);
  assert.equal(env.ELSEWHERE_SERVICE_HOST, undefined);
  const off = serviceEnvVars(services, 'shop', false);
  assert.equal(off.REDIS_MAIN_SERVICE_HOST, undefined);
  assert.equal(off.KUBERNETES_SERVICE_HOST, '10.96.0.1');
});

test('env values expand earlier variables and service variables; service variables never override', () => {
  const r = resolveEnv(
    {
      name: 'c',
      env: [
        { name: 'A', value: 'one' },
        { name: 'URL', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)/$(A)/$$(A)' },
        { name: 'KUBERNETES_SERVICE_PORT', value: '8443' },
      ],
    },
    {},
    pod,
    inputs({ serviceEnv: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' } }),
  );
  assert.ok('env' in r);
  assert.equal(r.env.URL, 'https://10.96.0.1:443/one/$(A)');
  assert.equal(r.env.KUBERNETES_SERVICE_PORT, '8443');
  assert.equal(r.env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  assert.equal(expandVars('$(X)-$(Y)', { X: '1' }), '1-$(Y)');
});
