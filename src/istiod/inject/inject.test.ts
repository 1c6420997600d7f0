import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fjp from 'fast-json-patch';
import { stringify, parse } from 'yaml';
import { injectPod } from './inject.js';
import { defaultContext, gatewayPod, productpagePod, srcDir } from './test-fixtures.js';
import type { Container, InjectionContext, Pod } from './types.js';

function golden(name: string, actual: unknown): void {
  const file = path.join(srcDir, 'testdata', name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, stringify(actual, { lineWidth: 0 }));
  assert.deepEqual(
    actual,
    parse(readFileSync(file, 'utf8')),
    `golden ${name} differs (UPDATE_GOLDEN=1 rewrites)`,
  );
}

function injectAndCheckPatch(pod: Pod, ctx: InjectionContext): Pod {
  const r = injectPod(pod, ctx);
  assert.ok(r.injected);
  const applied = fjp.applyPatch(
    structuredClone(pod),
    structuredClone(r.patch) as fjp.Operation[],
    true,
    false,
  );
  assert.deepEqual(applied.newDocument, r.pod, 'patch applied to the input gives the injected pod');
  return r.pod;
}

const proxyOf = (pod: Pod): Container => pod.spec!.containers!.find((c) => c.name === 'istio-proxy')!;
const envOf = (c: Container, name: string): unknown => c.env?.find((e) => e.name === name)?.value;

test('productpage with default config', () => {
  const pod = injectAndCheckPatch(productpagePod(), defaultContext());
  golden('productpage-default.yaml', pod);
  assert.deepEqual(
    pod.spec!.containers!.map((c) => c.name),
    ['productpage', 'istio-proxy'],
  );
  assert.deepEqual(
    pod.spec!.initContainers!.map((c) => c.name),
    ['istio-init'],
  );
  const proxy = proxyOf(pod);
  assert.deepEqual(proxy.ports, [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }]);
  assert.equal(
    envOf(proxy, 'ISTIO_META_OWNER'),
    'kubernetes://apis/apps/v1/namespaces/bookinfo/deployments/productpage-v1',
  );
  assert.equal(envOf(proxy, 'ISTIO_META_WORKLOAD_NAME'), 'productpage-v1');
  assert.equal(
    envOf(proxy, 'ISTIO_PROMETHEUS_ANNOTATIONS'),
    JSON.stringify({ scrape: 'true', path: '/metrics', port: '9080' }),
  );
  const a = pod.metadata!.annotations!;
  assert.equal(a['prometheus.io/port'], '15020');
  assert.equal(a['prometheus.io/path'], '/stats/prometheus');
  assert.equal(a['kubectl.kubernetes.io/default-container'], 'productpage');
  assert.deepEqual(JSON.parse(a['sidecar.istio.io/status']!).initContainers, ['istio-init']);
  assert.equal(pod.metadata!.labels!['service.istio.io/canonical-name'], 'productpage');
  assert.equal(pod.metadata!.labels!['service.istio.io/canonical-revision'], 'v1');
  assert.deepEqual(pod.spec!.initContainers![0]!.args!.slice(0, 17), [
    'istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT',
    '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020',
  ]); // prettier-ignore
});

test('productpage with CNI: istio-validation and capture annotations', () => {
  const ctx = defaultContext();
  ctx.values.istio_cni = { enabled: true, chained: false };
  const pod = injectAndCheckPatch(productpagePod(), ctx);
  golden('productpage-cni.yaml', pod);
  assert.deepEqual(
    pod.spec!.initContainers!.map((c) => c.name),
    ['istio-validation'],
  );
  const a = pod.metadata!.annotations!;
  assert.equal(a['traffic.sidecar.istio.io/excludeInboundPorts'], '15020');
  assert.equal(a['sidecar.istio.io/interceptionMode'], 'REDIRECT');
  assert.equal(a['k8s.v1.cni.cncf.io/networks'], 'istio-cni');
});

test('gateway template replaces the image: auto container', () => {
  const ctx = { ...defaultContext(), revision: 'my-mesh' };
  const pod = injectAndCheckPatch(gatewayPod(), ctx);
  golden('ingress-gateway.yaml', pod);
  assert.equal(pod.spec!.initContainers, undefined);
  assert.equal(pod.spec!.containers!.length, 1);
  const proxy = proxyOf(pod);
  assert.equal(proxy.image, 'quay.io/sail-dev/proxyv2:1.24.3');
  assert.deepEqual(proxy.args!.slice(0, 2), ['proxy', 'router']);
  assert.equal(envOf(proxy, 'CA_ADDR'), 'istiod-my-mesh.istio-system.svc:15012');
  assert.equal(pod.metadata!.annotations!['istio.io/rev'], 'my-mesh');
  assert.equal(pod.metadata!.labels!['security.istio.io/tlsMode'], undefined);
});

test('annotation overrides and probe rewrite', () => {
  const input = productpagePod();
  Object.assign(input.metadata!.annotations!, {
    'sidecar.istio.io/proxyImage': 'example.com/custom-proxy:1',
    'sidecar.istio.io/proxyCPU': '250m',
    'sidecar.istio.io/proxyMemory': '64Mi',
    'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.96.0.0/16',
    'traffic.sidecar.istio.io/excludeOutboundPorts': '5432',
    'traffic.sidecar.istio.io/excludeInboundPorts': '9443',
    'traffic.sidecar.istio.io/includeInboundPorts': '9080',
    'proxy.istio.io/config':
      'holdApplicationUntilProxyStarts: true\nproxyMetadata:\n  ISTIO_META_DNS_CAPTURE: "true"\n',
    'prometheus.io/scrape': 'true',
  });
  const app = input.spec!.containers![0]!;
  app.ports![0]!.name = 'http';
  app.readinessProbe = { httpGet: { path: '/health', port: 'http' }, timeoutSeconds: 2 };
  app.livenessProbe = { tcpSocket: { port: 9080 } };
  const pod = injectAndCheckPatch(input, defaultContext());
  golden('productpage-annotations.yaml', pod);
  const proxy = pod.spec!.containers![0]!;
  assert.equal(proxy.name, 'istio-proxy', 'holdApplicationUntilProxyStarts puts the proxy first');
  assert.equal(proxy.image, 'example.com/custom-proxy:1');
  assert.deepEqual(proxy.resources, { requests: { cpu: '250m', memory: '64Mi' } });
  assert.equal(envOf(proxy, 'ISTIO_META_DNS_CAPTURE'), 'true');
  const args = pod.spec!.initContainers![0]!.args!;
  assert.equal(args[args.indexOf('-i') + 1], '10.96.0.0/16');
  assert.equal(args[args.indexOf('-b') + 1], '9080');
  assert.equal(args[args.indexOf('-d') + 1], '15090,15021,9443,15020');
  assert.equal(args[args.indexOf('-o') + 1], '5432');
  const probed = pod.spec!.containers![1]!;
  assert.deepEqual(probed.readinessProbe, {
    httpGet: { path: '/app-health/productpage/readyz', port: 15020, scheme: 'HTTP' },
    timeoutSeconds: 2,
  });
  assert.deepEqual(JSON.parse(envOf(proxy, 'ISTIO_KUBE_APP_PROBERS') as string), {
    '/app-health/productpage/readyz': { httpGet: { path: '/health', port: 9080 }, timeoutSeconds: 2 },
    '/app-health/productpage/livez': { tcpSocket: { port: 9080 } },
  });
});

test('native sidecars put istio-proxy among init containers with restartPolicy Always', () => {
  const pod = injectAndCheckPatch(productpagePod(), { ...defaultContext(), nativeSidecars: true });
  assert.deepEqual(
    pod.spec!.initContainers!.map((c) => [c.name, c.restartPolicy]),
    [
      ['istio-init', undefined],
      ['istio-proxy', 'Always'],
    ],
  );
  assert.deepEqual(
    pod.spec!.containers!.map((c) => c.name),
    ['productpage'],
  );
});

test('injected pods, hostNetwork pods and unknown templates', () => {
  const once = injectPod(productpagePod(), defaultContext()).pod;
  const again = injectPod(once, defaultContext());
  assert.equal(again.injected, false);
  assert.deepEqual(again.patch, []);
  const host = productpagePod();
  host.spec!.hostNetwork = true;
  assert.equal(injectPod(host, defaultContext()).skipped, 'pod uses hostNetwork');
  const odd = productpagePod();
  odd.metadata!.annotations!['inject.istio.io/templates'] = 'nope';
  assert.throws(() => injectPod(odd, defaultContext()), /requested template "nope" not found/);
});

test('interceptionMode NONE injects no init container; sidecars keep canonical labels from app.kubernetes.io', () => {
  const input = productpagePod();
  input.metadata!.annotations!['sidecar.istio.io/interceptionMode'] = 'NONE';
  input.metadata!.labels!['app.kubernetes.io/name'] = 'shop';
  const pod = injectAndCheckPatch(input, defaultContext());
  assert.equal(pod.spec!.initContainers, undefined);
  assert.equal(pod.metadata!.labels!['service.istio.io/canonical-name'], 'shop');
});
