// The `mesh` key of the `istio[-rev]` ConfigMap (YAML MeshConfig) reduced to what istiod acts on.
import { parse as parseYaml } from 'yaml';
import type { LabelSelector, MeshConfig as XdsMeshConfig } from '../xds/index.js';

export interface IstiodMeshConfig {
  trustDomain: string;
  rootNamespace: string;
  discoverySelectors?: LabelSelector[];
  /** The part the xDS translation reads. */
  xds: XdsMeshConfig;
  /** The whole parsed document, for consumers that read other fields. */
  raw: Record<string, unknown>;
}

/** Go-style duration ("10s", "1m30s", "250ms") to seconds; undefined when absent or unreadable. */
export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || !v) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of v.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
    matched += m[0];
  }
  return matched === v ? total : undefined;
}

/** Parses mesh YAML; throws with a readable message when it is not a mapping. */
export function parseMeshConfig(text: string | undefined, istiodNamespace: string): IstiodMeshConfig {
  let doc: unknown = text ? parseYaml(text) : {};
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('mesh config is not a mapping');
  const raw = doc as Record<string, any>;
  const selectors = Array.isArray(raw.discoverySelectors)
    ? (raw.discoverySelectors as LabelSelector[])
    : undefined;
  const mode = raw.outboundTrafficPolicy?.mode;
  const xdsConfig: XdsMeshConfig = {};
  if (selectors?.length) xdsConfig.discoverySelectors = selectors;
  if (mode === 'ALLOW_ANY' || mode === 'REGISTRY_ONLY') xdsConfig.outboundTrafficPolicy = { mode };
  const timeout = durationSeconds(raw.connectTimeout);
  if (timeout !== undefined) xdsConfig.connectTimeoutSeconds = timeout;
  return {
    trustDomain: typeof raw.trustDomain === 'string' && raw.trustDomain ? raw.trustDomain : 'cluster.local',
    rootNamespace:
      typeof raw.rootNamespace === 'string' && raw.rootNamespace ? raw.rootNamespace : istiodNamespace,
    discoverySelectors: selectors?.length ? selectors : undefined,
    xds: xdsConfig,
    raw,
  };
}
