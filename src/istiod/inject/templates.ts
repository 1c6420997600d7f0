// The built-in `sidecar` and `gateway` templates, built as objects from the resolved parameters (istio-core.md
// §1.3). Upstream renders Go templates and strategic-merges them; the result for these two is the same shape.

import type { InjectParams } from './params.js';
import {
  INIT_CONTAINER,
  PROXY_CONTAINER,
  VALIDATION_CONTAINER,
  type Container,
  type Obj,
  type Pod,
} from './types.js';

const READY_PATH = '/healthz/ready';
const READY_PORT = 15021;

function fieldEnv(name: string, fieldPath: string): Obj {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

function resourceEnv(name: string, resource: string, divisor?: string): Obj {
  return { name, valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } } };
}

/** Upstream's `excludeInboundPort`: the status port is appended to the user's list unless already there. */
export function excludeInboundPorts(statusPort: number, userList: string): string {
  const port = String(statusPort);
  if (port === '0') return userList;
  const ports = userList
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (ports.includes(port)) return userList;
  return [...ports, port].join(',');
}

interface CaptureSettings {
  includeOutboundIPRanges: string;
  excludeOutboundIPRanges: string;
  includeInboundPorts: string;
  excludeInboundPorts: string;
  includeOutboundPorts?: string;
  excludeOutboundPorts?: string;
  kubevirtInterfaces?: string;
  excludeInterfaces?: string;
}

export function captureSettings(p: InjectParams, proxyValues: Obj): CaptureSettings {
  const a = p.annotations;
  const value = (key: string, fallback: unknown): string =>
    a[key] ?? (fallback === undefined ? '' : String(fallback));
  const out: CaptureSettings = {
    includeOutboundIPRanges: value(
      'traffic.sidecar.istio.io/includeOutboundIPRanges',
      proxyValues.includeIPRanges ?? '*',
    ),
    excludeOutboundIPRanges: value(
      'traffic.sidecar.istio.io/excludeOutboundIPRanges',
      proxyValues.excludeIPRanges,
    ),
    includeInboundPorts: value(
      'traffic.sidecar.istio.io/includeInboundPorts',
      proxyValues.includeInboundPorts ?? '*',
    ),
    excludeInboundPorts: excludeInboundPorts(
      p.statusPort,
      value('traffic.sidecar.istio.io/excludeInboundPorts', proxyValues.excludeInboundPorts),
    ),
  };
  const incOut = value('traffic.sidecar.istio.io/includeOutboundPorts', proxyValues.includeOutboundPorts);
  if (incOut) out.includeOutboundPorts = incOut;
  const excOut = value('traffic.sidecar.istio.io/excludeOutboundPorts', proxyValues.excludeOutboundPorts);
  if (excOut) out.excludeOutboundPorts = excOut;
  const kubevirt =
    a['traffic.sidecar.istio.io/kubevirtInterfaces'] ?? a['istio.io/reroute-virtual-interfaces'];
  if (kubevirt) out.kubevirtInterfaces = kubevirt;
  if (a['traffic.sidecar.istio.io/excludeInterfaces'])
    out.excludeInterfaces = a['traffic.sidecar.istio.io/excludeInterfaces'];
  return out;
}

/** `istio-init` (or `istio-validation` with CNI): runs istio-iptables in the pod's network namespace. */
export function initContainer(p: InjectParams, capture: CaptureSettings, logLevel: string): Container {
  const args = [
    'istio-iptables',
    '-p',
    '15001',
    '-z',
    '15006',
    '-u',
    '1337',
    '-m',
    p.interceptionMode,
    '-i',
    capture.includeOutboundIPRanges,
    '-x',
    capture.excludeOutboundIPRanges,
    '-b',
    capture.includeInboundPorts,
    '-d',
    `15090,15021,${capture.excludeInboundPorts}`.replace(/,$/, ''),
  ];
  if (capture.includeOutboundPorts) args.push('-q', capture.includeOutboundPorts);
  if (capture.excludeOutboundPorts) args.push('-o', capture.excludeOutboundPorts);
  if (capture.kubevirtInterfaces) args.push('-k', capture.kubevirtInterfaces);
  if (capture.excludeInterfaces) args.push('-c', capture.excludeInterfaces);
  args.push(`--log_output_level=${logLevel}`);
  if (p.cni) args.push('--run-validation', '--skip-rule-apply');
  const securityContext = p.cni
    ? {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsGroup: 1337,
        runAsNonRoot: true,
        runAsUser: 1337,
      }
    : {
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: false,
        runAsGroup: 0,
        runAsNonRoot: false,
        runAsUser: 0,
      };
  return {
    name: p.cni ? VALIDATION_CONTAINER : INIT_CONTAINER,
    image: p.initImage,
    args,
    imagePullPolicy: p.imagePullPolicy,
    resources: structuredClone(p.resources),
    securityContext,
  };
}

export interface ProxyOptions {
  role: 'sidecar' | 'router';
  appContainers: Container[];
  logLevel: string;
  proxyLogLevel: string;
  componentLogLevel: string;
  extraEnv: Record<string, string>;
  readiness: { initialDelaySeconds: number; periodSeconds: number; failureThreshold: number };
  startupProbe?: { failureThreshold: number };
}

export function proxyContainer(p: InjectParams, o: ProxyOptions): Container {
  const sidecar = o.role === 'sidecar';
  const appPorts = o.appContainers.flatMap((c) => c.ports ?? []);
  const env: Obj[] = [
    { name: 'PILOT_CERT_PROVIDER', value: p.pilotCertProvider },
    { name: 'CA_ADDR', value: p.caAddress },
    fieldEnv('POD_NAME', 'metadata.name'),
    fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
    fieldEnv('INSTANCE_IP', 'status.podIP'),
    fieldEnv('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
    fieldEnv('HOST_IP', 'status.hostIP'),
    resourceEnv('ISTIO_CPU_LIMIT', 'limits.cpu'),
    { name: 'PROXY_CONFIG', value: JSON.stringify(p.proxyConfig) },
  ];
  if (sidecar) {
    env.push({ name: 'ISTIO_META_POD_PORTS', value: JSON.stringify(appPorts) });
    env.push({ name: 'ISTIO_META_APP_CONTAINERS', value: o.appContainers.map((c) => c.name).join(',') });
  }
  env.push(resourceEnv('GOMEMLIMIT', 'limits.memory'), resourceEnv('GOMAXPROCS', 'limits.cpu', '1'));
  env.push({ name: 'ISTIO_META_CLUSTER_ID', value: p.clusterId });
  env.push(fieldEnv('ISTIO_META_NODE_NAME', 'spec.nodeName'));
  if (sidecar) env.push({ name: 'ISTIO_META_INTERCEPTION_MODE', value: p.interceptionMode });
  if (p.network) env.push({ name: 'ISTIO_META_NETWORK', value: p.network });
  env.push({ name: 'ISTIO_META_WORKLOAD_NAME', value: p.workload.name });
  env.push({
    name: 'ISTIO_META_OWNER',
    value: `kubernetes://apis/${p.workload.apiVersion}/namespaces/${p.namespace}/${p.workload.kind.toLowerCase()}s/${p.workload.name}`,
  });
  env.push({ name: 'ISTIO_META_MESH_ID', value: p.meshId });
  env.push({ name: 'TRUST_DOMAIN', value: p.trustDomain });
  for (const [name, value] of Object.entries(p.proxyConfig.proxyMetadata ?? {})) env.push({ name, value });
  for (const [name, value] of Object.entries(o.extraEnv)) {
    const existing = env.find((e) => e.name === name);
    if (existing) {
      delete existing.valueFrom;
      existing.value = value;
    } else env.push({ name, value });
  }

  const probe = (extra: Obj): Obj => ({
    httpGet: { path: READY_PATH, port: READY_PORT },
    ...extra,
  });
  const c: Container = {
    name: PROXY_CONTAINER,
    image: p.proxyImage,
    args: [
      'proxy',
      o.role,
      '--domain',
      `$(POD_NAMESPACE).svc.${p.clusterDomain}`,
      `--proxyLogLevel=${o.proxyLogLevel}`,
      `--proxyComponentLogLevel=${o.componentLogLevel}`,
      `--log_output_level=${o.logLevel}`,
    ],
    env,
    imagePullPolicy: p.imagePullPolicy,
    ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
  };
  if (p.statusPort !== 0)
    c.readinessProbe = probe({
      initialDelaySeconds: o.readiness.initialDelaySeconds,
      periodSeconds: o.readiness.periodSeconds,
      timeoutSeconds: 3,
      failureThreshold: o.readiness.failureThreshold,
    });
  c.resources = structuredClone(p.resources);
  c.securityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsGroup: 1337,
    runAsNonRoot: true,
    runAsUser: 1337,
  };
  if (o.startupProbe)
    c.startupProbe = probe({
      initialDelaySeconds: 0,
      periodSeconds: 1,
      timeoutSeconds: 3,
      failureThreshold: o.startupProbe.failureThreshold,
    });
  c.volumeMounts = [
    { mountPath: '/var/run/secrets/workload-spiffe-uds', name: 'workload-socket' },
    { mountPath: '/var/run/secrets/credential-uds', name: 'credential-socket' },
    { mountPath: '/var/run/secrets/workload-spiffe-credentials', name: 'workload-certs' },
    ...(p.pilotCertProvider === 'istiod'
      ? [{ mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' }]
      : []),
    { mountPath: '/var/lib/istio/data', name: 'istio-data' },
    { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
    { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
    { mountPath: '/etc/istio/pod', name: 'istio-podinfo' },
  ];
  return c;
}

export function proxyVolumes(p: InjectParams, audience: string): Obj[] {
  return [
    { name: 'workload-socket', emptyDir: {} },
    { name: 'credential-socket', emptyDir: {} },
    { name: 'workload-certs', emptyDir: {} },
    { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
    { name: 'istio-data', emptyDir: {} },
    {
      name: 'istio-podinfo',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        ],
      },
    },
    {
      name: 'istio-token',
      projected: {
        sources: [{ serviceAccountToken: { audience, expirationSeconds: 43200, path: 'istio-token' } }],
      },
    },
    ...(p.pilotCertProvider === 'istiod'
      ? [{ name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } }]
      : []),
  ];
}

/** `service.istio.io/canonical-*` labels, from the first of the documented sources. */
export function canonicalLabels(p: InjectParams): Record<string, string> {
  const l = p.labels;
  return {
    'service.istio.io/canonical-name':
      l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l.app ?? p.workload.name,
    'service.istio.io/canonical-revision':
      l['service.istio.io/canonical-revision'] ?? l['app.kubernetes.io/version'] ?? l.version ?? 'latest',
  };
}

/** CNI records the capture settings as annotations, since no init container carries them. */
export function cniAnnotations(p: InjectParams, capture: CaptureSettings, pod: Pod): Record<string, string> {
  const out: Record<string, string> = { 'sidecar.istio.io/interceptionMode': p.interceptionMode };
  const t = 'traffic.sidecar.istio.io/';
  if (capture.includeOutboundIPRanges) out[`${t}includeOutboundIPRanges`] = capture.includeOutboundIPRanges;
  if (capture.excludeOutboundIPRanges) out[`${t}excludeOutboundIPRanges`] = capture.excludeOutboundIPRanges;
  if (capture.includeInboundPorts) out[`${t}includeInboundPorts`] = capture.includeInboundPorts;
  out[`${t}excludeInboundPorts`] = capture.excludeInboundPorts;
  if (capture.includeOutboundPorts) out[`${t}includeOutboundPorts`] = capture.includeOutboundPorts;
  if (capture.excludeOutboundPorts) out[`${t}excludeOutboundPorts`] = capture.excludeOutboundPorts;
  if (capture.kubevirtInterfaces) out[`${t}kubevirtInterfaces`] = capture.kubevirtInterfaces;
  if (capture.excludeInterfaces) out[`${t}excludeInterfaces`] = capture.excludeInterfaces;
  if (!p.cniChained) {
    const key = 'k8s.v1.cni.cncf.io/networks';
    const existing = pod.metadata?.annotations?.[key] ?? '';
    out[key] = appendMultusNetwork(existing, 'istio-cni');
  }
  return out;
}

function appendMultusNetwork(existing: string, network: string): string {
  if (!existing) return network;
  if (existing.split(',').some((n) => n.trim() === network)) return existing;
  const close = existing.lastIndexOf(']');
  if (close !== -1) return `${existing.slice(0, close)}, {"name": "${network}"}${existing.slice(close)}`;
  return `${existing}, ${network}`;
}
