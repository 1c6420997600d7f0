import { bool, getPath, isPlainObject, list, map, mergeAll, num, str, truthy } from './merge.js';
import { ISTIOD_DEFAULTS } from './chart-defaults.js';
import { componentImage } from './images.js';
import { injectorConfigMapData } from './injector-config.js';
import { meshConfig, meshNetworks, toYaml } from './mesh-config.js';
import { chartProfileValues, platformValues } from './profiles.js';
import { ownerReferenceTo, revLabel, revSuffix, validateRevision } from './revision.js';
import { istiodClusterRoles, istiodRoles } from './rbac.js';
import { finalizeObjects } from './objects.js';
import { resolveVersion } from './versions.js';
import type { IstioRevisionLike, KubeObject, Values } from './types.js';
import {
  injectorWebhookConfiguration,
  injectorWebhookName,
  validatorWebhookConfiguration,
  validatorWebhookName,
} from './webhooks.js';

/**
 * The values the istiod chart renders with: chart defaults < chart profile (`values.profile`) < platform
 * file (`global.platform`) < the revision's values.
 */
export function effectiveIstiodValues(revisionValues: Values): Values {
  const profile = str(revisionValues, 'profile');
  const platform = str(revisionValues, 'global.platform');
  return mergeAll(ISTIOD_DEFAULTS, chartProfileValues(profile), platformValues(platform), revisionValues);
}

export interface IstiodContext {
  values: Values;
  namespace: string;
  /** `istiod` or `istiod-<rev>`. */
  name: string;
  rev: string;
  version: string;
  release: string;
  labels: Record<string, string>;
}

export function istiodContext(rev: IstioRevisionLike): IstiodContext {
  const version = resolveVersion(rev.spec.version);
  const values = effectiveIstiodValues(rev.spec.values);
  const release = `${rev.metadata.name}-istiod`;
  return {
    values,
    namespace: rev.spec.namespace,
    name: `istiod${revSuffix(values)}`,
    rev: revLabel(values),
    version: version.version,
    release,
    labels: {
      'app.kubernetes.io/instance': release,
      'app.kubernetes.io/name': 'istiod',
      'app.kubernetes.io/part-of': 'istio',
      'app.kubernetes.io/version': version.version,
      'helm.sh/chart': `istiod-${version.version}`,
      'install.operator.istio.io/owning-resource': 'unknown',
      'istio.io/rev': revLabel(values),
      'operator.istio.io/component': 'Pilot',
      release,
    },
  };
}

/** Replicas istiod runs with at least: autoscaleMin under autoscaling, else replicaCount. */
function minReplicas(values: Values): number {
  return bool(values, 'pilot.autoscaleEnabled')
    ? num(values, 'pilot.autoscaleMin', 1)
    : num(values, 'pilot.replicaCount', 1);
}

/**
 * Everything the istiod chart renders for an IstioRevision, in a fixed order (cluster-scoped RBAC and
 * webhooks last). Throws RenderValidationError for an inconsistent revision.
 */
export function renderIstioRevision(rev: IstioRevisionLike): KubeObject[] {
  validateRevision(rev);
  const ctx = istiodContext(rev);
  const { values } = ctx;
  const remote = bool(values, 'istiodRemote.enabled');
  const localIstiod = !remote || bool(values, 'istiodRemote.enabledLocalInjectorIstiod');
  const clusterScoped = str(values, 'global.resourceScope', 'all') !== 'namespace';
  const out: KubeObject[] = [];

  if (localIstiod || bool(values, 'global.configCluster')) out.push(serviceAccount(ctx));
  if (bool(values, 'pilot.configMap')) out.push(meshConfigMap(ctx));
  if (!bool(values, 'global.omitSidecarInjectorConfigMap')) out.push(injectorConfigMap(ctx));
  out.push(valuesConfigMap(ctx, rev.spec.values));
  if (localIstiod || bool(values, 'global.configCluster')) out.push(...istiodRoles(ctx));
  if (localIstiod) {
    out.push(deployment(ctx), service(ctx));
    if (
      bool(values, 'pilot.autoscaleEnabled') &&
      truthy(getPath(values, 'pilot.autoscaleMin')) &&
      truthy(getPath(values, 'pilot.autoscaleMax'))
    ) {
      out.push(hpa(ctx));
    }
    if (bool(values, 'global.defaultPodDisruptionBudget.enabled') && minReplicas(values) > 1)
      out.push(pdb(ctx));
  }
  if (clusterScoped && (localIstiod || bool(values, 'global.configCluster')))
    out.push(...istiodClusterRoles(ctx));
  if (clusterScoped && !bool(values, 'global.operatorManageWebhooks')) {
    out.push(injectorWebhookConfiguration(values, ctx.namespace, ctx.labels));
    if (bool(values, 'global.configValidation') && (localIstiod || bool(values, 'global.configCluster'))) {
      out.push(validatorWebhookConfiguration(values, ctx.namespace, ctx.labels));
    }
  }
  return finalizeObjects(out, ownerReferenceTo('IstioRevision', rev.metadata));
}

function serviceAccount(ctx: IstiodContext): KubeObject {
  const secrets = list(ctx.values, 'global.imagePullSecrets').map((name) => ({ name: String(name) }));
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: ctx.name, namespace: ctx.namespace, labels: { ...ctx.labels, app: 'istiod' } },
    ...(secrets.length ? { imagePullSecrets: secrets } : {}),
  };
}

function meshConfigMap(ctx: IstiodContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `istio${revSuffix(ctx.values)}`, namespace: ctx.namespace, labels: { ...ctx.labels } },
    data: {
      mesh: toYaml(meshConfig(ctx.values, ctx.namespace)),
      meshNetworks: toYaml(meshNetworks(ctx.values)),
    },
  };
}

function injectorConfigMap(ctx: IstiodContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `istio-sidecar-injector${revSuffix(ctx.values)}`,
      namespace: ctx.namespace,
      labels: { ...ctx.labels },
    },
    data: injectorConfigMapData(ctx.values),
  };
}

/** Sail's addition: what the user asked for and what the chart rendered with. */
function valuesConfigMap(ctx: IstiodContext, original: Values): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `values${revSuffix(ctx.values)}`, namespace: ctx.namespace, labels: { ...ctx.labels } },
    data: { 'original-values': toYaml(original), 'merged-values': toYaml(ctx.values) },
  };
}

function istiodEnv(ctx: IstiodContext): Record<string, unknown>[] {
  const { values } = ctx;
  const env: Record<string, unknown>[] = [
    { name: 'REVISION', value: ctx.rev },
    { name: 'PILOT_CERT_PROVIDER', value: str(values, 'global.pilotCertProvider', 'istiod') },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
    {
      name: 'SERVICE_ACCOUNT',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.serviceAccountName' } },
    },
    { name: 'KUBECONFIG', value: '/var/run/secrets/remote/config' },
  ];
  const ztunnelNs = str(values, 'pilot.trustedZtunnelNamespace');
  if (ztunnelNs) env.push({ name: 'CA_TRUSTED_NODE_ACCOUNTS', value: `${ztunnelNs}/ztunnel` });
  const userEnv = map(values, 'pilot.env');
  for (const name of Object.keys(userEnv).sort()) env.push({ name, value: String(userEnv[name]) });
  const traceSampling = getPath(values, 'pilot.traceSampling');
  if (truthy(traceSampling)) env.push({ name: 'PILOT_TRACE_SAMPLING', value: String(traceSampling) });
  const has = (name: string) => env.some((e) => e.name === name);
  const add = (name: string, value: string) => {
    if (!has(name)) env.push({ name, value });
  };
  add('PILOT_ENABLE_ANALYSIS', String(bool(values, 'global.istiod.enableAnalysis')));
  add('CLUSTER_ID', str(values, 'global.multiCluster.clusterName') || 'Kubernetes');
  env.push(
    { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1' } } },
    { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
  );
  add('PLATFORM', str(values, 'global.platform'));
  if (bool(values, 'global.externalIstiod')) add('EXTERNAL_ISTIOD', 'true');
  add('INJECTION_WEBHOOK_CONFIG_NAME', injectorWebhookName(values, ctx.namespace));
  add('VALIDATION_WEBHOOK_CONFIG_NAME', validatorWebhookName(values, ctx.namespace));
  return env;
}

function deployment(ctx: IstiodContext): KubeObject {
  const { values } = ctx;
  const selector = { app: 'istiod', 'istio.io/rev': ctx.rev };
  const podLabels = {
    ...ctx.labels,
    ...(map(values, 'pilot.podLabels') as Record<string, string>),
    app: 'istiod',
    // Upstream gives revisioned pods `istio: istiod` so selectors written for the default one skip them.
    istio: str(values, 'revision') ? 'istiod' : 'pilot',
    'istio.io/rev': ctx.rev,
    'istio.io/dataplane-mode': 'none',
    'sidecar.istio.io/inject': 'false',
  };
  const args = [
    'discovery',
    '--monitoringAddr=:15014',
    ...(bool(values, 'global.logAsJson') ? ['--log_as_json'] : []),
    `--log_output_level=${str(values, 'global.logging.level', 'default:info')}`,
    '--domain',
    str(values, 'global.proxy.clusterDomain', 'cluster.local'),
    '--keepaliveMaxServerConnectionAge',
    str(values, 'pilot.keepaliveMaxServerConnectionAge', '30m'),
    ...list(values, 'pilot.extraContainerArgs').map(String),
  ];
  const container: Record<string, unknown> = {
    name: 'discovery',
    image: componentImage(values, 'pilot', 'pilot', ctx.version),
    args,
    ports: [
      { containerPort: 8080, name: 'http-debug', protocol: 'TCP' },
      { containerPort: 15010, name: 'grpc-xds', protocol: 'TCP' },
      { containerPort: 15012, name: 'tls-xds', protocol: 'TCP' },
      { containerPort: 15017, name: 'https-webhooks', protocol: 'TCP' },
      { containerPort: 15014, name: 'http-monitoring', protocol: 'TCP' },
    ],
    readinessProbe: {
      httpGet: { path: '/ready', port: 8080 },
      initialDelaySeconds: 1,
      periodSeconds: 3,
      timeoutSeconds: 5,
    },
    env: istiodEnv(ctx),
    resources: map(values, 'pilot.resources'),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'istio-token', mountPath: '/var/run/secrets/tokens', readOnly: true },
      { name: 'local-certs', mountPath: '/var/run/secrets/istio-dns' },
      { name: 'cacerts', mountPath: '/etc/cacerts', readOnly: true },
      { name: 'istio-kubeconfig', mountPath: '/var/run/secrets/remote', readOnly: true },
      { name: 'istio-csr-dns-cert', mountPath: '/var/run/secrets/istiod/tls', readOnly: true },
      { name: 'istio-csr-ca-configmap', mountPath: '/var/run/secrets/istiod/ca', readOnly: true },
      ...list(values, 'pilot.volumeMounts'),
    ],
  };
  const pullPolicy = str(values, 'global.imagePullPolicy');
  if (pullPolicy) container.imagePullPolicy = pullPolicy;
  const podSpec: Record<string, unknown> = {
    serviceAccountName: ctx.name,
    tolerations: [
      { key: 'cni.istio.io/not-ready', operator: 'Exists' },
      ...list(values, 'pilot.tolerations'),
    ],
    containers: [container],
    volumes: [
      { name: 'local-certs', emptyDir: { medium: 'Memory' } },
      {
        name: 'istio-token',
        projected: {
          sources: [
            { serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } },
          ],
        },
      },
      { name: 'cacerts', secret: { secretName: 'cacerts', optional: true } },
      { name: 'istio-kubeconfig', secret: { secretName: 'istio-kubeconfig', optional: true } },
      { name: 'istio-csr-dns-cert', secret: { secretName: 'istiod-tls', optional: true } },
      {
        name: 'istio-csr-ca-configmap',
        configMap: { name: 'istio-ca-root-cert', defaultMode: 420, optional: true },
      },
      ...list(values, 'pilot.volumes'),
    ],
  };
  for (const [key, path] of [
    ['nodeSelector', 'pilot.nodeSelector'],
    ['affinity', 'pilot.affinity'],
    ['topologySpreadConstraints', 'pilot.topologySpreadConstraints'],
  ] as const) {
    if (truthy(getPath(values, path))) podSpec[key] = getPath(values, path);
  }
  const priorityClassName = str(values, 'global.priorityClassName');
  if (priorityClassName) podSpec.priorityClassName = priorityClassName;
  const spec: Record<string, unknown> = {};
  if (!bool(values, 'pilot.autoscaleEnabled') && truthy(getPath(values, 'pilot.replicaCount'))) {
    spec.replicas = num(values, 'pilot.replicaCount', 1);
  }
  Object.assign(spec, {
    strategy: {
      type: 'RollingUpdate',
      rollingUpdate: {
        maxSurge: getPath(values, 'pilot.rollingMaxSurge') ?? '100%',
        maxUnavailable: getPath(values, 'pilot.rollingMaxUnavailable') ?? '25%',
      },
    },
    selector: { matchLabels: selector },
    template: {
      metadata: {
        labels: podLabels,
        annotations: {
          'prometheus.io/port': '15014',
          'prometheus.io/scrape': 'true',
          'sidecar.istio.io/inject': 'false',
          ...(map(values, 'pilot.podAnnotations') as Record<string, string>),
        },
      },
      spec: podSpec,
    },
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: ctx.name,
      namespace: ctx.namespace,
      labels: {
        ...ctx.labels,
        app: 'istiod',
        istio: 'pilot',
        ...(map(values, 'pilot.deploymentLabels') as Record<string, string>),
      },
    },
    spec,
  };
}

function service(ctx: IstiodContext): KubeObject {
  const annotations = map(ctx.values, 'pilot.serviceAnnotations') as Record<string, string>;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: ctx.name,
      namespace: ctx.namespace,
      labels: { ...ctx.labels, app: 'istiod', istio: 'pilot' },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      ports: [
        { name: 'grpc-xds', port: 15010, protocol: 'TCP' },
        { name: 'https-dns', port: 15012, protocol: 'TCP' },
        { name: 'https-webhook', port: 443, protocol: 'TCP', targetPort: 15017 },
        { name: 'http-monitoring', port: 15014, protocol: 'TCP' },
      ],
      selector: { app: 'istiod', 'istio.io/rev': ctx.rev },
    },
  };
}

function hpa(ctx: IstiodContext): KubeObject {
  const { values } = ctx;
  const metrics: Record<string, unknown>[] = [
    {
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: {
          type: 'Utilization',
          averageUtilization: num(values, 'pilot.cpu.targetAverageUtilization', 80),
        },
      },
    },
  ];
  const memory = getPath(values, 'pilot.memory.targetAverageUtilization');
  if (truthy(memory)) {
    metrics.push({
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: Number(memory) } },
    });
  }
  const behavior = getPath(values, 'pilot.autoscaleBehavior');
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: ctx.name, namespace: ctx.namespace, labels: { ...ctx.labels, app: 'istiod' } },
    spec: {
      maxReplicas: num(values, 'pilot.autoscaleMax', 5),
      minReplicas: num(values, 'pilot.autoscaleMin', 1),
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: ctx.name },
      metrics,
      ...(isPlainObject(behavior) && truthy(behavior) ? { behavior } : {}),
    },
  };
}

function pdb(ctx: IstiodContext): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: ctx.name,
      namespace: ctx.namespace,
      labels: { ...ctx.labels, app: 'istiod', istio: 'pilot' },
    },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'istiod', 'istio.io/rev': ctx.rev } } },
  };
}
