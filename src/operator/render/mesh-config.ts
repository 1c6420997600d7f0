import { stringify } from 'yaml';
import { bool, deepMerge, getPath, isPlainObject, str } from './merge.js';
import { revSuffix } from './revision.js';
import type { Values } from './types.js';

/**
 * The effective MeshConfig of a revision: the chart's mesh defaults (discovery address of this revision's
 * istiod, root namespace, Prometheus defaults) overlaid with `values.meshConfig` (maps merge, lists replace,
 * so `discoverySelectors` is taken whole).
 */
export function meshConfig(values: Values, namespace: string): Values {
  const defaultConfig: Values = {
    discoveryAddress: `istiod${revSuffix(values)}.${namespace}.svc:15012`,
  };
  const meshID = str(values, 'global.meshID');
  if (meshID) defaultConfig.meshId = meshID;
  const tracer = str(values, 'global.proxy.tracer', 'none');
  if (tracer === 'zipkin') {
    defaultConfig.tracing = {
      zipkin: { address: `zipkin.${str(values, 'global.istioNamespace', namespace)}:9411` },
    };
  } else {
    defaultConfig.tracing = {};
  }
  const base: Values = {
    defaultConfig,
    enablePrometheusMerge: true,
    rootNamespace: str(values, 'global.istioNamespace', namespace) || namespace,
    trustDomain: 'cluster.local',
  };
  if (
    bool(values, 'telemetry.enabled') &&
    bool(values, 'telemetry.v2.enabled') &&
    bool(values, 'telemetry.v2.prometheus.enabled')
  ) {
    base.defaultProviders = { metrics: ['prometheus'] };
  }
  const user = getPath(values, 'meshConfig');
  return deepMerge(base, isPlainObject(user) ? user : undefined);
}

/** `meshNetworks` as the config map carries it. */
export function meshNetworks(values: Values): Values {
  const networks = getPath(values, 'global.meshNetworks');
  return { networks: isPlainObject(networks) ? networks : {} };
}

/** YAML with sorted keys, so the rendered config maps are stable. */
export function toYaml(v: unknown): string {
  return stringify(v, { sortMapEntries: true, lineWidth: 0, indentSeq: false });
}
