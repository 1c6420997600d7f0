import { CNI_DEFAULTS } from './chart-defaults.js';
import {
  dataplaneValues,
  fieldEnv,
  NODE_TOLERATIONS,
  releaseLabels,
  resourceEnv,
} from './dataplane-common.js';
import { componentImage } from './images.js';
import { bool, getPath, list, map, mergeAll, str, truthy } from './merge.js';
import { finalizeObjects } from './objects.js';
import { chartProfileValues, platformValues } from './profiles.js';
import { ownerReferenceTo } from './revision.js';
import { resolveVersion } from './versions.js';
import {
  RenderValidationError,
  type IstioCNILike,
  type KubeObject,
  type Platform,
  type Values,
} from './types.js';

export const DEFAULT_CNI_NAMESPACE = 'istio-cni';

/** The cni chart's values: chart defaults < chart profile < platform file < the operator-level values. */
export function effectiveCNIValues(cni: IstioCNILike, platform: Platform = 'kubernetes'): Values {
  const values = dataplaneValues(cni.spec.profile, cni.spec.values, platform);
  return mergeAll(
    CNI_DEFAULTS,
    chartProfileValues(str(values, 'profile')),
    platformValues(str(values, 'global.platform')),
    values,
  );
}

/** The IstioCNI's node agent: ServiceAccount, RBAC, ConfigMap istio-cni-config and DaemonSet istio-cni-node. */
export function renderIstioCNI(cni: IstioCNILike, opts: { platform?: Platform } = {}): KubeObject[] {
  if (cni.metadata.name !== 'default')
    throw new RenderValidationError('metadata.name: IstioCNI must be named "default"');
  const version = resolveVersion(cni.spec.version);
  const namespace = cni.spec.namespace || DEFAULT_CNI_NAMESPACE;
  const values = effectiveCNIValues(cni, opts.platform);
  const labels = { ...releaseLabels('istio-cni', 'cni', version.version, 'Cni'), 'istio.io/rev': 'default' };
  const ambient = bool(values, 'cni.ambient.enabled');
  const rbac = (name: string, rules: unknown[]): KubeObject[] => [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels: { ...labels, app: 'istio-cni' } },
      rules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: { ...labels, app: 'istio-cni' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: 'istio-cni', namespace }],
    },
  ];
  const out: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'istio-cni', namespace, labels: { ...labels, app: 'istio-cni' } },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio-cni-config', namespace, labels: { ...labels, app: 'istio-cni' } },
      data: cniConfigData(values, version.version),
    },
    ...rbac('istio-cni', [
      { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      ...(ambient ? [{ apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] }] : []),
    ]),
  ];
  if (bool(values, 'cni.repair.enabled')) {
    out.push(
      ...rbac('istio-cni-repair-role', [
        { apiGroups: [''], resources: ['pods'], verbs: ['watch', 'get', 'list'] },
        ...(bool(values, 'cni.repair.repairPods')
          ? []
          : [{ apiGroups: [''], resources: ['pods'], verbs: ['delete', 'patch', 'update'] }]),
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ]),
    );
  }
  if (ambient) {
    out.push(
      ...rbac('istio-cni-ambient', [
        { apiGroups: [''], resources: ['pods/status'], verbs: ['patch', 'update'] },
      ]),
    );
  }
  out.push(daemonSet(values, version.version, namespace, labels, ambient));
  return finalizeObjects(out, ownerReferenceTo('IstioCNI', cni.metadata));
}

function cniConfigData(values: Values, version: string): Record<string, string> {
  const s = (path: string) => String(bool(values, path));
  return {
    AMBIENT_DNS_CAPTURE: s('cni.ambient.dnsCapture'),
    AMBIENT_ENABLED: s('cni.ambient.enabled'),
    AMBIENT_IPV6: s('cni.ambient.ipv6'),
    AMBIENT_RECONCILE_POD_RULES_ON_STARTUP: s('cni.ambient.reconcileIptablesOnStartup'),
    CHAINED_CNI_PLUGIN: s('cni.chained'),
    CNI_NET_DIR: '/etc/cni/net.d',
    CURRENT_AGENT_VERSION: version,
    EXCLUDE_NAMESPACES: list(values, 'cni.excludeNamespaces').map(String).join(','),
    LOG_LEVEL: str(values, 'cni.logging.level', 'info'),
    LOG_UDS_ADDRESS: '/var/run/istio-cni/log.sock',
    ...(str(values, 'cni.cniConfFileName') ? { CNI_CONF_NAME: str(values, 'cni.cniConfFileName') } : {}),
    REPAIR_BROKEN_POD_LABEL_KEY: 'cni.istio.io/uninitialized',
    REPAIR_BROKEN_POD_LABEL_VALUE: 'true',
    REPAIR_DELETE_PODS: s('cni.repair.deletePods'),
    REPAIR_ENABLED: s('cni.repair.enabled'),
    REPAIR_INIT_CONTAINER_NAME: 'istio-validation',
    REPAIR_LABEL_PODS: s('cni.repair.labelPods'),
    REPAIR_REPAIR_PODS: s('cni.repair.repairPods'),
  };
}

function daemonSet(
  values: Values,
  version: string,
  namespace: string,
  labels: Record<string, string>,
  ambient: boolean,
): KubeObject {
  const userEnv = map(values, 'cni.env');
  const container: Record<string, unknown> = {
    name: 'install-cni',
    image: componentImage(values, 'cni', 'install-cni', version),
    command: ['install-cni'],
    args: [
      `--log_output_level=${str(values, 'cni.logging.level', 'info')}`,
      ...(bool(values, 'global.logAsJson') ? ['--log_as_json'] : []),
    ],
    ports: [{ containerPort: 15014, name: 'metrics', protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/readyz', port: 8000 } },
    envFrom: [{ configMapRef: { name: 'istio-cni-config' } }],
    env: [
      fieldEnv('REPAIR_NODE_NAME', 'spec.nodeName'),
      { name: 'REPAIR_RUN_AS_DAEMON', value: 'true' },
      { name: 'REPAIR_SIDECAR_ANNOTATION', value: 'sidecar.istio.io/status' },
      ...(ambient ? [{ name: 'ALLOW_SWITCH_TO_HOST_NS', value: 'true' }] : []),
      fieldEnv('NODE_NAME', 'spec.nodeName'),
      resourceEnv('GOMEMLIMIT', 'limits.memory'),
      resourceEnv('GOMAXPROCS', 'limits.cpu'),
      fieldEnv('POD_NAME', 'metadata.name'),
      fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
      ...Object.keys(userEnv)
        .sort()
        .map((name) => ({ name, value: String(userEnv[name]) })),
    ],
    securityContext: {
      privileged: bool(values, 'cni.privileged'),
      runAsGroup: 0,
      runAsUser: 0,
      runAsNonRoot: false,
      capabilities: {
        drop: ['ALL'],
        add: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', ...(ambient ? ['SYS_PTRACE'] : [])],
      },
      ...(truthy(getPath(values, 'cni.seLinuxOptions'))
        ? { seLinuxOptions: getPath(values, 'cni.seLinuxOptions') }
        : {}),
    },
    volumeMounts: [
      { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' },
      { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' },
      { mountPath: '/var/run/istio-cni', name: 'cni-socket-dir' },
      { mountPath: '/host/var/run/netns', mountPropagation: 'HostToContainer', name: 'cni-netns-dir' },
      ...(ambient ? [{ mountPath: '/host/proc', name: 'cni-host-procfs', readOnly: true }] : []),
    ],
    resources: map(values, 'cni.resources'),
  };
  const pullPolicy = str(values, 'cni.pullPolicy') || str(values, 'global.imagePullPolicy');
  if (pullPolicy) container.imagePullPolicy = pullPolicy;
  const selector = { 'k8s-app': 'istio-cni-node' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'istio-cni-node',
      namespace,
      labels: { ...labels, ...selector, ...(map(values, 'cni.daemonSetLabels') as Record<string, string>) },
    },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: getPath(values, 'cni.rollingMaxUnavailable') ?? 1 },
      },
      template: {
        metadata: {
          labels: {
            ...selector,
            'sidecar.istio.io/inject': 'false',
            'istio.io/dataplane-mode': 'none',
            ...(map(values, 'cni.podLabels') as Record<string, string>),
          },
          annotations: {
            'prometheus.io/path': '/metrics',
            'prometheus.io/port': '15014',
            'prometheus.io/scrape': 'true',
            'sidecar.istio.io/inject': 'false',
            ...(map(values, 'cni.podAnnotations') as Record<string, string>),
          },
        },
        spec: {
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: NODE_TOLERATIONS,
          priorityClassName: 'system-node-critical',
          serviceAccountName: 'istio-cni',
          terminationGracePeriodSeconds: 5,
          containers: [container],
          volumes: [
            { name: 'cni-bin-dir', hostPath: { path: str(values, 'cni.cniBinDir', '/opt/cni/bin') } },
            { name: 'cni-net-dir', hostPath: { path: str(values, 'cni.cniConfDir', '/etc/cni/net.d') } },
            { name: 'cni-socket-dir', hostPath: { path: '/var/run/istio-cni' } },
            {
              name: 'cni-netns-dir',
              hostPath: { path: str(values, 'cni.cniNetnsDir', '/var/run/netns'), type: 'DirectoryOrCreate' },
            },
            ...(ambient ? [{ name: 'cni-host-procfs', hostPath: { path: '/proc', type: 'Directory' } }] : []),
          ],
        },
      },
    },
  };
}
