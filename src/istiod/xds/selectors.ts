// meshConfig.discoverySelectors: the mesh only sees namespaces some selector matches (an OR of
// label selectors); with no selectors every namespace is visible.
import { labelSelectorMatches } from '../labels.js';
import type { MeshSnapshot } from './model.js';

export { labelSelectorMatches };

/** The namespaces selected, or undefined when every namespace is. */
export function selectedNamespaces(snapshot: MeshSnapshot): Set<string> | undefined {
  const selectors = snapshot.meshConfig?.discoverySelectors ?? [];
  if (selectors.length === 0) return undefined;
  const out = new Set<string>();
  for (const ns of snapshot.namespaces ?? []) {
    if (selectors.some((s) => labelSelectorMatches(s, ns.labels ?? {}))) out.add(ns.name);
  }
  return out;
}

/** The snapshot restricted to discovery-selected namespaces (services, endpoints and rules). */
export function applyDiscoverySelectors(snapshot: MeshSnapshot): MeshSnapshot {
  const keep = selectedNamespaces(snapshot);
  if (!keep) return snapshot;
  return {
    ...snapshot,
    services: snapshot.services.filter((s) => keep.has(s.namespace)),
    endpoints: snapshot.endpoints.filter((e) => keep.has(e.namespace)),
    destinationRules: snapshot.destinationRules?.filter((r) => keep.has(r.namespace)),
  };
}
