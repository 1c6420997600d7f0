import { ZTUNNEL_DEFAULTS } from './chart-defaults.js';
import { dataplaneValues, fieldEnv, NODE_TOLERATIONS, releaseLabels } from './dataplane-common.js';
import { componentImage } from './images.js';
import { getPath, isPlainObject, map, mergeAll, num, str, truthy } from './merge.js';
import { finalizeObjects } from './objects.js';
import { chartProfileValues, platformValues } from './profiles.js';
import { ownerReferenceTo } from './revision.js';
import { resolveVersion } from './versions.js';
import {
  RenderValidationError,
  type IstioRevisionLike,
  type KubeObject,
  type Platform,
  type Values,
  type ZTunnelLike,
} from './types.js';

export const DEFAULT_ZTUNNEL_NAMESPACE = 'ztunnel';

export interface ZTunnelRenderOptions {
  platform?: Platform;
  /** The resolved `spec.targetRef` revision: its global, meshConfig and revision become base values. */
  targetRevision?: IstioRevisionLike;
}

/**
 * The ztunnel chart's values. The profile is always `ambient`; a target revision's `global`, `meshConfig`
 * and `revision` sit under the user's values; `spec.values.ztunnel` is also read at the chart's top level.
 */
export function effectiveZTunnelValues(zt: ZTunnelLike, opts: ZTunnelRenderOptions = {}): Values {
  const target = opts.targetRevision?.spec.values;
  const base: Values = target
    ? { global: target.global ?? {}, meshConfig: target.meshConfig ?? {}, revision: target.revision ?? '' }
    : {};
  const values = dataplaneValues('ambient', mergeAll(base, zt.spec.values), opts.platform ?? 'kubernetes');
  return mergeAll(
    ZTUNNEL_DEFAULTS,
    chartProfileValues(str(values, 'profile')),
    platformValues(str(values, 'global.platform')),
    values,
  );
}

/** The ZTunnel's node proxy: ServiceAccount and DaemonSet `ztunnel` (both named by `ztunnel.resourceName`). */
export function renderZTunnel(zt: ZTunnelLike, opts: ZTunnelRenderOptions = {}): KubeObject[] {
  if (zt.metadata.name !== 'default')
    throw new RenderValidationError('metadata.name: ZTunnel must be named "default"');
  const version = resolveVersion(zt.spec.version);
  const namespace = zt.spec.namespace || DEFAULT_ZTUNNEL_NAMESPACE;
  const values = effectiveZTunnelValues(zt, opts);
  const name = str(values, 'ztunnel.resourceName', 'ztunnel') || 'ztunnel';
  const labels = {
    ...releaseLabels('ztunnel', 'ztunnel', version.version, 'ztunnel'),
    app: 'ztunnel',
    ...(map(values, 'ztunnel.labels') as Record<string, string>),
  };
  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } };
  return finalizeObjects(
    [sa, daemonSet(values, version.version, namespace, name, labels)],
    ownerReferenceTo('ZTunnel', zt.metadata),
  );
}

function daemonSet(
  values: Values,
  version: string,
  namespace: string,
  name: string,
  labels: Record<string, string>,
): KubeObject {
  const rev = str(values, 'revision');
  const istioNamespace =
    str(values, 'global.istioNamespace') || str(values, 'ztunnel.istioNamespace', 'istio-system');
  const istiod = `istiod${rev ? `-${rev}` : ''}.${istioNamespace}.svc:15012`;
  const clusterId =
    str(values, 'ztunnel.multiCluster.clusterName') ||
    str(values, 'global.multiCluster.clusterName') ||
    'Kubernetes';
  const network = str(values, 'ztunnel.network') || str(values, 'global.network');
  const grace = num(values, 'ztunnel.terminationGracePeriodSeconds', 30);
  const userEnv = map(values, 'ztunnel.env');
  const meshDefault = getPath(values, 'meshConfig.defaultConfig.proxyMetadata');
  const container: Record<string, unknown> = {
    name: 'istio-proxy',
    image: componentImage(values, 'ztunnel', 'ztunnel', version),
    args: ['proxy', 'ztunnel'],
    ports: [{ containerPort: 15020, name: 'ztunnel-stats', protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 } },
    env: [
      {
        name: 'CA_ADDRESS',
        value: str(values, 'ztunnel.caAddress') || str(values, 'global.caAddress') || istiod,
      },
      { name: 'XDS_ADDRESS', value: str(values, 'ztunnel.xdsAddress') || istiod },
      { name: 'RUST_LOG', value: str(values, 'ztunnel.logLevel', 'info') },
      { name: 'RUST_BACKTRACE', value: '1' },
      { name: 'ISTIO_META_CLUSTER_ID', value: clusterId },
      { name: 'INPOD_ENABLED', value: 'true' },
      { name: 'TERMINATION_GRACE_PERIOD_SECONDS', value: String(grace) },
      fieldEnv('POD_NAME', 'metadata.name'),
      fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
      fieldEnv('NODE_NAME', 'spec.nodeName'),
      fieldEnv('INSTANCE_IP', 'status.podIP'),
      fieldEnv('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
      { name: 'ISTIO_META_ENABLE_HBONE', value: 'true' },
      ...(network ? [{ name: 'NETWORK', value: network }] : []),
      ...(isPlainObject(meshDefault) && meshDefault.ISTIO_META_DNS_CAPTURE !== undefined
        ? [{ name: 'ISTIO_META_DNS_CAPTURE', value: String(meshDefault.ISTIO_META_DNS_CAPTURE) }]
        : []),
      ...Object.keys(userEnv)
        .sort()
        .map((k) => ({ name: k, value: String(userEnv[k]) })),
    ],
    resources: map(values, 'ztunnel.resources'),
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 1337,
      runAsNonRoot: false,
      runAsUser: 0,
      capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      ...(truthy(getPath(values, 'ztunnel.seLinuxOptions'))
        ? { seLinuxOptions: getPath(values, 'ztunnel.seLinuxOptions') }
        : {}),
    },
    volumeMounts: [
      { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
      { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
      { mountPath: '/var/run/ztunnel', name: 'cni-ztunnel-sock-dir' },
      { mountPath: '/tmp', name: 'tmp' },
    ],
  };
  const pullPolicy = str(values, 'ztunnel.imagePullPolicy') || str(values, 'global.imagePullPolicy');
  if (pullPolicy) container.imagePullPolicy = pullPolicy;
  const selector = { app: 'ztunnel' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name,
      namespace,
      labels,
      ...(truthy(map(values, 'ztunnel.annotations'))
        ? { annotations: map(values, 'ztunnel.annotations') as Record<string, string> }
        : {}),
    },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: {
            ...selector,
            'sidecar.istio.io/inject': 'false',
            'istio.io/dataplane-mode': 'none',
            ...(rev ? { 'istio.io/rev': rev } : {}),
            ...(map(values, 'ztunnel.podLabels') as Record<string, string>),
          },
          annotations: {
            'prometheus.io/port': '15020',
            'prometheus.io/scrape': 'true',
            'sidecar.istio.io/inject': 'false',
            ...(map(values, 'ztunnel.podAnnotations') as Record<string, string>),
          },
        },
        spec: {
          nodeSelector: {
            'kubernetes.io/os': 'linux',
            ...(map(values, 'ztunnel.nodeSelector') as Record<string, string>),
          },
          tolerations: NODE_TOLERATIONS,
          priorityClassName: 'system-node-critical',
          serviceAccountName: name,
          terminationGracePeriodSeconds: grace,
          containers: [container],
          volumes: [
            {
              name: 'istio-token',
              projected: {
                sources: [
                  {
                    serviceAccountToken: {
                      audience: 'istio-ca',
                      expirationSeconds: 43200,
                      path: 'istio-token',
                    },
                  },
                ],
              },
            },
            { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } },
            {
              name: 'cni-ztunnel-sock-dir',
              hostPath: { path: '/var/run/ztunnel', type: 'DirectoryOrCreate' },
            },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}
