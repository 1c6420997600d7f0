import { mergeAll } from './merge.js';
import { RenderValidationError, type Platform, type Values } from './types.js';

/** Profile names the API accepts; `external` is declared upstream but has no profile, so it fails at render. */
export const PROFILE_NAMES = [
  'ambient',
  'default',
  'demo',
  'empty',
  'external',
  'openshift',
  'openshift-ambient',
  'preview',
  'remote',
  'stable',
] as const;

/**
 * Operator-level profiles: the `spec.values` of upstream's profile files. Most only name the chart-level
 * profile (`values.profile`), which chartProfileValues expands when the revision is rendered.
 */
const OPERATOR_PROFILES: Record<string, Values> = {
  default: { defaultRevision: '', global: { istioNamespace: 'istio-system', configValidation: true } },
  empty: {},
  openshift: { global: { platform: 'openshift' } },
  ambient: { profile: 'ambient' },
  'openshift-ambient': { profile: 'ambient', global: { platform: 'openshift' } },
  demo: { profile: 'demo' },
  preview: { profile: 'preview' },
  remote: { profile: 'remote' },
  stable: { profile: 'stable' },
};

/**
 * Which operator profiles apply, in order: `default` always, then the user's profile, or when none is chosen
 * the platform default (`openshift` on OpenShift). A chosen profile replaces the platform one.
 */
export function resolveProfiles(
  userProfile: string | undefined,
  platform: Platform = 'kubernetes',
): string[] {
  const platformDefault = platform === 'openshift' ? 'openshift' : 'default';
  if (userProfile && userProfile !== 'default') return ['default', userProfile];
  if (platformDefault !== 'default') return ['default', platformDefault];
  return ['default'];
}

export function operatorProfileValues(name: string): Values {
  const values = OPERATOR_PROFILES[name];
  if (!values) {
    throw new RenderValidationError(
      `spec.profile: profile "${name}" not found; available profiles: ${Object.keys(OPERATOR_PROFILES).sort().join(', ')}`,
    );
  }
  return values;
}

/** The merged operator-level profile values for a spec.profile on a platform. */
export function profileValues(userProfile: string | undefined, platform: Platform = 'kubernetes'): Values {
  return mergeAll(...resolveProfiles(userProfile, platform).map(operatorProfileValues));
}

const AMBIENT_MESH: Values = {
  defaultConfig: { proxyMetadata: { ISTIO_META_ENABLE_HBONE: 'true' } },
  serviceScopeConfigs: [
    {
      servicesSelector: { matchExpressions: [{ key: 'istio.io/global', operator: 'In', values: ['true'] }] },
      scope: 'GLOBAL',
    },
  ],
};

/** Chart-level profiles (`values.profile`): what the charts' profile files layer over their defaults. */
const CHART_PROFILES: Record<string, Values> = {
  default: {},
  empty: {},
  ambient: {
    meshConfig: AMBIENT_MESH,
    global: { variant: 'distroless' },
    pilot: { env: { PILOT_ENABLE_AMBIENT: 'true' } },
    cni: { ambient: { enabled: true } },
  },
  demo: {
    meshConfig: {
      accessLogFile: '/dev/stdout',
      extensionProviders: [
        {
          name: 'otel',
          envoyOtelAls: { service: 'opentelemetry-collector.observability.svc.cluster.local', port: 4317 },
        },
        {
          name: 'skywalking',
          skywalking: { service: 'tracing.istio-system.svc.cluster.local', port: 11800 },
        },
        {
          name: 'otel-tracing',
          opentelemetry: { port: 4317, service: 'opentelemetry-collector.observability.svc.cluster.local' },
        },
        {
          name: 'jaeger',
          opentelemetry: { port: 4317, service: 'jaeger-collector.istio-system.svc.cluster.local' },
        },
      ],
    },
    global: { proxy: { resources: { requests: { cpu: '10m', memory: '40Mi' } } } },
    pilot: {
      autoscaleEnabled: false,
      traceSampling: 100,
      resources: { requests: { cpu: '10m', memory: '100Mi' } },
    },
  },
  preview: { meshConfig: { defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } } } },
  stable: { experimental: { stableValidationPolicy: true } },
  remote: {
    istiodRemote: { enabled: true },
    pilot: { configMap: false },
    telemetry: { enabled: false },
    global: { omitSidecarInjectorConfigMap: true },
  },
};

/** Chart-level platform files (`global.platform`). */
const PLATFORM_FILES: Record<string, Values> = {
  openshift: {
    pilot: { cni: { enabled: true, provider: 'multus' }, trustedZtunnelNamespace: 'kube-system' },
    cni: {
      cniBinDir: '/var/lib/cni/bin',
      cniConfDir: '/etc/cni/multus/net.d',
      cniConfFileName: 'istio-cni.conf',
      chained: false,
      provider: 'multus',
      seLinuxOptions: { type: 'spc_t' },
    },
    ztunnel: { seLinuxOptions: { type: 'spc_t' } },
  },
};

export function chartProfileValues(profile: string | undefined): Values {
  if (!profile) return {};
  const values = CHART_PROFILES[profile];
  if (!values) throw new RenderValidationError(`values.profile: unknown profile "${profile}"`);
  return values;
}

export function platformValues(platform: string | undefined): Values {
  return (platform && PLATFORM_FILES[platform]) || {};
}
